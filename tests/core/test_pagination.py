import time

import pytest

from shangyou.contacts.models import Customer
from shangyou.core.pagination import BoundedPaginator, bounded_count, matches_page, page_rows


def _customers(tenant, n):
    Customer.objects.bulk_create(
        Customer(company=tenant.company, name=f"客户{i:03d}") for i in range(n)
    )
    return Customer.objects.filter(company=tenant.company).order_by("name", "id")


def test_the_count_stops_at_the_cap(tenant):
    customers = _customers(tenant, 30)
    assert bounded_count(customers, cap=10) == (11, False)
    assert bounded_count(customers, cap=100) == (30, True)
    paginator = BoundedPaginator(customers, 5, cap=10)
    assert paginator.count == 11 and paginator.count_is_exact is False
    assert [c.name for c in paginator.get_page(2)] == [f"客户{i:03d}" for i in range(5, 10)]
    # asking for a page past the cap raises the cap, so the page exists
    deep = BoundedPaginator(customers, 5, cap=10, page_hint=5)
    assert [c.name for c in deep.get_page(5)] == [f"客户{i:03d}" for i in range(20, 25)]


def test_a_capped_count_is_remembered_an_exact_one_never(
    tenant, other_tenant, monkeypatch, django_assert_num_queries
):
    from shangyou.core import pagination

    monkeypatch.setattr(pagination, "CAPPED_COUNT_SECONDS", 1)
    customers = _customers(tenant, 12)
    assert bounded_count(customers, cap=10) == (11, False)
    with django_assert_num_queries(0):  # "more than 10": not counted again
        assert bounded_count(customers, cap=10) == (11, False)
        paginator = BoundedPaginator(customers, 5, cap=10)
        assert (paginator.count, paginator.count_is_exact) == (11, False)
    # another cap, another company: other statements, counted
    assert bounded_count(customers, cap=20) == (12, True)
    theirs = Customer.objects.filter(company=other_tenant.company).order_by("name", "id")
    Customer.objects.create(company=other_tenant.company, name="乙客户")
    assert bounded_count(theirs, cap=10) == (1, True)
    # an exact count is always current
    Customer.objects.create(company=other_tenant.company, name="乙客户二")
    assert bounded_count(theirs, cap=10) == (2, True)
    # a list that fell below the cap says "more than" until the memory expires
    Customer.objects.filter(pk__in=list(customers.values_list("pk", flat=True)[:7])).delete()
    assert bounded_count(customers, cap=10) == (11, False)
    time.sleep(1.1)
    assert bounded_count(customers, cap=10) == (5, True)


def test_a_list_that_can_match_nothing_is_counted(tenant, django_assert_num_queries):
    _customers(tenant, 3)
    with django_assert_num_queries(0):
        assert bounded_count(Customer.objects.filter(pk__in=[]), cap=10) == (0, True)


def test_deep_pages_are_fetched_ids_first_in_order(tenant, django_assert_num_queries):
    customers = _customers(tenant, 260)
    with django_assert_num_queries(2):  # the ids, then those rows
        rows = page_rows(customers, 250, 5)
    assert [c.name for c in rows] == [f"客户{i:03d}" for i in range(250, 255)]
    assert [c.name for c in page_rows(customers, 3, 2)] == ["客户003", "客户004"]


def test_the_list_page_says_more_than_when_capped(tenant, monkeypatch, english):
    from shangyou.core import pagination

    _customers(tenant, 60)
    init = pagination.BoundedPaginator.__init__
    monkeypatch.setattr(init, "__kwdefaults__", {**init.__kwdefaults__, "cap": 5})
    page = tenant.client("owner").get("/customers/")
    # 25 a page: the count looks one page past page 1, at most 50 rows
    assert "More than 50 customers" in page.content.decode()


# --- a search paged in one pass over its matches -------------------------------------------------
def _searchable(tenant, n):
    """n customers named 张伟 0…n-1 (each its own update time) plus others the search skips."""
    from datetime import timedelta

    from django.utils import timezone

    from shangyou.contacts.selectors import customer_list

    rows = [Customer(company=tenant.company, name=f"张伟 {i:02d}") for i in range(n)]
    rows.append(Customer(company=tenant.company, name="李娜"))
    for row in rows:
        row.refresh_search()
    Customer.objects.bulk_create(rows)
    now = timezone.now()  # each its own age (in an order of its own: neither name nor id)
    for i, c in enumerate(Customer.objects.filter(company=tenant.company).order_by("id")):
        Customer.objects.filter(pk=c.pk).update(updated_at=now - timedelta(days=(i * 7) % 13))
    return lambda sort: customer_list(actor=tenant.actor("owner"), q="zhangwei", sort=sort)


def test_a_search_page_and_its_count_come_from_one_pass(tenant, django_assert_num_queries):
    search = _searchable(tenant, 12)
    for sort in ("-updated", "updated", "name", "-name"):
        expected = list(search(sort))
        assert len(expected) == 12
        with django_assert_num_queries(2):  # the matches (page + count), then the page's rows
            found = matches_page(search(sort), offset=3, limit=4, cap=100)
        assert found.count == 12 and found.exact
        assert [c.pk for c in found.rows] == [c.pk for c in expected[3:7]], sort
        # the rows are loaded as the list loads them (its select_related), not one by one
        with django_assert_num_queries(0):
            assert [c.owner for c in found.rows]


def test_a_search_with_more_matches_than_the_cap_leaves_the_page_to_the_index(tenant):
    search = _searchable(tenant, 12)
    found = matches_page(search("-updated"), offset=0, limit=4, cap=8)
    assert found.rows is None and found.count == 9 and not found.exact
    assert matches_page(search("-updated"), offset=8, limit=4, cap=8) is None  # past the cap
    past = matches_page(search("-updated"), offset=20, limit=4, cap=100)
    assert past.rows == [] and past.count == 12 and past.exact
    none = matches_page(search("-updated").filter(name="nobody"), offset=0, limit=4, cap=100)
    assert none.rows == [] and none.count == 0 and none.exact


def test_the_api_and_the_list_page_page_a_search_through_its_matches(tenant):
    search = _searchable(tenant, 12)
    expected = [c.pk for c in search("-updated")]
    api = tenant.api("owner")
    first = api.get("/api/v1/customers", {"q": "zhangwei", "limit": 5}).json()
    second = api.get(first["next"]).json()
    assert [c["id"] for c in first["items"] + second["items"]] == expected[:10]
    assert first["count"] == 12 and first["count_is_exact"] is True
    page = BoundedPaginator(search("-updated"), 5, page_hint=3, search=True)
    assert page.count == 12 and [c.pk for c in page.get_page(3)] == expected[10:]
    capped = BoundedPaginator(search("-updated"), 5, cap=10, search=True)
    assert capped.count == 11 and not capped.count_is_exact
    assert [c.pk for c in capped.get_page(1)] == expected[:5]


def test_a_walked_page_is_the_same_page_with_its_prefetches(tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customers = _customers(tenant, 30).select_related(None).prefetch_related("tags")
    expected = [c.name for c in customers[0:10]]
    with CaptureQueriesContext(connection) as run:
        rows = page_rows(customers, 0, 10, walk=True)
    statements = [q["sql"] for q in run.captured_queries]
    settings = [sql for sql in statements if "set_config" in sql or "current_setting" in sql]
    reads = [sql for sql in statements if sql.startswith("SELECT") and sql not in settings]
    assert len(reads) == 2  # the page, then its tags by id
    if connection.vendor == "postgresql":  # read, set, put back
        assert len(settings) == 3 and "'enable_sort', 'off', true" in settings[1]
    assert [c.name for c in rows] == expected
    with CaptureQueriesContext(connection) as again:
        assert all(list(c.tags.all()) == [] for c in rows)  # prefetched
    assert not again.captured_queries
    assert [c.name for c in page_rows(customers, 200, 5, walk=True)] == []  # past the end
    if connection.vendor == "postgresql":  # the settings were for that one statement
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "on"


def test_a_walked_page_joins_its_parents(tenant):
    """The parents a walked page prefetches (plain foreign keys) come in its one statement —
    the walk looks them up for the page's rows only — and the rest by id afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customers = _customers(tenant, 12).select_related(None)
    customers = customers.prefetch_related("company", "owner", "tags")
    with CaptureQueriesContext(connection) as run:
        rows = page_rows(customers, 0, 10, walk=True)
    reads = [
        q["sql"]
        for q in run.captured_queries
        if q["sql"].startswith("SELECT") and "set_config" not in q["sql"]
        and "current_setting" not in q["sql"]
    ]  # fmt: skip
    assert len(reads) == 2  # the page with its company and owner, then the tags
    assert '"accounts_company"' in reads[0] and '"contacts_tag"' in reads[1]
    assert [c.name for c in rows] == [f"客户{i:03d}" for i in range(10)]
    with CaptureQueriesContext(connection) as again:
        assert {c.company.name for c in rows} == {tenant.company.name}
        assert [c.owner for c in rows] == [None] * 10 and all(not c.tags.all() for c in rows)
    assert not again.captured_queries


def test_only_a_capped_search_asks_for_the_walk(tenant, monkeypatch, rf):
    from shangyou.core import pagination
    from shangyou.core.api import paginate

    customers = _customers(tenant, 30)
    walked = []
    real = pagination.page_rows

    def spy(queryset, offset, limit, *, walk=False):
        walked.append(walk)
        return real(queryset, offset, limit, walk=walk)

    monkeypatch.setattr(pagination, "page_rows", spy)
    request = rf.get("/api/v1/x")
    capped = paginate(request, customers, limit=5, search=True, cap=10, walk_when_capped=True)
    assert capped["count_is_exact"] is False and [c.name for c in capped["items"]] == [
        f"客户{i:03d}" for i in range(5)
    ]
    exact = paginate(request, customers, limit=5, search=True, cap=100, walk_when_capped=True)
    assert exact["count"] == 30 and walked == [True]  # the exact one came from its matches
    page = BoundedPaginator(customers, 5, cap=10, search=True, walk_when_capped=True).get_page(1)
    assert [c.name for c in page] == [f"客户{i:03d}" for i in range(5)] and walked == [True, True]


def test_rows_by_id_join_their_parents_and_prefetch_the_rest(tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shangyou.core.pagination import rows_by_ids

    customers = _customers(tenant, 5).prefetch_related("company", "owner", "tags")
    ids = list(customers.values_list("pk", flat=True))[::-1]
    with CaptureQueriesContext(connection) as run:
        rows = rows_by_ids(customers, ids)
    assert [c.pk for c in rows] == ids
    assert len(run.captured_queries) == 2  # rows with company and owner joined, then the tags
    assert '"accounts_company"' in run.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as again:
        assert {c.company.name for c in rows} == {tenant.company.name}
        assert [c.owner for c in rows] == [None] * 5 and all(not c.tags.all() for c in rows)
    assert not again.captured_queries


@pytest.mark.django_db(transaction=True)
def test_a_walk_outside_a_transaction_leaves_the_session_as_it_was(tenant):
    from django.db import connection

    customers = _customers(tenant, 12)
    assert not connection.in_atomic_block
    rows = page_rows(customers, 0, 10, walk=True)
    assert [c.name for c in rows] == [f"客户{i:03d}" for i in range(10)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "on"
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] != "0"


def test_rows_by_id_keep_a_select_related_of_everything(tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shangyou.core.pagination import rows_by_ids

    customers = _customers(tenant, 3).select_related().prefetch_related("company")
    ids = list(customers.values_list("pk", flat=True))
    rows = rows_by_ids(customers, ids)
    with CaptureQueriesContext(connection) as run:
        assert {c.company.name for c in rows} == {tenant.company.name}
        assert all(c.created_by_id is None or c.created_by for c in rows)
    assert not run.captured_queries
