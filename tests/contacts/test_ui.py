"""The customer pages (issue 3 UI): list with filters, segments and bulk actions, kanban, the
form with duplicate detection, the customer 360 page and its tabs, merge/undo, import wizard,
documents, comments and notifications, settings — through the test client."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shangyou.collab.models import Notification
from shangyou.collab.services import comment_add
from shangyou.contacts import schedule, services
from shangyou.contacts.documents import document_upload
from shangyou.contacts.grading import grade_create
from shangyou.contacts.models import (
    Contact,
    Customer,
    CustomerMerge,
    CustomField,
    Document,
    Grade,
    ImportJob,
    Segment,
    Tag,
    Task,
    TimelineEntry,
)
from shangyou.contacts.segments import custom_field_create, segment_create
from shangyou.contacts.timeline import timeline_log

from .factories import CustomerFactory

CSV_BAD_ROW = (
    "客户名称,电话,邮箱,城市\n"
    "杭州西湖茶业有限公司,0571-8888 0001,tea@xihu.example.cn,杭州\n"
    "宁波港口物流,0574-8888 0002,not-an-email,宁波\n"
    "温州鞋业,0577-8888 0003,shoes@wz.example.cn,温州\n"
)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def rich(tenant):
    """A customer of the salesperson with something in every tab."""
    sales = tenant.actor("sales")
    grade = grade_create(actor=tenant.actor("owner"), data={"code": "VIP", "name": "VIP"})
    tag = services.tag_get_or_create(actor=tenant.actor("owner"), name="重点")
    customer = CustomerFactory(
        actor=sales, name="上海恒通五金有限公司", phone="021-6888 1234", email="a@hengtong.cn"
    )
    services.customer_update(
        actor=sales,
        customer=customer,
        data={"grade_id": grade.pk, "tag_ids": [tag.pk]},
        version=customer.version,
    )
    services.contact_create(actor=sales, customer=customer, data={"name": "王经理"})
    schedule.task_create(
        actor=sales,
        customer=customer,
        data={"title": "回访", "due_at": timezone.now() + timedelta(days=1)},
    )
    timeline_log(actor=sales, customer=customer, kind="call", subject="电话沟通")
    document_upload(
        actor=sales, customer=customer, upload=SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 x")
    )
    comment_add(actor=sales, target=customer, body="@Manager 请看一下")
    customer.refresh_from_db()
    return customer


# --- every page renders for the right roles -----------------------------------------------------
def test_every_customer_page_renders_for_the_owner(tenant, rich):
    client = tenant.client("owner")
    contact = Contact.objects.get(customer=rich)
    other = CustomerFactory(actor=tenant.actor("owner"), name="别的客户")
    urls = [
        "/customers/",
        "/customers/kanban/",
        "/customers/new/",
        "/customers/segments/",
        "/customers/import/",
        "/customers/settings/grades/",
        f"/customers/settings/grades/{rich.grade_id}/",
        "/customers/settings/tags/",
        "/customers/settings/fields/",
        f"/customers/{rich.pk}/",
        f"/customers/{rich.pk}/edit/",
        f"/customers/{rich.pk}/email/",
        f"/customers/{rich.pk}/merge/?q=别的",
        f"/customers/{rich.pk}/merge/?with={other.pk}",
        f"/customers/{rich.pk}/contacts/new/",
        f"/customers/contacts/{contact.pk}/edit/",
        f"/customers/{rich.pk}/timeline/",
        "/notifications/",
        "/notifications/badge/",
        "/calendar/",
        f"/calendar/tasks/new/?customer={rich.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_customer_page_shows_key_figures_and_every_tab(tenant, rich):
    page = html(tenant.client("sales").get(f"/customers/{rich.pk}/"))
    for element in (
        'id="key-figures"', 'id="tab-timeline"', 'id="tab-overview"', 'id="tab-contacts"',
        'id="tab-tasks"', 'id="tab-documents"', 'id="tab-comments"', 'id="tab-history"',
        f'hx-get="/customers/{rich.pk}/history/"',
        *(f'hx-get="/customers/{rich.pk}/tabs/{t}/"' for t in ("tasks", "documents", "comments")),
    ):  # fmt: skip
        assert element in page, element
    assert "VIP" in page and "重点" in page and "王经理" in page and "回访" in page
    assert "电话沟通" in page
    assert tenant.user("sales").full_name in page  # the owner
    tab = html(tenant.client("sales").get(f"/customers/{rich.pk}/tabs/tasks/"))
    assert 'id="open-tasks"' in tab and "回访" in tab
    tab = html(tenant.client("sales").get(f"/customers/{rich.pk}/tabs/documents/"))
    assert 'id="document-form"' in tab and "报价单.pdf" in tab
    tab = html(tenant.client("sales").get(f"/customers/{rich.pk}/tabs/comments/"))
    assert '<mark class="sy-mention">@Manager</mark>' in tab and 'id="comment-form"' in tab
    assert tenant.client("sales").get(f"/customers/{rich.pk}/tabs/nothing/").status_code == 404


def test_customer_page_counts_what_its_tabs_list(tenant, rich):
    sales = tenant.actor("sales")
    comment_add(actor=sales, target=rich, body="第二条")
    done = schedule.task_create(
        actor=sales, customer=rich, data={"title": "完成", "due_at": timezone.now()}
    )
    schedule.task_complete(actor=sales, task=done)
    client = tenant.client("sales")

    def badges():
        page = html(client.get(f"/customers/{rich.pk}/"))
        links = {
            tab: page.split(f'href="#tab-{tab}"', 1)[1].split("</a>", 1)[0]
            for tab in ("tasks", "documents", "comments")
        }
        badge = '<span class="badge ms-1">'
        return {tab: link.rsplit(badge, 1)[1][0] for tab, link in links.items()}, page

    counts, page = badges()
    assert counts == {"tasks": "1", "documents": "1", "comments": "2"}  # open tasks only
    assert 'id="unfollow"' in page and 'id="follow"' not in page  # commenting follows
    client.post(f"/customers/{rich.pk}/follow/", {"following": "0"})
    assert 'id="follow"' in badges()[1]


def test_key_figures_count_open_and_overdue_tasks_and_documents(tenant, rich):
    sales = tenant.actor("sales")
    yesterday = timezone.now() - timedelta(days=1)
    schedule.task_create(actor=sales, customer=rich, data={"title": "逾期", "due_at": yesterday})
    done = schedule.task_create(
        actor=sales, customer=rich, data={"title": "完成", "due_at": yesterday}
    )
    schedule.task_complete(actor=sales, task=done)
    document_upload(actor=sales, customer=rich, upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.4"))
    other = CustomerFactory(actor=sales, name="别家")
    schedule.task_create(actor=sales, customer=other, data={"title": "别家", "due_at": yesterday})

    page = html(tenant.client("sales").get(f"/customers/{rich.pk}/"))
    open_tasks = page.split('id="open-task-count">', 1)[1].split("</div>", 1)[0]
    assert open_tasks.startswith("2") and "1 overdue" in open_tasks  # 回访 and 逾期, not 完成
    figures = page.split('id="key-figures"', 1)[1].split('id="tab-timeline"', 1)[0]
    assert ">2</div>" in figures.split("Documents", 1)[1]  # 报价单.pdf and 合同.pdf


def test_sales_sees_only_own_customers_in_list_and_kanban(tenant):
    CustomerFactory(actor=tenant.actor("sales"), name="我的客户")
    CustomerFactory(actor=tenant.actor("sales_b"), name="同事的客户")
    client = tenant.client("sales")
    for url in ("/customers/", "/customers/kanban/"):
        page = html(client.get(url))
        assert "我的客户" in page and "同事的客户" not in page, url


def test_readonly_sees_no_write_buttons_and_posts_are_refused(tenant, rich):
    client = tenant.client("readonly")
    page = html(client.get(f"/customers/{rich.pk}/"))
    page += html(client.get(f"/customers/{rich.pk}/tabs/documents/"))
    page += html(client.get(f"/customers/{rich.pk}/tabs/comments/"))
    for element in (
        'id="edit-customer"', 'id="timeline-form"', 'id="document-form"', 'id="comment-form"',
        'id="delete-customer"', 'id="merge-customer"',
    ):  # fmt: skip
        assert element not in page, element
    assert 'id="new-customer"' not in html(client.get("/customers/"))
    back = f"http://testserver/customers/{rich.pk}/"
    for url, data in (
        (f"/customers/{rich.pk}/timeline/log/", {"kind": "note", "body": "x"}),
        (f"/customers/{rich.pk}/comment/", {"body": "x"}),
        (f"/customers/{rich.pk}/stage/", {"stage": "customer", "version": rich.version}),
        ("/customers/bulk/", {"ids": [rich.pk], "action": "tag", "tag_id": rich.tags.get().pk}),
    ):
        response = client.post(url, data, follow=True, headers={"referer": back})
        assert "Your role is read-only in this company." in html(response), url
    assert TimelineEntry.objects.filter(customer=rich).count() == 3  # task, call, document
    assert Customer.objects.get(pk=rich.pk).stage == "lead"


def test_settings_pages_are_for_administrators(tenant):
    for role in ("sales", "manager"):
        response = tenant.client(role).get("/customers/settings/grades/")
        assert response.status_code == 403, role


# --- list: filters, sorting, segments, bulk actions, export -------------------------------------
def test_list_filters_map_onto_the_selector(tenant):
    owner = tenant.actor("owner")
    vip = grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    tag = services.tag_get_or_create(actor=owner, name="展会")
    a = CustomerFactory(actor=owner, name="甲客户", stage="customer", province="浙江", city="杭州")
    CustomerFactory(actor=owner, name="乙客户", owner_id=None, is_supplier=True)
    c = CustomerFactory(actor=owner, name="丙客户", kind="person")
    services.customer_update(
        actor=owner, customer=a, data={"grade_id": vip.pk, "tag_ids": [tag.pk]}, version=a.version
    )
    services.customer_blacklist(actor=owner, customer=c, blacklisted=True, reason="拖欠货款")
    Customer.objects.filter(pk=a.pk).update(last_contacted_at=timezone.now())
    client = tenant.client("owner")

    def names(**params):
        page = html(client.get("/customers/", params))
        return {n for n in ("甲客户", "乙客户", "丙客户") if n in page}

    assert names(stage="customer") == {"甲客户"}
    assert names(kind="person") == {"丙客户"}
    assert names(grade=vip.pk) == {"甲客户"}
    assert names(tag=tag.pk) == {"甲客户"}
    assert names(owner="none") == {"乙客户"}
    assert names(owner=tenant.user("owner").pk) == {"甲客户", "丙客户"}
    assert names(province="浙江", city="杭州") == {"甲客户"}
    assert names(blacklisted="1") == {"丙客户"}
    assert names(supplier="1") == {"乙客户"}
    assert names(no_contact_days=7) == {"乙客户", "丙客户"}
    assert names(q="jkh") == {"甲客户"}  # pinyin initials


def test_list_sorts_and_pagination_keeps_the_filters(tenant):
    for i in range(30):
        CustomerFactory(actor=tenant.actor("owner"), name=f"客户{i:02d}", stage="prospect")
    client = tenant.client("owner")
    page = html(client.get("/customers/", {"stage": "prospect", "sort": "name"}))
    assert page.index("客户00") < page.index("客户01")
    assert "stage=prospect" in page and "page=2" in page
    second = html(client.get("/customers/", {"stage": "prospect", "sort": "name", "page": 2}))
    assert "客户29" in second and "客户00" not in second
    partial = client.get("/customers/", {"q": "客户0"}, headers={"HX-Request": "true"})
    assert "<html" not in html(partial) and 'id="customers-table"' in html(partial)


def test_segment_is_saved_from_the_filters_picked_and_deleted(tenant):
    owner = tenant.actor("owner")
    CustomerFactory(actor=owner, name="大客户甲", stage="customer")
    CustomerFactory(actor=owner, name="线索乙")
    client = tenant.client("owner")

    response = client.post(
        "/customers/segments/new/",
        {"name": "正式客户", "is_shared": "on", "query": "stage=customer&q="},
    )

    segment = Segment.objects.get(name="正式客户")
    assert segment.filters == {"stage": "customer"} and segment.is_shared
    assert response.status_code == 302 and f"segment={segment.pk}" in response["Location"]
    page = html(client.get("/customers/", {"segment": segment.pk}))
    assert "大客户甲" in page and "线索乙" not in page
    assert "正式客户" in html(client.get("/customers/segments/"))
    # someone else's segment cannot be deleted by a salesperson
    response = tenant.client("sales").post(f"/customers/segments/{segment.pk}/delete/", follow=True)
    assert "Only its author" in html(response)
    client.post(f"/customers/segments/{segment.pk}/delete/")
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_bulk_assign_tag_grade_and_export_selected(tenant):
    manager = tenant.actor("manager")
    vip = grade_create(actor=tenant.actor("owner"), data={"code": "VIP", "name": "VIP"})
    tag = services.tag_get_or_create(actor=tenant.actor("owner"), name="重点")
    first = CustomerFactory(actor=manager, name="客户一")
    second = CustomerFactory(actor=manager, name="客户二")
    client = tenant.client("manager")
    ids = [first.pk, second.pk]

    client.post("/customers/bulk/", {"ids": ids, "action": "tag", "tag_id": tag.pk})
    client.post("/customers/bulk/", {"ids": ids, "action": "grade", "grade_id": vip.pk})
    client.post(
        "/customers/bulk/",
        {"ids": ids, "action": "assign", "owner_id": tenant.user("sales").pk},
    )

    for customer in Customer.objects.filter(pk__in=ids):
        assert list(customer.tags.values_list("name", flat=True)) == ["重点"]
        assert customer.grade_id == vip.pk and customer.grade_locked
        assert customer.owner_id == tenant.user("sales").pk
    response = tenant.client("sales").post(
        "/customers/bulk/", {"ids": [first.pk], "action": "export", "format": "csv"}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "客户一" in body and "客户二" not in body


def test_sales_cannot_bulk_assign(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="客户一")
    response = tenant.client("sales").post(
        "/customers/bulk/",
        {"ids": [customer.pk], "action": "assign", "owner_id": tenant.user("sales_b").pk},
        follow=True,
    )
    assert "Only a manager or an administrator can reassign" in html(response)
    assert Customer.objects.get(pk=customer.pk).owner_id == tenant.user("sales").pk


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("vcf", "text/vcard")],
)
def test_export_of_the_filtered_list(tenant, fmt, content_type):
    CustomerFactory(actor=tenant.actor("owner"), name="正式客户", stage="customer")
    CustomerFactory(actor=tenant.actor("owner"), name="线索", stage="lead")
    response = tenant.client("owner").get(
        "/customers/export/", {"format": fmt, "stage": "customer"}
    )
    assert response.status_code == 200 and content_type in response["Content-Type"]
    if fmt == "csv":
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert [r[1] for r in rows[1:]] == ["正式客户"]


# --- kanban -------------------------------------------------------------------------------------
def test_kanban_moves_a_card_and_refuses_a_stale_one(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="看板客户")
    client = tenant.client("sales")
    page = html(client.get("/customers/kanban/"))
    assert 'id="column-lead"' in page and f'id="card-{customer.pk}"' in page

    client.post(
        f"/customers/{customer.pk}/stage/",
        {"stage": "prospect", "version": customer.version, "next": "/customers/kanban/"},
    )
    assert Customer.objects.get(pk=customer.pk).stage == "prospect"

    response = client.post(
        f"/customers/{customer.pk}/stage/",
        {"stage": "customer", "version": customer.version, "next": "/customers/kanban/"},
        follow=True,
    )
    assert "was changed by" in html(response) or "changed" in html(response)
    assert Customer.objects.get(pk=customer.pk).stage == "prospect"


def test_kanban_counts_each_column_up_to_a_cap(tenant, monkeypatch):
    """A column counts its customers to `KANBAN_COUNT_CAP` and says "N+" past it; the link to
    the list says so too. Exact counts below the cap."""
    from shangyou.contacts import selectors

    monkeypatch.setattr(selectors, "KANBAN_COUNT_CAP", 3)
    for n in range(5):
        CustomerFactory(actor=tenant.actor("sales"), name=f"线索{n}")
    for n in range(2):
        CustomerFactory(actor=tenant.actor("sales"), name=f"客户{n}", stage="customer")
    page = html(tenant.client().get("/customers/kanban/"))
    assert re.search(r'id="column-count-lead">\s*3\+\s*<', page)
    assert re.search(r'id="column-count-customer">\s*2\s*<', page)
    assert re.search(r'id="column-count-prospect">\s*0\s*<', page)
    monkeypatch.setattr(selectors, "KANBAN_COUNT_CAP", 1000)
    page = html(tenant.client().get("/customers/kanban/"))
    assert re.search(r'id="column-count-lead">\s*5\s*<', page)


# --- create and edit with duplicate detection ---------------------------------------------------
def test_duplicate_check_fragment_shows_owner_and_link(tenant):
    existing = CustomerFactory(actor=tenant.actor("sales_b"), name="张伟", phone="13800138000")
    response = tenant.client("sales").get(
        "/customers/duplicates/", {"name": "", "phone": "+86 138-0013-8000"}
    )
    page = html(response)
    assert "张伟" in page and tenant.user("sales_b").full_name in page
    assert f"/customers/{existing.pk}/" in page and "same phone" in page
    assert (
        html(tenant.client("sales").get("/customers/duplicates/", {"name": "全新"})).strip() == ""
    )


def test_create_shows_candidates_then_saves_anyway(tenant):
    CustomerFactory(actor=tenant.actor("sales_b"), name="张伟", phone="13800138000")
    client = tenant.client("sales")
    data = {"name": "张伟", "kind": "person", "stage": "lead", "phone": "138 0013 8000"}

    response = client.post("/customers/new/", data)

    page = html(response)
    assert response.status_code == 200 and 'id="duplicate-warning"' in page
    assert 'name="allow_duplicate"' in page and tenant.user("sales_b").full_name in page
    assert Customer.objects.filter(name="张伟").count() == 1

    response = client.post("/customers/new/", {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    assert Customer.objects.filter(name="张伟").count() == 2


def test_create_with_every_field_tags_and_custom_fields(tenant):
    owner = tenant.actor("owner")
    vip = grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    tags = [services.tag_get_or_create(actor=owner, name=n) for n in ("五金", "重点")]
    custom_field_create(actor=owner, data={"key": "volume", "label": "年采购量", "type": "number"})
    custom_field_create(
        actor=owner,
        data={"key": "channel", "label": "渠道", "type": "choice", "choices": ["线上", "线下"]},
    )
    client = tenant.client("owner")
    form = html(client.get("/customers/new/"))
    assert 'name="cf_volume"' in form and "线下" in form and "data-tom-select" in form

    response = client.post(
        "/customers/new/",
        {
            "name": "杭州西湖茶业", "kind": "company", "stage": "prospect", "code": "C-001",
            "source": "exhibition", "phone": "0571-8888 0001", "email": "Tea@XiHu.cn",
            "province": "浙江", "city": "杭州", "industry": "茶叶", "owner_id": "",
            "grade_id": vip.pk, "tag_ids": [t.pk for t in tags], "credit_rating": "AA",
            "consent_email": "on", "founded_on": "2001-05-01", "notes": "老客户",
            "cf_volume": "1200.5", "cf_channel": "线下", "is_customer": "on",
        },
    )  # fmt: skip

    assert response.status_code == 302
    customer = Customer.objects.get(code="C-001")
    assert customer.owner_id is None and customer.grade_id == vip.pk and customer.grade_locked
    assert customer.email == "tea@xihu.cn" and customer.credit_rating == "AA"
    assert not customer.consent_sms and customer.consent_email
    assert sorted(customer.tags.values_list("name", flat=True)) == ["五金", "重点"]
    assert customer.custom_fields == {"volume": "1200.5", "channel": "线下"}
    edit = html(client.get(f"/customers/{customer.pk}/edit/"))
    assert 'value="1200.5"' in edit and 'value="C-001"' in edit


# --- the 360 page: actions and tabs ---------------------------------------------------------------
def test_timeline_log_prepends_an_entry_and_pages_and_filters(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    for i in range(25):
        timeline_log(actor=tenant.actor("sales"), customer=customer, kind="note", subject=f"n{i}")
    client = tenant.client("sales")

    response = client.post(
        f"/customers/{customer.pk}/timeline/log/",
        {"kind": "call", "subject": "打电话确认交期", "body": "下周发货"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "打电话确认交期" in html(response) and "<html" not in html(response)
    assert Customer.objects.get(pk=customer.pk).last_contacted_at is not None
    first = html(client.get(f"/customers/{customer.pk}/"))
    assert 'id="timeline-more"' in first
    second = html(client.get(f"/customers/{customer.pk}/timeline/", {"page": 2}))
    assert second.count("sy-timeline-entry") == 6 and 'id="timeline-more"' not in second
    assert "?page=2" in first and "?page=3" not in first
    calls = html(client.get(f"/customers/{customer.pk}/timeline/", {"kind": "call"}))
    assert "打电话确认交期" in calls and "n3<" not in calls


def test_empty_timeline_entry_shows_the_service_message(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    response = tenant.client("sales").post(
        f"/customers/{customer.pk}/timeline/log/", {"kind": "note"}, headers={"HX-Request": "true"}
    )
    assert "Write something first." in html(response)
    assert response["HX-Retarget"] == "#messages"


def test_claim_convert_blacklist_release_follow_and_email(tenant, smtp_server):
    pool = CustomerFactory(actor=tenant.actor("owner"), name="公海客户", owner_id=None)
    client = tenant.client("sales")
    admin = tenant.client("admin")

    assert 'id="claim-customer"' in html(admin.get(f"/customers/{pool.pk}/"))
    client.post(f"/customers/{pool.pk}/claim/")
    pool.refresh_from_db()
    assert pool.owner_id == tenant.user("sales").pk

    client.post(f"/customers/{pool.pk}/convert/", {"version": pool.version})
    pool.refresh_from_db()
    assert pool.stage == "customer" and pool.converted_at

    response = client.post(
        f"/customers/{pool.pk}/blacklist/", {"blacklisted": "1", "reason": "x"}, follow=True
    )
    assert "Only a manager or an administrator can blacklist" in html(response)
    admin.post(f"/customers/{pool.pk}/blacklist/", {"blacklisted": "1", "reason": "拖欠货款"})
    page = html(admin.get(f"/customers/{pool.pk}/"))
    assert 'id="blacklist-badge"' in page and "拖欠货款" in page
    admin.post(f"/customers/{pool.pk}/blacklist/", {"blacklisted": "0"})
    assert not Customer.objects.get(pk=pool.pk).is_blacklisted

    client.post(f"/customers/{pool.pk}/follow/", {"following": "1"})
    assert 'id="unfollow"' in html(client.get(f"/customers/{pool.pk}/"))

    response = client.post(
        f"/customers/{pool.pk}/email/",
        {"to": "buyer@example.cn", "subject": "报价", "body": "请查收报价单。"},
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(customer=pool, kind="email_out")
    assert entry.subject == "报价"


def test_release_hand_set_grade(tenant):
    owner = tenant.actor("owner")
    vip = grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    customer = CustomerFactory(actor=owner, name="客户", grade_id=vip.pk)
    assert Customer.objects.get(pk=customer.pk).grade_locked
    tenant.client("owner").post(f"/customers/{customer.pk}/release-grade/")
    assert not Customer.objects.get(pk=customer.pk).grade_locked


def test_contacts_add_edit_delete(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="恒通")
    client = tenant.client("sales")
    client.post(
        f"/customers/{customer.pk}/contacts/new/",
        {"name": "王经理", "title": "采购", "is_primary": "on"},
    )
    contact = Contact.objects.get(customer=customer)
    assert contact.is_primary
    client.post(
        f"/customers/contacts/{contact.pk}/edit/",
        {"name": "王总", "title": "总经理", "version": contact.version},
    )
    contact.refresh_from_db()
    assert contact.name == "王总" and contact.title == "总经理"
    assert "王总" in html(client.get(f"/customers/{customer.pk}/"))
    client.post(f"/customers/contacts/{contact.pk}/delete/")
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_task_from_the_record_and_mark_done(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="恒通")
    client = tenant.client("sales")
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/calendar/tasks/new/",
        {"customer": customer.pk, "title": "跟进报价", "kind": "call", "priority": 2,
         "due_at": due, "assignee_id": tenant.user("sales").pk},
    )  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(customer=customer)
    page = html(client.get(f"/customers/{customer.pk}/tabs/tasks/"))
    assert "跟进报价" in page and f'id="task-{task.pk}"' in page
    client.post(f"/calendar/tasks/{task.pk}/done/", {"next": f"/customers/{customer.pk}/"})
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_document_upload_download_and_other_company_gets_404(tenant, other_tenant, settings):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="恒通")
    client = tenant.client("sales")

    client.post(
        f"/customers/{customer.pk}/documents/",
        {"file": SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract"), "description": "合同"},
    )

    document = Document.objects.get(customer=customer)
    response = client.get(f"/customers/documents/{document.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert (
        other_tenant.client("owner")
        .get(f"/customers/documents/{document.pk}/download/")
        .status_code
        == 404
    )
    assert (
        tenant.client("sales_b").get(f"/customers/documents/{document.pk}/download/").status_code
        == 404
    )

    response = client.post(
        f"/customers/{customer.pk}/documents/",
        {"file": SimpleUploadedFile("virus.exe", b"MZ")},
        follow=True,
    )
    assert "cannot be uploaded" in html(response)
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = client.post(
        f"/customers/{customer.pk}/documents/",
        {"file": SimpleUploadedFile("big.pdf", b"x" * (2 * 1024 * 1024))},
        follow=True,
    )
    assert "the limit is 1 MB" in html(response)
    assert Document.objects.filter(customer=customer).count() == 1


def test_comment_with_mention_notifies_and_badge_counts(tenant):
    customer = CustomerFactory(actor=tenant.actor("manager"), name="恒通")
    manager = tenant.client("manager")
    body = f"@{tenant.user('admin').email} 请审批"
    manager.post(f"/customers/{customer.pk}/comment/", {"body": body})
    notice = Notification.objects.get(user=tenant.user("admin"))
    admin = tenant.client("admin")
    assert ">1<" in html(admin.get("/notifications/badge/"))
    page = html(admin.get("/notifications/"))
    assert "请审批" in page
    admin.post("/notifications/read/", {"ids": [notice.pk]})
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert html(admin.get("/notifications/badge/")).strip() == ""


# --- merge and undo -------------------------------------------------------------------------------
def test_merge_side_by_side_then_undo(tenant):
    owner = tenant.actor("owner")
    survivor = CustomerFactory(actor=owner, name="上海恒通五金", phone="021-6888 1234")
    merged = CustomerFactory(
        actor=owner, name="上海恒通五金有限公司", phone="", email="sales@hengtong.cn"
    )
    services.contact_create(actor=owner, customer=merged, data={"name": "王经理"})
    client = tenant.client("owner")

    pick = html(client.get(f"/customers/{survivor.pk}/merge/"))
    assert f"?with={merged.pk}" in pick  # suggested look-alike
    compare = html(client.get(f"/customers/{survivor.pk}/merge/", {"with": merged.pk}))
    assert 'name="name" value="merged"' in compare and "sales@hengtong.cn" in compare

    response = client.post(
        f"/customers/{survivor.pk}/merge/",
        {"with": merged.pk, "name": "merged", "phone": "survivor", "email": "merged"},
    )

    record = CustomerMerge.objects.get(survivor=survivor)
    assert response["Location"].endswith(f"?merge={record.pk}")
    survivor.refresh_from_db()
    assert survivor.name == "上海恒通五金有限公司" and survivor.email == "sales@hengtong.cn"
    assert not Customer.objects.filter(pk=merged.pk).exists()
    page = html(client.get(response["Location"]))
    assert 'id="undo-merge"' in page and "王经理" in page

    response = client.post(f"/customers/merges/{record.pk}/undo/")
    assert response["Location"] == f"/customers/{merged.pk}/"
    survivor.refresh_from_db()
    assert survivor.name == "上海恒通五金" and survivor.email == ""
    assert Contact.objects.get(name="王经理").customer_id == merged.pk
    assert 'id="undo-merge"' not in html(client.get(f"/customers/{survivor.pk}/?merge={record.pk}"))


# --- import wizard --------------------------------------------------------------------------------
def test_import_wizard_end_to_end(tenant, django_capture_on_commit_callbacks):
    CustomerFactory(actor=tenant.actor("sales"), name="温州鞋业")
    client = tenant.client("sales")
    template = client.get("/customers/import/template.csv")
    assert "客户名称 (Name)" in template.content.decode("utf-8-sig")

    response = client.post(
        "/customers/import/",
        {"file": SimpleUploadedFile("客户.csv", CSV_BAD_ROW.encode("utf-8"))},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/customers/import/{job.pk}/"
    preview = html(client.get(response["Location"]))
    assert 'data-row="3"' in preview and "not-an-email" in preview  # the file's row number
    assert 'name="decision_4"' in preview  # 温州鞋业 exists already
    assert 'name="skip_invalid"' in preview

    response = client.post(f"/customers/import/{job.pk}/commit/", {}, follow=True)
    assert "rows have errors" in html(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/customers/import/{job.pk}/commit/",
            {"skip_invalid": "1", "duplicate_default": "skip", "decision_4": "merge"},
        )

    job.refresh_from_db()
    assert job.status == "done"
    assert job.result == {"created": 1, "merged": 1, "skipped": 1}
    page = html(client.get(f"/customers/import/{job.pk}/"))
    assert 'id="import-done"' in page and 'id="import-to-list"' in page
    assert 'hx-trigger="every' not in html(client.get(f"/customers/import/{job.pk}/status/"))
    assert Customer.objects.filter(name="杭州西湖茶业有限公司").exists()
    assert Customer.objects.get(name="温州鞋业").email == "shoes@wz.example.cn"


def test_import_upload_error_is_shown_on_the_form(tenant):
    response = tenant.client("sales").post(
        "/customers/import/", {"file": SimpleUploadedFile("x.csv", "电话\n123\n".encode())}
    )
    assert response.status_code == 200 and "No name column was found" in html(response)


# --- settings -----------------------------------------------------------------------------------
def test_grades_tags_and_custom_fields_settings(tenant):
    client = tenant.client("admin")
    client.post(
        "/customers/settings/grades/",
        {"code": "VIP", "name": "贵宾", "rank": 1, "min_spend": "100000", "period_days": 365},
    )
    grade = Grade.objects.get(code="VIP")
    assert grade.min_spend == 100000
    client.post(
        f"/customers/settings/grades/{grade.pk}/",
        {"code": "VIP", "name": "钻石", "rank": 1, "period_days": 180, "version": grade.version},
    )
    grade.refresh_from_db()
    assert grade.name == "钻石" and grade.period_days == 180
    client.post(f"/customers/settings/grades/{grade.pk}/delete/")
    assert not Grade.objects.filter(pk=grade.pk).exists()

    client.post("/customers/settings/tags/", {"name": "展会"})
    tag = Tag.objects.get(name="展会")
    assert "展会" in html(client.get("/customers/settings/tags/"))
    client.post(f"/customers/settings/tags/{tag.pk}/delete/")
    assert not Tag.objects.filter(pk=tag.pk).exists()

    response = client.post(
        "/customers/settings/fields/",
        {"label": "渠道", "key": "channel", "type": "choice", "choices": ""},
    )
    assert "Give at least one choice." in html(response)
    client.post(
        "/customers/settings/fields/",
        {"label": "渠道", "key": "channel", "type": "choice", "choices": "线上\n线下\n"},
    )
    field = CustomField.objects.get(key="channel")
    assert field.choices == ["线上", "线下"]
    client.post(f"/customers/settings/fields/{field.pk}/delete/")
    assert not CustomField.objects.filter(pk=field.pk).exists()


def test_segment_helper_filters_match_the_list(tenant):
    segment = segment_create(actor=tenant.actor("owner"), name="s", filters={"stage": "lead"})
    CustomerFactory(actor=tenant.actor("owner"), name="线索甲")
    page = html(tenant.client("owner").get("/customers/segments/"))
    assert f"segment={segment.pk}" in page and "stage=lead" in page


# --- no N+1 -------------------------------------------------------------------------------------
@pytest.fixture
def thirty(tenant):
    owner = tenant.actor("owner")
    grades = [grade_create(actor=owner, data={"code": c, "name": c}) for c in ("A", "B", "C")]
    tags = [services.tag_get_or_create(actor=owner, name=n) for n in ("五金", "重点", "展会")]
    customers = []
    for i in range(30):
        actor = tenant.actor(("sales", "sales_b", "manager")[i % 3])
        customer = CustomerFactory(
            actor=actor,
            name=f"客户{i:02d}",
            grade_id=grades[i % 3].pk,
            tag_ids=[tags[i % 3].pk, tags[(i + 1) % 3].pk],
        )
        customers.append(customer)
    return customers


def test_list_query_count_with_tags_grades_owners(tenant, thirty, django_assert_max_num_queries):
    client = tenant.client("owner")
    client.get("/customers/")
    with django_assert_max_num_queries(18):
        response = client.get("/customers/")
    page = html(response)
    assert sum(f"客户{i:02d}" in page for i in range(30)) == 25
    assert page.count("sy-tag") >= 50


def test_kanban_query_count(tenant, thirty, django_assert_max_num_queries):
    client = tenant.client("owner")
    client.get("/customers/kanban/")
    with django_assert_max_num_queries(18):
        response = client.get("/customers/kanban/")
    assert sum(f"客户{i:02d}" in html(response) for i in range(30)) == 30


def test_customer_page_and_timeline_query_count(tenant, rich, django_assert_max_num_queries):
    sales = tenant.actor("sales")
    for i in range(30):
        timeline_log(actor=sales, customer=rich, kind="call", subject=f"call {i}")
        services.contact_create(actor=sales, customer=rich, data={"name": f"联系人{i}"})
        comment_add(actor=sales, target=rich, body=f"评论 {i}")
    client = tenant.client("sales")
    client.get(f"/customers/{rich.pk}/")
    with django_assert_max_num_queries(40):
        response = client.get(f"/customers/{rich.pk}/")
    assert response.status_code == 200 and "联系人29" in html(response)
    with django_assert_max_num_queries(10):
        response = client.get(f"/customers/{rich.pk}/timeline/", {"page": 2})
    assert html(response).count("sy-timeline-entry") == 13
