from shangyou.contacts.models import Customer
from shangyou.core.pagination import BoundedPaginator, bounded_count, page_rows


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
