"""The platform pages: directory, profiles, business friends, visitor records and messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangyou.contacts.models import Customer
from shangyou.network import selectors, services
from shangyou.network.models import Audience, Block, Friendship, Message, Report, Visit

HTMX = {"HX-Request": "true"}


@pytest.fixture
def supplier(tenant_factory):
    t = tenant_factory("华东精密机械有限公司", member_type="supplier")
    services.profile_update(
        actor=t.actor(),
        data={
            "main_products": "数控机床 精密轴承",
            "province": "江苏",
            "city": "苏州",
            "phone": "0512-6666 8888",
            "contact_visibility": Audience.FRIENDS,
        },
    )
    return t


@pytest.fixture
def buyer(tenant_factory):
    t = tenant_factory("北京优采贸易有限公司", member_type="buyer")
    services.profile_update(actor=t.actor(), data={"province": "北京", "city": "北京"})
    return t


def befriend(a, b) -> Friendship:
    friendship = services.friend_request(actor=a.actor(), company_id=b.company.pk)
    return services.friend_answer(actor=b.actor(), friendship=friendship, accept=True)


def search(client, **params) -> str:
    """The directory's live results (the HTMX partial), without the page around them."""
    response = client.get(
        reverse("network:directory"), params, headers={**HTMX, "HX-Target": "directory-results"}
    )
    assert response.status_code == 200
    return response.content.decode()


def converse(a, b, body="请报价") -> "selectors.Conversation":
    return services.conversation_start(
        actor=a.actor(), company_id=b.company.pk, subject="询价", body=body
    )


# --- directory ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["owner", "sales", "readonly"])
def test_directory_renders_for_every_role(supplier, buyer, role):
    response = buyer.client(role).get(reverse("network:directory"))
    assert response.status_code == 200
    assert "华东精密机械有限公司" in response.content.decode()


def test_directory_finds_by_pinyin_and_initials_live(supplier, buyer):
    client = buyer.client()
    for q in ("huadong", "hdjm", "轴承"):
        response = client.get(
            reverse("network:directory"),
            {"q": q},
            headers={**HTMX, "HX-Target": "directory-results"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "华东精密机械有限公司" in html, q
        assert "<html" not in html  # the partial only
    response = client.get(reverse("network:directory"), {"q": "nothing-like-this"})
    assert "华东精密机械有限公司" not in response.content.decode()


def test_directory_filters_by_type_region_and_verified(supplier, buyer):
    client = buyer.client()
    html = search(client, member_type="supplier")
    assert "华东精密机械有限公司" in html and "北京优采贸易有限公司" not in html
    html = search(client, province="北京")
    assert "北京优采贸易有限公司" in html and "华东精密机械有限公司" not in html
    html = search(client, city="苏州", industry="")
    assert "华东精密机械有限公司" in html and "北京优采贸易有限公司" not in html
    assert "华东精密机械有限公司" not in search(client, verified="1")
    supplier.company.is_verified = True
    supplier.company.save()
    assert "华东精密机械有限公司" in search(client, verified="1")


def test_directory_never_shows_private_crm_data(supplier, buyer):
    from shangyou.contacts.services import customer_create

    customer_create(actor=supplier.actor(), data={"name": "秘密客户张三", "phone": "13800001111"})
    assert "秘密客户张三" not in search(buyer.client(), q="张三")


def test_directory_has_no_n_plus_one(tenant_factory, buyer, django_assert_max_num_queries):
    for i in range(25):
        t = tenant_factory(f"测试公司{i}", member_type="supplier")
        services.profile_update(
            actor=t.actor(), data={"province": "浙江", "city": f"城市{i}", "main_products": "茶"}
        )
    client = buyer.client()
    client.get(reverse("network:directory"))  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network:directory"))
    assert response.status_code == 200
    assert response.content.decode().count("sy-company-card") == 20  # one page


# --- profiles and visits ------------------------------------------------------------------------
def test_profile_records_a_visit_and_hides_contact_details(supplier, buyer):
    url = reverse("network:profile", args=[supplier.company.pk])
    client = buyer.client("sales")
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
    html = response.content.decode()
    assert "华东精密机械有限公司" in html and "数控机床" in html
    assert "0512-6666 8888" not in html  # friends only
    visit = Visit.objects.get(target_company=supplier.company)
    assert (visit.viewer_company_id, visit.count) == (buyer.company.pk, 2)


def test_contact_details_show_to_business_friends(supplier, buyer):
    befriend(buyer, supplier)
    html = buyer.client().get(reverse("network:profile", args=[supplier.company.pk])).content
    assert "0512-6666 8888" in html.decode()


def test_anonymous_browsing_counts_without_naming(supplier, buyer):
    client = buyer.client()
    response = client.post(reverse("network:anonymous_toggle"), {"anonymous": "1"})
    assert response.status_code == 302
    client.get(reverse("network:profile", args=[supplier.company.pk]))
    visit = Visit.objects.get(target_company=supplier.company)
    assert visit.viewer_company_id is None and visit.count == 1
    client.post(reverse("network:anonymous_toggle"), {"anonymous": "0"})
    client.get(reverse("network:profile", args=[supplier.company.pk]))
    assert Visit.objects.filter(viewer_company=buyer.company).count() == 1


def test_own_profile_is_not_a_visit(supplier):
    response = supplier.client().get(reverse("network:profile", args=[supplier.company.pk]))
    assert response.status_code == 200
    assert "0512-6666 8888" in response.content.decode()
    assert not Visit.objects.exists()


def test_hidden_profile_is_not_found(supplier, buyer):
    services.profile_update(actor=supplier.actor(), data={"is_public": False})
    url = reverse("network:profile", args=[supplier.company.pk])
    assert buyer.client().get(url).status_code == 404
    assert not Visit.objects.exists()
    assert buyer.client().get(reverse("network:profile", args=[999999])).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("sales", 403)])
def test_profile_edit_is_for_admins(supplier, role, status):
    assert supplier.client(role).get(reverse("network:profile_edit")).status_code == status


def test_profile_edit_saves_fields_settings_and_logo(supplier, buyer):
    data = {
        "is_public": "on",
        "tagline": "三十年精密制造",
        "description": "苏州工厂",
        "main_products": "数控机床",
        "industries": "机械",
        "country": "中国",
        "province": "江苏",
        "city": "苏州",
        "year_founded": "1994",
        "website": "https://hd.example.cn",
        "contact_name": "王经理",
        "phone": "0512-1",
        "email": "sales@hd.example.cn",
        "address": "工业园区 1 号",
        "contact_visibility": "everyone",
        "message_audience": "friends",
        "logo": SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    }
    response = supplier.client("admin").post(reverse("network:profile_edit"), data)
    assert response.status_code == 302
    profile = selectors.profile_for(supplier.company)
    assert profile.tagline == "三十年精密制造" and profile.year_founded == 1994
    assert profile.contact_visibility == "everyone" and profile.message_audience == "friends"
    assert profile.friend_approval is False  # unchecked box
    assert profile.logo
    logo = buyer.client().get(reverse("network:profile_logo", args=[supplier.company.pk]))
    assert logo.status_code == 200 and "sandbox" in logo.headers["Content-Security-Policy"]
    html = buyer.client().get(reverse("network:profile", args=[supplier.company.pk])).content
    assert "0512-1" in html.decode()  # everyone sees the contact details now


def test_profile_edit_rejects_a_non_image_logo(supplier):
    response = supplier.client().post(
        reverse("network:profile_edit"),
        {
            "contact_visibility": "friends",
            "message_audience": "everyone",
            "logo": SimpleUploadedFile("x.exe", b"MZ"),
        },
    )
    assert response.status_code == 200
    assert not selectors.profile_for(supplier.company).logo


# --- business friends -----------------------------------------------------------------------------
def test_friend_request_accept_links_both_crms(supplier, buyer):
    response = buyer.client("sales").post(
        reverse("network:friend_request"), {"company_id": supplier.company.pk}
    )
    assert response.status_code == 302
    friendship = Friendship.objects.get()
    assert friendship.status == "pending"
    incoming = supplier.client().get(reverse("network:friends") + "?tab=incoming")
    assert "北京优采贸易有限公司" in incoming.content.decode()
    outgoing = buyer.client().get(reverse("network:friends") + "?tab=outgoing")
    assert "华东精密机械有限公司" in outgoing.content.decode()
    response = supplier.client().post(
        reverse("network:friend_answer", args=[friendship.pk]), {"accept": "1"}
    )
    assert response.status_code == 302
    friendship.refresh_from_db()
    assert friendship.status == "accepted"
    record = Customer.objects.get(company=supplier.company, platform_company=buyer.company)
    html = supplier.client().get(reverse("network:friends")).content.decode()
    assert "北京优采贸易有限公司" in html
    assert reverse("contacts:customer_detail", args=[record.pk]) in html
    assert Customer.objects.filter(company=buyer.company, platform_company=supplier.company)


def test_friend_decline_and_withdraw(supplier, buyer):
    buyer.client().post(reverse("network:friend_request"), {"company_id": supplier.company.pk})
    friendship = Friendship.objects.get()
    supplier.client().post(reverse("network:friend_answer", args=[friendship.pk]), {"accept": "0"})
    friendship.refresh_from_db()
    assert friendship.status == "declined"
    # a new request replaces the declined one; the requester may withdraw it
    buyer.client().post(reverse("network:friend_request"), {"company_id": supplier.company.pk})
    friendship = Friendship.objects.get()
    assert friendship.status == "pending"
    buyer.client().post(reverse("network:friend_remove", args=[friendship.pk]))
    assert not Friendship.objects.exists()


def test_remove_friend(supplier, buyer):
    friendship = befriend(buyer, supplier)
    response = supplier.client().post(reverse("network:friend_remove", args=[friendship.pk]))
    assert response.status_code == 302
    assert not Friendship.objects.exists()


def test_friend_request_conflict_is_a_message(supplier, buyer):
    client = buyer.client()
    client.post(reverse("network:friend_request"), {"company_id": supplier.company.pk})
    profile_url = reverse("network:profile", args=[supplier.company.pk])
    response = client.post(
        reverse("network:friend_request"),
        {"company_id": supplier.company.pk},
        headers={"Referer": "http://testserver" + profile_url},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(profile_url)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_readonly_cannot_request_friends(supplier, buyer):
    buyer.client("readonly").post(
        reverse("network:friend_request"), {"company_id": supplier.company.pk}
    )
    assert not Friendship.objects.exists()


def test_other_companies_friendships_are_not_found(supplier, buyer, tenant_factory):
    friendship = services.friend_request(actor=buyer.actor(), company_id=supplier.company.pk)
    outsider = tenant_factory("第三方公司").client()
    for name in ("friend_answer", "friend_remove"):
        response = outsider.post(reverse(f"network:{name}", args=[friendship.pk]), {"accept": "1"})
        assert response.status_code == 404, name
    friendship.refresh_from_db()
    assert friendship.status == "pending"


def test_friends_page_has_no_n_plus_one(tenant_factory, buyer, django_assert_max_num_queries):
    for i in range(12):
        befriend(buyer, tenant_factory(f"朋友公司{i}"))
    client = buyer.client("sales")  # record rules apply to the CRM links
    client.get(reverse("network:friends"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network:friends"))
    assert response.content.decode().count("<tr data-company-id=") == 12


# --- visitor records -----------------------------------------------------------------------------
def test_visitors_pages_and_make_lead(supplier, buyer, tenant_factory):
    buyer.client().get(reverse("network:profile", args=[supplier.company.pk]))
    lurker = tenant_factory("潜水公司").client()
    lurker.post(reverse("network:anonymous_toggle"), {"anonymous": "1"})
    lurker.get(reverse("network:profile", args=[supplier.company.pk]))

    html = supplier.client().get(reverse("network:visitors")).content.decode()
    assert "北京优采贸易有限公司" in html
    assert "潜水公司" not in html
    assert "sy-anonymous" in html
    visited = buyer.client().get(reverse("network:visitors") + "?tab=visited").content.decode()
    assert "华东精密机械有限公司" in visited

    visit = Visit.objects.get(viewer_company=buyer.company)
    response = supplier.client("sales").post(reverse("network:visitor_lead", args=[visit.pk]))
    lead = Customer.objects.get(company=supplier.company, platform_company=buyer.company)
    assert lead.stage == "lead"
    assert response.status_code == 302
    assert response.url == reverse("contacts:customer_detail", args=[lead.pk])

    anonymous = Visit.objects.get(viewer_company__isnull=True)
    response = supplier.client().post(
        reverse("network:visitor_lead", args=[anonymous.pk]),
        headers={"Referer": "http://testserver" + reverse("network:visitors")},
        follow=True,
    )
    assert "alert-danger" in response.content.decode()


def test_other_companies_visits_are_not_found(supplier, buyer, tenant_factory):
    buyer.client().get(reverse("network:profile", args=[supplier.company.pk]))
    visit = Visit.objects.get()
    # the viewer is not the owner of the visit record, nor is anyone else
    for client in (buyer.client(), tenant_factory("第三方").client()):
        assert client.post(reverse("network:visitor_lead", args=[visit.pk])).status_code == 404


def test_visitors_page_has_no_n_plus_one(tenant_factory, supplier, django_assert_max_num_queries):
    for i in range(12):
        viewer = tenant_factory(f"访客公司{i}")
        services.visit_record(actor=viewer.actor(), target_company_id=supplier.company.pk)
        if i % 2:
            services.crm_record_for(company=supplier.company, other=viewer.company)
    client = supplier.client()
    client.get(reverse("network:visitors"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network:visitors"))
    assert response.content.decode().count("访客公司") >= 12


# --- messages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["owner", "sales", "readonly"])
def test_inbox_and_conversation_render_for_every_role(supplier, buyer, role):
    conversation = converse(buyer, supplier)
    client = supplier.client(role)
    inbox = client.get(reverse("network:inbox"))
    assert inbox.status_code == 200
    assert "北京优采贸易有限公司" in inbox.content.decode()
    page = client.get(reverse("network:conversation", args=[conversation.pk]))
    assert page.status_code == 200
    assert "请报价" in page.content.decode()
    assert ('id="message-form"' in page.content.decode()) is (role != "readonly")


def test_unread_badge_and_bold_inbox_until_read(supplier, buyer):
    conversation = converse(buyer, supplier)
    client = supplier.client()
    badge = client.get(reverse("network:unread_badge"), headers=HTMX)
    assert 'id="unread-count"' in badge.content.decode()
    assert "sy-unread" in client.get(reverse("network:inbox")).content.decode()
    client.get(reverse("network:conversation", args=[conversation.pk]))
    assert "sy-unread" not in client.get(reverse("network:inbox")).content.decode()
    badge = client.get(reverse("network:unread_badge"), headers=HTMX)
    assert badge.content.decode().strip() == ""


def test_send_by_htmx_and_poll_for_new_messages(supplier, buyer):
    conversation = converse(buyer, supplier)
    first = Message.objects.get()
    response = supplier.client().post(
        reverse("network:message_send", args=[conversation.pk]),
        {"body": "已报价，请查收", "after": first.pk},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已报价，请查收" in html and 'hx-swap-oob="beforeend:#message-list"' in html
    reply = Message.objects.latest("id")
    assert f"after={reply.pk}" in html  # the poller moves on

    poll = buyer.client().get(
        reverse("network:conversation_poll", args=[conversation.pk]), {"after": first.pk}
    )
    assert "已报价，请查收" in poll.content.decode()
    nothing_new = buyer.client().get(
        reverse("network:conversation_poll", args=[conversation.pk]), {"after": reply.pk}
    )
    assert "sy-message" not in nothing_new.content.decode()
    assert selectors.unread_count(actor=buyer.actor()) == 0  # the poll marked it read


def test_send_with_attachment_and_download(supplier, buyer, tenant_factory):
    conversation = converse(buyer, supplier)
    upload = SimpleUploadedFile("规格书.txt", b"spec sheet")
    response = buyer.client().post(
        reverse("network:message_send", args=[conversation.pk]), {"body": "", "attachment": upload}
    )
    assert response.status_code == 302
    message = Message.objects.latest("id")
    assert message.attachment_name == "规格书.txt"
    url = reverse("network:attachment", args=[message.pk])
    download = supplier.client().get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"spec sheet"
    assert tenant_factory("第三方").client().get(url).status_code == 404


def test_readonly_users_cannot_send(supplier, buyer):
    conversation = converse(buyer, supplier)
    response = supplier.client("readonly").post(
        reverse("network:message_send", args=[conversation.pk]), {"body": "hi"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#messages"  # shown as an error message
    assert Message.objects.count() == 1
    response = supplier.client("readonly").post(
        reverse("network:conversation_new") + f"?company={buyer.company.pk}", {"body": "hi"}
    )
    assert response.status_code == 200 and Message.objects.count() == 1


def test_empty_message_is_refused(supplier, buyer):
    conversation = converse(buyer, supplier)
    response = supplier.client().post(
        reverse("network:message_send", args=[conversation.pk]), {"body": "  "}, headers=HTMX
    )
    assert response.headers["HX-Retarget"] == "#messages"
    assert Message.objects.count() == 1


def test_new_conversation_from_a_profile(supplier, buyer):
    url = reverse("network:conversation_new") + f"?company={supplier.company.pk}"
    assert buyer.client().get(url).status_code == 200
    response = buyer.client().post(url, {"subject": "询价", "body": "你好"})
    conversation = selectors.conversation_list(actor=buyer.actor()).get()
    assert response.url == reverse("network:conversation", args=[conversation.pk])
    profile = buyer.client().get(reverse("network:profile", args=[supplier.company.pk]))
    assert reverse("network:conversation", args=[conversation.pk]) in profile.content.decode()


def test_message_audience_refusal_shows_on_the_form(supplier, buyer, english):
    services.profile_update(actor=supplier.actor(), data={"message_audience": Audience.FRIENDS})
    url = reverse("network:conversation_new") + f"?company={supplier.company.pk}"
    response = buyer.client().post(url, {"body": "你好"})
    assert response.status_code == 200
    assert "only from business friends" in response.content.decode()


def test_other_companies_conversations_are_not_found(supplier, buyer, tenant_factory):
    conversation = converse(buyer, supplier)
    outsider = tenant_factory("第三方").client()
    for name in ("conversation", "conversation_poll"):
        assert outsider.get(reverse(f"network:{name}", args=[conversation.pk])).status_code == 404
    response = outsider.post(
        reverse("network:message_send", args=[conversation.pk]), {"body": "spam"}
    )
    assert response.status_code == 404
    assert Message.objects.count() == 1


def test_inbox_has_no_n_plus_one(tenant_factory, supplier, django_assert_max_num_queries):
    for i in range(12):
        converse(tenant_factory(f"来信公司{i}"), supplier, body=f"第{i}封")
    client = supplier.client()
    client.get(reverse("network:inbox"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("network:inbox"))
    html = response.content.decode()
    assert html.count("来信公司") == 12 and "第11封" in html


# --- block and report ----------------------------------------------------------------------------
def test_block_and_report(supplier, buyer):
    client = supplier.client()
    response = client.post(reverse("network:block"), {"company_id": buyer.company.pk})
    assert response.status_code == 302
    assert Block.objects.filter(blocker=supplier.company, blocked=buyer.company).exists()
    assert "华东精密机械有限公司" not in search(buyer.client())
    client.post(reverse("network:block"), {"company_id": buyer.company.pk, "blocked": "0"})
    assert not Block.objects.exists()
    client.post(reverse("network:report"), {"company_id": buyer.company.pk, "reason": "骚扰"})
    assert Report.objects.get().reason == "骚扰"


def test_only_admins_block(supplier, buyer):
    supplier.client("sales").post(reverse("network:block"), {"company_id": buyer.company.pk})
    assert not Block.objects.exists()


def test_navbar_links_the_network_pages(supplier):
    html = supplier.client().get(reverse("network:directory")).content.decode()
    for name in ("directory", "friends", "visitors", "inbox", "profile_edit", "unread_badge"):
        assert reverse(f"network:{name}") in html
    sales = supplier.client("sales").get(reverse("network:directory")).content.decode()
    assert reverse("network:profile_edit") not in sales
