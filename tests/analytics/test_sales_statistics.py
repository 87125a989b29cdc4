"""Business statistics (S5): each grouping with known numbers, record rules, tenancy, the page
in both languages, CSV and the API."""

from datetime import date
from decimal import Decimal

import pytest

from shangyou.analytics import selectors
from shangyou.catalog.services import product_create
from shangyou.contacts.models import Customer, Grade
from shangyou.orders.models import SalesOrder
from shangyou.orders.services import LineInput, order_create
from tests.contacts.factories import CustomerFactory

RANGE = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}


def line(product, quantity, price) -> LineInput:
    return LineInput(
        description=product.name,
        product_id=product.pk,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
    )


@pytest.fixture
def sales(tenant, other_tenant, django_capture_on_commit_callbacks):
    """Orders of 2025 in company A: sales (team A) and sales_b (team B) each own a customer.
    (The statistics' rollups are refreshed when the orders' transactions commit.)"""
    with django_capture_on_commit_callbacks(execute=True):
        return _sales(tenant, other_tenant)


def _sales(tenant, other_tenant):
    owner = tenant.actor("owner")
    gold = Grade.objects.create(company=tenant.company, code="A", name="金牌", rank=1)
    mine = CustomerFactory(
        actor=tenant.actor("sales"), name="上海恒通", province="上海", city="上海"
    )
    theirs = CustomerFactory(
        actor=tenant.actor("sales_b"), name="杭州宏达", province="浙江", city="杭州"
    )
    Customer.objects.filter(pk=mine.pk).update(grade=gold)
    mine.refresh_from_db()
    valve = product_create(actor=owner, data={"sku": "V-1", "name": "阀门"})
    pump = product_create(actor=owner, data={"sku": "P-1", "name": "水泵"})

    def make(customer, day, lines, status=SalesOrder.Status.CONFIRMED, **fields):
        return order_create(
            actor=owner, customer=customer, lines=lines, status=status, order_date=day, **fields
        )

    make(mine, date(2025, 1, 10), [line(valve, 2, "100.00"), line(pump, 1, "50.00")])  # 250
    make(mine, date(2025, 1, 20), [line(valve, 1, "100.00")], status="completed")  # 100
    make(theirs, date(2025, 3, 5), [line(pump, 4, "50.00")], status="shipped")  # 200
    make(theirs, date(2025, 3, 6), [line(pump, 1, "10.00")], currency="USD")  # USD 10
    make(mine, date(2025, 2, 1), [line(valve, 9, "100.00")], status="draft")  # not counted
    make(mine, date(2025, 2, 2), [line(valve, 9, "100.00")], status="cancelled")  # not counted
    make(mine, date(2024, 12, 31), [line(valve, 9, "100.00")])  # outside the range
    # Another company's sales are never counted.
    other = other_tenant.actor("owner")
    stranger = CustomerFactory(actor=other, name="乙方客户", province="上海", city="上海")
    order_create(
        actor=other,
        customer=stranger,
        lines=[LineInput(description="x", quantity=Decimal(1), unit_price=Decimal(999))],
        status="confirmed",
        order_date=date(2025, 1, 15),
    )
    return {"mine": mine, "theirs": theirs, "valve": valve, "pump": pump, "gold": gold}


def table(rows) -> dict:
    return {(r.label, r.currency): (r.orders, r.amount) for r in rows}


def test_sales_by_month_count_only_confirmed_to_completed_orders_in_the_range(tenant, sales):
    rows = selectors.sales_statistics(actor=tenant.actor("owner"), group_by="period", **RANGE)
    assert table(rows) == {
        ("2025-01", "CNY"): (2, Decimal("350.00")),
        ("2025-03", "CNY"): (1, Decimal("200.00")),
        ("2025-03", "USD"): (1, Decimal("10.00")),
    }


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("year", {("2025", "CNY"): (3, Decimal("550.00"))}),
        ("quarter", {("2025 Q1", "CNY"): (3, Decimal("550.00"))}),
        ("day", {("2025-01-10", "CNY"): (1, Decimal("250.00")),
                 ("2025-01-20", "CNY"): (1, Decimal("100.00")),
                 ("2025-03-05", "CNY"): (1, Decimal("200.00"))}),
        ("week", {("2025-W02", "CNY"): (1, Decimal("250.00")),
                  ("2025-W04", "CNY"): (1, Decimal("100.00")),
                  ("2025-W10", "CNY"): (1, Decimal("200.00"))}),
    ],
)  # fmt: skip
def test_sales_by_every_interval(tenant, sales, interval, expected):
    rows = selectors.sales_statistics(
        actor=tenant.actor("owner"), group_by="period", interval=interval, **RANGE
    )
    assert {k: v for k, v in table(rows).items() if k[1] == "CNY"} == expected


def test_sales_by_salesperson(tenant, sales):
    rows = selectors.sales_statistics(actor=tenant.actor("owner"), group_by="owner", **RANGE)
    sales_a, sales_b = tenant.user("sales"), tenant.user("sales_b")
    assert {(r.key, r.label, r.currency): (r.orders, r.amount) for r in rows} == {
        (str(sales_a.pk), sales_a.full_name, "CNY"): (2, Decimal("350.00")),
        (str(sales_b.pk), sales_b.full_name, "CNY"): (1, Decimal("200.00")),
        (str(sales_b.pk), sales_b.full_name, "USD"): (1, Decimal("10.00")),
    }


def test_sales_by_product_sum_lines_and_quantities(tenant, sales):
    rows = selectors.sales_statistics(actor=tenant.actor("owner"), group_by="product", **RANGE)
    by = {(r.label, r.currency): (r.orders, r.amount, r.quantity) for r in rows}
    assert by[("阀门", "CNY")] == (2, Decimal("300.00"), Decimal("3.000"))
    assert by[("水泵", "CNY")] == (2, Decimal("250.00"), Decimal("5.000"))
    assert by[("水泵", "USD")] == (1, Decimal("10.00"), Decimal("1.000"))
    assert rows[0].label == "阀门"  # biggest first


def test_sales_by_grade_and_region(tenant, sales):
    actor = tenant.actor("owner")
    grades = table(selectors.sales_statistics(actor=actor, group_by="grade", **RANGE))
    assert grades[("金牌", "CNY")] == (2, Decimal("350.00"))
    assert grades[("No grade", "CNY")] == (1, Decimal("200.00"))
    regions = selectors.sales_statistics(actor=actor, group_by="region", **RANGE)
    assert table(regions)[("上海", "CNY")] == (2, Decimal("350.00"))
    assert table(regions)[("浙江 杭州", "CNY")] == (1, Decimal("200.00"))
    provinces = table(selectors.region_by_province(regions))
    assert provinces[("浙江", "CNY")] == (1, Decimal("200.00"))


def test_a_salesperson_sees_only_their_own_sales_and_a_manager_their_teams(tenant, sales):
    mine = selectors.sales_totals(actor=tenant.actor("sales"), **RANGE)
    assert [(t.currency, t.orders, t.amount) for t in mine] == [("CNY", 2, Decimal("350.00"))]
    team = selectors.sales_totals(actor=tenant.actor("manager"), **RANGE)
    assert [(t.currency, t.amount) for t in team] == [("CNY", Decimal("350.00"))]
    everyone = selectors.sales_totals(actor=tenant.actor("owner"), **RANGE)
    assert [(t.currency, t.amount) for t in everyone] == [
        ("CNY", Decimal("550.00")),
        ("USD", Decimal("10.00")),
    ]
    by_owner = selectors.sales_totals(
        actor=tenant.actor("owner"), owner_id=tenant.user("sales_b").pk, **RANGE
    )
    assert [(t.currency, t.amount) for t in by_owner] == [
        ("CNY", Decimal("200.00")),
        ("USD", Decimal("10.00")),
    ]


def test_another_companys_orders_are_never_counted(other_tenant, sales):
    totals = selectors.sales_totals(actor=other_tenant.actor("owner"), **RANGE)
    assert [(t.currency, t.orders, t.amount) for t in totals] == [("CNY", 1, Decimal("999.00"))]


def test_unknown_grouping_or_reversed_dates_are_refused(tenant):
    from shangyou.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        selectors.sales_statistics(actor=tenant.actor("owner"), group_by="colour")
    with pytest.raises(ValidationFailed):
        selectors.sales_totals(
            actor=tenant.actor("owner"), date_from=date(2025, 2, 1), date_to=date(2025, 1, 1)
        )


# --- page, CSV, API -------------------------------------------------------------------------------
QUERY = "?from=2025-01-01&to=2025-12-31"


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "销售"), ("en", "Sales statistics")])
def test_the_page_shows_charts_and_tables_in_both_languages(
    tenant, sales, django_assert_max_num_queries, language, title
):
    client = tenant.client("owner")
    client.get("/analytics/sales/")  # warm the session and caches
    with django_assert_max_num_queries(20):
        response = client.get("/analytics/sales/" + QUERY, headers={"accept-language": language})
    html = response.content.decode()
    assert response.status_code == 200
    assert title in html
    for key in ("period", "owner", "product", "grade", "region"):
        assert f'id="stats-{key}"' in html
        assert f'id="chart-{key}-data"' in html
    assert 'data-echarts-option-id="chart-period-data"' in html
    assert "echarts.min.js" in html
    assert "550.00" in html and "10.00" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")


def test_a_salespersons_page_has_no_owner_filter_and_only_their_numbers(tenant, sales):
    html = tenant.client("sales").get("/analytics/sales/" + QUERY).content.decode()
    assert 'id="stats-owner-filter"' not in html
    assert "350.00" in html and "550.00" not in html


def test_each_table_downloads_as_csv(tenant, sales):
    client = tenant.client("owner")
    response = client.get("/analytics/sales/export.csv" + QUERY + "&table=product")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Product,SKU,Quantity,Currency,Orders,Amount"
    assert "阀门,V-1,3.000,CNY,2,300.00" in text
    for key in ("period", "owner", "grade", "region"):
        assert client.get(f"/analytics/sales/export.csv{QUERY}&table={key}").status_code == 200
    assert client.get("/analytics/sales/export.csv?table=colour").status_code == 400


def test_the_api_groups_sales(tenant, sales, other_tenant):
    api = tenant.api("owner")
    body = api.get("/api/v1/analytics/sales" + QUERY + "&group_by=period&interval=quarter").json()
    assert body["group_by"] == "period" and body["from"] == "2025-01-01"
    assert {(r["label"], r["currency"], r["amount"]) for r in body["rows"]} == {
        ("2025 Q1", "CNY", "550.00"),
        ("2025 Q1", "USD", "10.00"),
    }
    assert {t["currency"]: t["amount"] for t in body["totals"]} == {"CNY": "550.00", "USD": "10.00"}
    products = api.get("/api/v1/analytics/sales" + QUERY + "&group_by=product").json()
    assert products["rows"][0]["label"] == "阀门"
    mine = tenant.api("sales").get("/api/v1/analytics/sales" + QUERY + "&group_by=owner").json()
    assert [r["amount"] for r in mine["rows"]] == ["350.00"]
    bad = api.get("/api/v1/analytics/sales?group_by=colour")
    assert bad.status_code == 422
    other = other_tenant.api("owner").get("/api/v1/analytics/sales" + QUERY).json()
    assert [t["amount"] for t in other["totals"]] == ["999.00"]
