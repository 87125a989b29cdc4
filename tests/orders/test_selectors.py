"""Order list reads: a page and its bounded count in one statement (`order_page`), scoped to the
actor's company and record rules, without the orders in the trash."""

import pytest

from shangyou.core.pagination import bounded_count
from shangyou.orders import selectors, services
from tests.contacts.factories import CustomerFactory

from .factories import make_order

pytestmark = pytest.mark.django_db


def _queries(run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = run()
    return result, len(captured.captured_queries)


@pytest.fixture
def orders(tenant):
    """Five orders of the company (one a draft), newest last; one order of another company."""
    actor = tenant.actor("owner")
    acme = CustomerFactory(actor=actor, name="Acme")
    made = [make_order(actor, customer=acme) for _ in range(3)]
    made.append(make_order(actor, confirm=False))
    made.append(make_order(tenant.actor("sales")))
    return made


def test_a_page_and_its_count_come_from_one_statement(tenant, orders):
    listed = selectors.order_list(actor=tenant.actor("owner"))
    (rows, count), queries = _queries(
        lambda: selectors.order_page(listed, offset=0, limit=2, cap=100)
    )
    assert queries == 1 and count == 5
    assert rows == list(listed[:2]) and rows[0].pk == orders[-1].pk


def test_the_count_stops_past_the_cap(tenant, orders):
    listed = selectors.order_list(actor=tenant.actor("owner"))
    rows, count = selectors.order_page(listed, offset=2, limit=2, cap=3)
    assert count == 4 == bounded_count(listed, cap=3)[0]  # cap + 1: "more than 3"
    assert [o.pk for o in rows] == [o.pk for o in listed[2:4]]


def test_filters_record_rules_and_other_companies(tenant, other_tenant, orders):
    make_order(other_tenant.actor("owner"))
    owner, sales = tenant.actor("owner"), tenant.actor("sales")
    cases = [
        (selectors.order_list(actor=owner), 5),
        (selectors.order_list(actor=owner, view="draft"), 1),
        (selectors.order_list(actor=owner, status="confirmed"), 4),
        (selectors.order_list(actor=owner, customer_id=orders[0].customer_id), 3),
        (selectors.order_list(actor=owner, q=orders[1].number), 1),
        (selectors.order_list(actor=sales), 1),
        (selectors.order_list(actor=owner, sort="-total"), 5),
    ]
    for listed, expected in cases:
        rows, count = selectors.order_page(listed, offset=0, limit=25, cap=100)
        assert count == expected and rows == list(listed)
        assert all(o.company_id == tenant.company.pk for o in rows)


def test_orders_in_the_trash_are_neither_listed_nor_counted(tenant, orders):
    actor = tenant.actor("owner")
    services.order_delete(actor=actor, order=orders[3])  # the draft
    rows, count = selectors.order_page(
        selectors.order_list(actor=actor), offset=0, limit=25, cap=100
    )
    assert count == 4 and orders[3].pk not in {o.pk for o in rows}


def test_past_the_end_and_deep_pages_leave_the_count_to_the_caller(tenant, orders, monkeypatch):
    listed = selectors.order_list(actor=tenant.actor("owner"))
    assert selectors.order_page(listed, offset=10, limit=2, cap=100) == ([], None)
    empty = selectors.order_list(actor=tenant.actor("owner"), view="cancelled")
    assert selectors.order_page(empty, offset=0, limit=2, cap=100) == ([], 0)
    monkeypatch.setattr(selectors, "SHALLOW_OFFSET", 2)  # deep pages read the ids first
    rows, count = selectors.order_page(listed, offset=3, limit=2, cap=100)
    assert count is None and [o.pk for o in rows] == [o.pk for o in listed[3:5]]
