"""The customer list's members, grades, tags and segments, kept in the cache between requests
(`core.lookups`, `contacts.selectors.list_lookups`): read once, read again after any change, and
never another company's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shangyou.accounts.services import membership_update
from shangyou.contacts import grading, segments, services
from shangyou.contacts.models import Tag
from shangyou.core import lookups
from shangyou.core.models import TrashItem
from shangyou.core.services import trash_restore

LOOKUP_TABLES = (  # members, grades, tags (not a row's tags, joined) and segments
    '"accounts_user"."full_name" AS "user__full_name"',
    'FROM "contacts_grade"',
    'FROM "contacts_tag" WHERE',
    'FROM "contacts_segment"',
)


def _list(client, **params) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/customers/", params)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _lookup_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if any(t in s for t in LOOKUP_TABLES)]


def test_the_lists_are_read_once_then_from_the_cache(tenant):
    grading.grade_create(actor=tenant.actor(), data={"code": "VIP", "name": "VIP 客户", "rank": 1})
    services.tag_get_or_create(actor=tenant.actor(), name="展会")
    client = tenant.client()
    first, statements = _list(client)
    assert len(_lookup_reads(statements)) == 4
    second, cached = _list(client)
    assert _lookup_reads(cached) == []
    assert len(cached) == len(statements) - 4
    for page in (first, second):
        assert "VIP 客户" in page and "展会" in page and "Sales co" in page


def test_each_change_is_shown_on_the_next_request(tenant):
    actor = tenant.actor()
    client = tenant.client()
    _list(client)  # cached

    tag = services.tag_get_or_create(actor=actor, name="老客户")
    page, _ = _list(client)
    assert "老客户" in page

    grade = grading.grade_create(actor=actor, data={"code": "A", "name": "A 类", "rank": 2})
    _list(client)
    grading.grade_update(actor=actor, grade=grade, data={"name": "甲类"}, version=grade.version)
    page, _ = _list(client)
    assert "甲类" in page and "A 类" not in page

    services.tag_delete(actor=actor, tag=tag)
    page, _ = _list(client)
    assert "老客户" not in page
    item = TrashItem.objects.get(company=tenant.company, object_id=tag.pk)
    trash_restore(actor=actor, item_id=item.pk)
    page, _ = _list(client)
    assert "老客户" in page

    sales = tenant.user("sales")
    sales.full_name = "王小明"
    sales.save()
    page, _ = _list(client)
    assert "王小明" in page

    membership_update(actor=actor, membership=tenant.memberships["sales"], is_active=False)
    page, _ = _list(client)
    assert "王小明" not in page


def test_segments_shared_or_own_only(tenant):
    owner_client, sales_client = tenant.client(), tenant.client("sales")
    _list(owner_client)
    _list(sales_client)
    sales = tenant.actor("sales")
    segments.segment_create(
        actor=sales, name="我的华东客户", filters={"province": "上海"}, is_shared=False
    )
    segments.segment_create(
        actor=sales, name="全员重点客户", filters={"stage": "customer"}, is_shared=True
    )
    owner_page, _ = _list(owner_client)
    sales_page, _ = _list(sales_client)
    assert "全员重点客户" in owner_page and "全员重点客户" in sales_page
    assert "我的华东客户" in sales_page
    assert "我的华东客户" not in owner_page  # another user's private segment, cached or not


def test_another_company_never_sees_our_lists(tenant, other_tenant):
    services.tag_get_or_create(actor=tenant.actor(), name="甲的标签")
    ours, _ = _list(tenant.client())
    theirs, _ = _list(other_tenant.client())
    again, _ = _list(other_tenant.client())
    assert "甲的标签" in ours
    assert "甲的标签" not in theirs and "甲的标签" not in again
    assert "Sales co" in theirs and tenant.user("sales").full_name not in theirs


def test_a_read_overtaken_by_a_change_is_not_used(db):
    """A request reads the rows, a change commits before it stores them: the stored copy is
    under the old version, so the next request reads again."""
    loads = []

    def load_racing_a_change():
        loads.append(1)
        if len(loads) == 1:
            lookups.changed(42)  # committed while this request was reading
        return len(loads)

    assert lookups.cached(42, "demo", load_racing_a_change) == 1
    assert lookups.cached(42, "demo", load_racing_a_change) == 2  # read again
    assert lookups.cached(42, "demo", load_racing_a_change) == 2  # now from the cache


def test_a_change_renews_the_version_after_the_commit(db, django_capture_on_commit_callbacks):
    """Between the change and its commit a request may store the old rows under the new
    version; the version set after the commit makes them unused."""
    calls = []
    lookups.cached(7, "demo", lambda: calls.append(1) or "old")
    with django_capture_on_commit_callbacks(execute=True):
        lookups.changed(7)
        assert lookups.cached(7, "demo", lambda: calls.append(1) or "old") == "old"  # stored
    assert lookups.cached(7, "demo", lambda: calls.append(1) or "new") == "new"
    assert len(calls) == 3


@pytest.mark.parametrize("login", [False, True])
def test_a_login_changes_nothing(tenant, login):
    """Saving `last_login` (every sign-in) keeps the company's lists."""
    from django.contrib.auth.signals import user_logged_in

    client = tenant.client()
    _list(client)
    user = tenant.user("sales")
    if login:
        user_logged_in.send(sender=type(user), request=None, user=user)
    else:
        user.save(update_fields=["last_login"])
    _, statements = _list(client)
    assert _lookup_reads(statements) == []


def test_tag_model_is_tracked():
    assert Tag in lookups._tracked


def test_a_new_member_is_offered_at_once(tenant):
    from shangyou.accounts.models import Membership, Role, User
    from shangyou.accounts.selectors import member_choices

    actor = tenant.actor()
    before = member_choices(actor=actor)
    user = User.objects.create_user("new@co.test", "x" * 12, full_name="新同事")
    Membership.objects.create(company=tenant.company, user=user, role=Role.SALES)
    after = member_choices(actor=actor)
    assert (user.pk, "新同事") in after and (user.pk, "新同事") not in before


def test_signed_in_pages_read_the_session_from_the_cache(tenant):
    client = tenant.client()
    _, statements = _list(client)
    assert not [s for s in statements if "django_session" in s]
    from django.core.cache import cache

    cache.clear()  # lost by the cache: read from the database, still signed in
    page, statements = _list(client)
    assert [s for s in statements if "django_session" in s]
    assert "Sales co" in page
