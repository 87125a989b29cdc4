import pytest
from django.core.cache import cache

from shangyou.accounts.services import company_create
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.services import customer_create
from shangyou.core.errors import Conflict, PermissionDenied, RateLimited
from shangyou.network import selectors, services
from shangyou.network.models import Audience, Friendship, Visit


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
    return tenant_factory("北京优采贸易有限公司", member_type="buyer")


def test_directory_finds_companies_by_pinyin_initials_and_products(supplier, buyer):
    for q in ("华东", "huadong", "hdjm", "轴承", "jingmi"):
        names = [p.company.name for p in selectors.directory_search(actor=buyer.actor(), q=q)]
        assert names == ["华东精密机械有限公司"], q
    suppliers = selectors.directory_search(actor=buyer.actor(), member_type="supplier")
    assert [p.company.name for p in suppliers] == ["华东精密机械有限公司"]


def test_directory_never_shows_private_crm_data(supplier, buyer):
    customer_create(actor=supplier.actor(), data={"name": "秘密客户张三", "phone": "13800001111"})
    assert not selectors.directory_search(actor=buyer.actor(), q="秘密客户").exists()
    assert not selectors.directory_search(actor=buyer.actor(), q="13800001111").exists()
    response = buyer.api().get("/api/v1/directory?q=秘密客户")
    assert response.json()["count"] == 0


def test_contact_details_follow_the_visibility_setting(supplier, buyer):
    profile = selectors.profile_get(actor=buyer.actor(), company_id=supplier.company.pk)
    assert not selectors.contact_details_visible(actor=buyer.actor(), profile=profile)
    data = buyer.api().get(f"/api/v1/profiles/{supplier.company.pk}").json()
    assert data["phone"] == "" and data["contact_visible"] is False
    friendship = services.friend_request(actor=buyer.actor(), company_id=supplier.company.pk)
    services.friend_answer(actor=supplier.actor(), friendship=friendship, accept=True)
    data = buyer.api().get(f"/api/v1/profiles/{supplier.company.pk}").json()
    assert data["phone"] == "0512-6666 8888"


def test_friendship_links_both_crms_and_timelines(supplier, buyer):
    existing = customer_create(actor=supplier.actor(), data={"name": "北京优采贸易"})
    friendship = services.friend_request(
        actor=buyer.actor(), company_id=supplier.company.pk, message="你好"
    )
    assert friendship.status == Friendship.Status.PENDING
    with pytest.raises(Conflict):
        services.friend_request(actor=buyer.actor(), company_id=supplier.company.pk)
    services.friend_answer(actor=supplier.actor(), friendship=friendship, accept=True)
    existing.refresh_from_db()
    assert existing.platform_company_id == buyer.company.pk  # linked, not duplicated
    in_buyer = Customer.objects.get(company=buyer.company, platform_company=supplier.company)
    assert in_buyer.is_supplier and in_buyer.source == "platform"
    for record in (existing, in_buyer):
        assert (
            TimelineEntry.objects.filter(customer=record, subject__contains="friends").exists()
            or TimelineEntry.objects.filter(customer=record, kind="system").exists()
        )
    assert [f.other(buyer.company.pk).pk for f in selectors.friend_list(actor=buyer.actor())] == [
        supplier.company.pk
    ]


def test_friend_requests_without_approval_are_accepted_at_once(supplier, buyer):
    services.profile_update(actor=supplier.actor(), data={"friend_approval": False})
    friendship = services.friend_request(actor=buyer.actor(), company_id=supplier.company.pk)
    assert friendship.status == Friendship.Status.ACCEPTED


def test_visits_fold_per_day_and_anonymous_views_are_not_named(supplier, buyer, tenant_factory):
    for _ in range(3):
        buyer.api().get(f"/api/v1/profiles/{supplier.company.pk}")
    tenant_factory("匿名公司").api().get(f"/api/v1/profiles/{supplier.company.pk}?anonymous=true")
    visits = list(selectors.visitors(actor=supplier.actor()).order_by("viewer_key"))
    assert [(v.viewer_company_id, v.count) for v in visits] == [(None, 1), (buyer.company.pk, 3)]
    listed = supplier.api().get("/api/v1/visitors").json()["items"]
    assert {v["company_name"] for v in listed} == {None, "北京优采贸易有限公司"}
    visited = buyer.api().get("/api/v1/visited").json()["items"]
    assert visited[0]["company_name"] == "华东精密机械有限公司"
    lead = supplier.api().post(f"/api/v1/visitors/{visits[1].pk}/lead")
    assert lead.status_code == 201 and lead.json()["stage"] == "lead"
    assert (
        Customer.objects.get(company=supplier.company, platform_company=buyer.company).stage
        == "lead"
    )
    assert supplier.api().post(f"/api/v1/visitors/{visits[0].pk}/lead").status_code == 422
    assert (
        Visit.objects.filter(viewer_company=supplier.company).count() == 0
    )  # own views don't count


def test_a_visit_is_one_statement_whether_or_not_it_is_the_first_of_the_day(supplier, buyer):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    target = supplier.company.pk
    for _ in range(3):
        with CaptureQueriesContext(connection) as run:
            services.visit_record(actor=buyer.actor(), target_company_id=target)
        assert len(run.captured_queries) == 1
    visit = Visit.objects.get(target_company_id=target, viewer_key=buyer.company.pk)
    assert visit.count == 3 and visit.viewer_user_id == buyer.user().pk
    assert visit.first_at < visit.last_at and visit.day == timezone.localdate()
    # yesterday's row is left alone: today's view starts a new one
    Visit.objects.filter(pk=visit.pk).update(day=visit.day - timedelta(days=1))
    services.visit_record(
        actor=buyer.actor(), target_company_id=target, kind="product", target_id=7
    )
    services.visit_record(actor=buyer.actor(), target_company_id=target)
    rows = Visit.objects.filter(target_company_id=target).order_by("day", "target_kind")
    assert [(v.day == visit.day, v.target_kind, v.target_id, v.count) for v in rows] == [
        (False, "profile", 0, 3),
        (True, "product", 7, 1),
        (True, "profile", 0, 1),
    ]


def test_messages_land_on_the_customers_timeline_and_count_unread(supplier, buyer):
    record = customer_create(actor=supplier.actor(), data={"name": "北京优采贸易有限公司"})
    services.crm_record_for(company=supplier.company, other=buyer.company)
    record.refresh_from_db()
    conversation = services.conversation_start(
        actor=buyer.actor(),
        company_id=supplier.company.pk,
        subject="询价：数控机床",
        body="请报价 10 台",
    )
    assert selectors.unread_count(actor=supplier.actor()) == 1
    assert selectors.unread_count(actor=buyer.actor()) == 0
    entry = TimelineEntry.objects.get(customer=record, kind="message")
    assert entry.body == "请报价 10 台"
    api = supplier.api()
    messages = api.get(f"/api/v1/conversations/{conversation.pk}/messages").json()["items"]
    assert [m["body"] for m in messages] == ["请报价 10 台"]
    assert selectors.unread_count(actor=supplier.actor()) == 0
    reply = api.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "已报价，请查收"}
    )
    assert reply.status_code == 201
    newer = (
        buyer.api()
        .get(f"/api/v1/conversations/{conversation.pk}/messages?after={messages[0]['id']}")
        .json()["items"]
    )
    assert [m["body"] for m in newer] == ["已报价，请查收"]


def test_only_the_two_parties_see_a_conversation(supplier, buyer, tenant_factory):
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="x", body="hello"
    )
    outsider = tenant_factory("第三方")
    assert (
        outsider.api().get(f"/api/v1/conversations/{conversation.pk}/messages").status_code == 404
    )
    assert (
        outsider.api()
        .post(f"/api/v1/conversations/{conversation.pk}/messages", {"body": "spam"})
        .status_code
        == 404
    )


def test_message_audience_blocks_and_rate_limits(supplier, buyer):
    services.profile_update(actor=supplier.actor(), data={"message_audience": Audience.FRIENDS})
    with pytest.raises(PermissionDenied):
        services.conversation_start(
            actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="hi"
        )
    services.profile_update(actor=supplier.actor(), data={"message_audience": Audience.EVERYONE})
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="hi"
    )
    services.block(actor=supplier.actor(), company_id=buyer.company.pk)
    with pytest.raises(PermissionDenied):
        services.message_send(actor=buyer.actor(), conversation=conversation, body="again")
    assert not selectors.directory_search(actor=buyer.actor(), q="华东").exists()
    services.block(actor=supplier.actor(), company_id=buyer.company.pk, blocked=False)
    cache.clear()
    with pytest.raises(RateLimited):
        for i in range(services.MESSAGES_PER_MINUTE + 1):
            services.message_send(actor=buyer.actor(), conversation=conversation, body=f"m{i}")


def test_registered_companies_get_a_profile(db):
    company = company_create(
        name="杭州新秀电子", owner_email="boss@xinxiu.cn", owner_password="Str0ng-pass-1"
    )
    assert selectors.directory_search(actor=None, q="xinxiu").get().company == company


def test_platform_operator_verifies_a_company(supplier, buyer):
    from django.core.management import call_command

    call_command("company", "verify", "--slug", supplier.company.slug)
    supplier.company.refresh_from_db()
    assert supplier.company.is_verified
    data = buyer.api().get("/api/v1/directory?verified=true").json()
    assert [p["name"] for p in data["items"]] == ["华东精密机械有限公司"]
    with pytest.raises(PermissionDenied):
        services.company_verify(staff_user=buyer.user(), company=buyer.company)
    call_command("company", "verify", "--slug", supplier.company.slug, "--revoke")
    supplier.company.refresh_from_db()
    assert not supplier.company.is_verified


def test_directory_api_reads_friendships_once_per_page(
    supplier, buyer, tenant_factory, django_assert_max_num_queries
):
    for i in range(8):
        t = tenant_factory(f"华东配件{i}厂", member_type="supplier")
        services.profile_update(
            actor=t.actor(), data={"main_products": "轴承", "contact_visibility": Audience.FRIENDS}
        )
    api = buyer.api()
    api.get("/api/v1/directory?q=轴承")  # warm the token's last-used stamp
    with django_assert_max_num_queries(8):
        data = api.get("/api/v1/directory?q=轴承").json()
    assert data["count"] == 9 and not any(p["contact_visible"] for p in data["items"])


def test_friend_ids_follow_each_change_of_a_friendship(supplier, buyer):
    """`friend_company_ids` is cached (the directory reads it on every page): each request,
    answer and removal shows at once, on both sides."""
    assert selectors.friend_company_ids(actor=buyer.actor()) == set()
    assert selectors.friend_company_ids(actor=supplier.actor()) == set()
    friendship = services.friend_request(actor=buyer.actor(), company_id=supplier.company.pk)
    assert selectors.friend_company_ids(actor=buyer.actor()) == set()  # pending
    services.friend_answer(actor=supplier.actor(), friendship=friendship, accept=True)
    assert selectors.friend_company_ids(actor=buyer.actor()) == {supplier.company.pk}
    assert selectors.friend_company_ids(actor=supplier.actor()) == {buyer.company.pk}
    contact = buyer.api().get("/api/v1/directory?q=huadong").json()["items"][0]
    assert contact["contact_visible"]
    services.friend_remove(actor=supplier.actor(), friendship=friendship)
    assert selectors.friend_company_ids(actor=buyer.actor()) == set()
    assert selectors.friend_company_ids(actor=supplier.actor()) == set()
    contact = buyer.api().get("/api/v1/directory?q=huadong").json()["items"][0]
    assert not contact["contact_visible"]


def test_directory_regions_follow_profile_and_company_changes(supplier, buyer):
    """The directory's province/city filter is cached for the platform: a profile's new
    region, a hidden profile and a company switched off show at once."""
    assert selectors.directory_regions() == {"江苏": ["苏州"]}
    services.profile_update(actor=buyer.actor(), data={"province": "北京", "city": "北京"})
    assert selectors.directory_regions() == {"北京": ["北京"], "江苏": ["苏州"]}
    services.profile_update(actor=supplier.actor(), data={"is_public": False})
    assert selectors.directory_regions() == {"北京": ["北京"]}
    buyer.company.is_active = False
    buyer.company.save()
    assert selectors.directory_regions() == {}
