"""The sales statistics come from rollups (analytics.models): they must equal a direct
computation from the orders and lines — for every grouping, interval, date range (whole months,
cut months, one day, open ends) and role — after every write that changes what counts: orders
created, confirmed, cancelled, edited as drafts, imported, deleted and restored; the rebuild
command and the benchmark generator make the same rows; another company's orders never count."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import TestCase

from shangyou.analytics import selectors
from shangyou.analytics.models import (
    OrderSnapshot,
    SalesGradeRollup,
    SalesProductRollup,
    SalesRegionRollup,
    SalesRollup,
)
from shangyou.analytics.services import sales_rollup_rebuild, sales_rollup_refresh
from shangyou.catalog.services import product_create
from shangyou.contacts.models import Customer, Grade
from shangyou.contacts.services import customer_update
from shangyou.core.actor import Role
from shangyou.core.models import TrashItem
from shangyou.core.services import trash_restore
from shangyou.orders.models import SalesOrder
from shangyou.orders.services import (
    LineInput,
    order_cancel,
    order_confirm,
    order_create,
    order_delete,
    order_update,
)
from tests.contacts.factories import CustomerFactory

COUNTED = ("confirmed", "partly_shipped", "shipped", "completed")
ROLES = ("owner", "admin", "manager", "sales", "sales_b", "service", "readonly")
RANGES = [
    (None, None),
    (date(2025, 1, 1), date(2025, 6, 30)),  # whole months
    (date(2025, 1, 15), date(2025, 4, 10)),  # cut months with sales outside the range
    (date(2025, 1, 5), date(2025, 6, 30)),  # cut month without sales outside the range
    (date(2025, 2, 2), date(2025, 2, 20)),  # inside one month
    (date(2025, 2, 15), date(2025, 2, 15)),  # one day
    (date(2025, 2, 1), None),
    (None, date(2025, 3, 15)),
]
TRUNC = {
    "day": lambda d: d,
    "week": lambda d: d - timedelta(days=d.weekday()),
    "month": lambda d: d.replace(day=1),
    "quarter": lambda d: date(d.year, (d.month - 1) // 3 * 3 + 1, 1),
    "year": lambda d: date(d.year, 1, 1),
}
ROLLUP_MODELS = (SalesRollup, SalesGradeRollup, SalesRegionRollup, SalesProductRollup)


# --- the direct computation (Python over the orders, not SQL) ------------------------------------
def _visible(actor, order) -> bool:
    if actor.role == Role.MANAGER:
        return order.owner_id == actor.user_id or (
            actor.team_id is not None and order.team_id == actor.team_id
        )
    if actor.sees_own_records_only:
        return order.owner_id == actor.user_id
    return True


def _orders(company):
    return list(
        SalesOrder.all_objects.filter(company=company)
        .select_related("customer")
        .prefetch_related("lines")
    )


def direct(orders, actor, group_by, *, date_from, date_to, interval="month", owner_id=None):
    out: dict = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for order in orders:
        if order.company_id != actor.company_id or order.deleted_at is not None:
            continue
        if order.status not in COUNTED or not _visible(actor, order):
            continue
        if (date_from and order.order_date < date_from) or (date_to and order.order_date > date_to):
            continue
        if owner_id and order.owner_id != owner_id:
            continue
        if group_by == "product":
            seen = set()
            for line in order.lines.all():
                entry = out[(str(line.product_id or ""), order.currency)]
                entry[0] += line.product_id not in seen
                entry[1] += line.line_total
                entry[2] += line.quantity
                seen.add(line.product_id)
            continue
        customer = order.customer
        region = (
            f"{customer.province}/{customer.city}" if customer.province or customer.city else ""
        )
        key = {
            "period": TRUNC[interval](order.order_date).isoformat(),
            "owner": str(order.owner_id or ""),
            "grade": str(customer.grade_id or ""),
            "region": region,
            "totals": "",
        }[group_by]
        entry = out[(key, order.currency)]
        entry[0] += 1
        entry[1] += order.total
    return {
        k: (
            n,
            amount.quantize(Decimal("0.01")),
            quantity.quantize(Decimal("0.001")) if group_by == "product" else None,
        )
        for k, (n, amount, quantity) in out.items()
    }


def from_rollups(rows) -> dict:
    return {(r.key, r.currency): (r.orders, r.amount, r.quantity) for r in rows}


def mismatches(tenant, *, roles=ROLES, ranges=RANGES) -> list[str]:
    """Every grouping × interval × range × role (and the owner filter), rollups vs direct."""
    orders = _orders(tenant.company)
    problems = []
    for role in roles:
        actor = tenant.actor(role)
        owners = (None, tenant.user("sales_b").pk) if role == "owner" else (None,)
        for date_from, date_to in ranges:
            scope = {"date_from": date_from, "date_to": date_to}
            for owner_id in owners:
                for group_by in selectors.GROUPINGS:
                    for interval in TRUNC if group_by == "period" else ("month",):
                        got = from_rollups(
                            selectors.sales_statistics(
                                actor=actor,
                                group_by=group_by,
                                interval=interval,
                                owner_id=owner_id,
                                **scope,
                            )
                        )
                        want = direct(
                            orders, actor, group_by, interval=interval, owner_id=owner_id, **scope
                        )
                        if got != want:
                            problems.append(
                                f"{role} {group_by}/{interval} {scope} owner={owner_id}: "
                                f"rollups {got} != direct {want}"
                            )
                totals = {
                    ("", t.currency): (t.orders, t.amount, None)
                    for t in selectors.sales_totals(actor=actor, owner_id=owner_id, **scope)
                }
                want = direct(orders, actor, "totals", owner_id=owner_id, **scope)
                if totals != want:
                    problems.append(f"{role} totals {scope}: {totals} != {want}")
    return problems


def rollup_rows(company) -> list[tuple]:
    rows = []
    for model in ROLLUP_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows += sorted(
            (model.__name__, *values)
            for values in model.objects.filter(company=company).values_list(*fields)
        )
    return rows


def line(product, quantity, price) -> LineInput:
    return LineInput(
        description=product.name if product else "安装服务",
        product_id=product.pk if product else None,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
    )


# --- the data -----------------------------------------------------------------------------------
@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the rollup refresh), as a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def shop(tenant, other_tenant, committed):
    """Company A's 2024–2025 sales: four customers (grades, regions, owners in two teams),
    three products and a line without one, CNY and USD, every status, an order with the same
    product twice and one with three products; company B sells on the same days."""
    owner = tenant.actor("owner")
    gold = Grade.objects.create(company=tenant.company, code="A", name="金牌", rank=1)
    silver = Grade.objects.create(company=tenant.company, code="B", name="银牌", rank=2)
    c1 = CustomerFactory(actor=tenant.actor("sales"), name="上海恒通", province="上海", city="上海")
    c2 = CustomerFactory(
        actor=tenant.actor("sales_b"), name="杭州宏达", province="浙江", city="杭州"
    )
    c3 = CustomerFactory(
        actor=tenant.actor("manager"), name="深圳鑫盛", province="广东", city="深圳"
    )
    c4 = CustomerFactory(actor=tenant.actor("sales"), name="无地区客户")
    Customer.objects.filter(pk=c1.pk).update(grade=gold)
    Customer.objects.filter(pk=c2.pk).update(grade=silver)
    valve = product_create(actor=owner, data={"sku": "V-1", "name": "阀门"})
    pump = product_create(actor=owner, data={"sku": "P-1", "name": "水泵"})
    motor = product_create(actor=owner, data={"sku": "M-1", "name": "电机"})
    customers = {c.pk: Customer.objects.get(pk=c.pk) for c in (c1, c2, c3, c4)}

    def make(customer, day, lines, status="confirmed", **fields):
        return order_create(
            actor=owner,
            customer=customers[customer.pk],
            lines=lines,
            status=status,
            order_date=day,
            **fields,
        )

    with committed():
        make(c1, date(2024, 12, 31), [line(valve, 1, "80.00")])
        make(c1, date(2025, 1, 10), [line(valve, 2, "100.00"), line(pump, 1, "50.00"),
                                     line(valve, 3, "99.50")])  # fmt: skip
        make(c2, date(2025, 1, 31), [line(pump, 4, "12.25")], status="completed", currency="USD")
        make(c3, date(2025, 2, 1), [line(motor, 1, "1200.00"), line(None, 1, "300.00")],
             status="shipped")  # fmt: skip
        make(c4, date(2025, 2, 15), [line(valve, 1, "100.00"), line(pump, 2, "50.00"),
                                     line(motor, 1, "1000.00")])  # fmt: skip
        make(c1, date(2025, 2, 15), [line(valve, 50, "100.00")], status="draft")
        make(c2, date(2025, 3, 31), [line(valve, 50, "100.00")], status="cancelled")
        make(c1, date(2025, 4, 1), [line(pump, 3, "48.00")], status="partly_shipped")
        make(c3, date(2025, 4, 20), [line(motor, 1, "170.00")], currency="USD")
        make(c2, date(2025, 6, 30), [line(valve, 7, "101.00")])
        # sales_b's customer, booked to team A: the manager of team A sees it
        make(c2, date(2025, 6, 30), [line(pump, 1, "55.00")], team=tenant.team_a)
        other = other_tenant.actor("owner")
        stranger = CustomerFactory(actor=other, name="乙方客户", province="上海", city="上海")
        for day in (date(2025, 1, 10), date(2025, 2, 15), date(2025, 6, 30)):
            order_create(
                actor=other, customer=stranger, lines=[line(None, 1, "999.00")],
                status="confirmed", order_date=day,
            )  # fmt: skip
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "gold": gold, "silver": silver,
            "valve": valve, "pump": pump, "motor": motor}  # fmt: skip


QUICK = {"roles": ("owner", "manager", "sales"), "ranges": RANGES[:3]}


# --- equality -----------------------------------------------------------------------------------
def test_statistics_from_the_rollups_equal_a_direct_computation(tenant, other_tenant, shop):
    assert mismatches(tenant) == []
    assert mismatches(other_tenant, roles=("owner", "sales")) == []


def test_the_product_grouping_counts_an_order_once_per_product(tenant, shop):
    rows = selectors.sales_statistics(
        actor=tenant.actor("owner"),
        group_by="product",
        date_from=date(2025, 1, 10),
        date_to=date(2025, 1, 10),
    )
    by = {r.label: (r.orders, r.amount, r.quantity) for r in rows}
    assert by == {
        "阀门": (1, Decimal("498.50"), Decimal("5.000")),  # two lines of one order
        "水泵": (1, Decimal("50.00"), Decimal("1.000")),
    }
    totals = selectors.sales_totals(
        actor=tenant.actor("owner"), date_from=date(2025, 2, 15), date_to=date(2025, 2, 15)
    )
    assert [(t.currency, t.orders) for t in totals] == [("CNY", 1)]  # three products, one order


def test_a_month_cut_by_the_range_counts_only_its_days(tenant, shop, committed):
    owner = tenant.actor("owner")
    with committed():
        # a sale after the end of the range, in its month (an order dated ahead)
        order_create(actor=owner, customer=Customer.objects.get(pk=shop["c1"].pk),
                     lines=[line(shop["valve"], 1, "10.00")], status="confirmed",
                     order_date=date(2025, 6, 20))  # fmt: skip
    june = {"date_from": date(2025, 6, 1), "date_to": date(2025, 6, 19)}
    assert selectors.sales_totals(actor=owner, **june) == []
    products = selectors.sales_statistics(actor=owner, group_by="product", **june)
    assert products == []
    whole = selectors.sales_totals(
        actor=owner, date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)
    )
    assert [(t.orders, t.amount) for t in whole] == [(3, Decimal("772.00"))]
    assert mismatches(tenant, ranges=[(date(2025, 5, 3), date(2025, 6, 25))]) == []


def test_another_companys_rollups_are_never_read(tenant, other_tenant, shop):
    theirs = selectors.sales_totals(actor=other_tenant.actor("owner"))
    assert [(t.currency, t.orders, t.amount) for t in theirs] == [("CNY", 3, Decimal("2997.00"))]
    for group_by in selectors.GROUPINGS:
        rows = selectors.sales_statistics(actor=tenant.actor("owner"), group_by=group_by)
        assert "999.00" not in {str(r.amount) for r in rows}
    assert not SalesProductRollup.objects.filter(
        company=other_tenant.company, product_id__in=[shop["valve"].pk, shop["pump"].pk]
    ).exists()


def test_a_salesperson_sees_only_their_own_figures_in_every_grouping(tenant, shop):
    sales = tenant.actor("sales")
    c1, c4 = shop["c1"].pk, shop["c4"].pk
    mine = SalesOrder.objects.filter(customer_id__in=[c1, c4], status__in=COUNTED)
    expected = sum(o.total for o in mine)
    for group_by in selectors.GROUPINGS:
        for date_from, date_to in RANGES[:1] + RANGES[2:3]:
            rows = selectors.sales_statistics(
                actor=sales, group_by=group_by, date_from=date_from, date_to=date_to
            )
            if date_from is None and group_by != "product":
                assert sum(r.amount for r in rows) == expected
            if group_by == "owner":
                assert {r.key for r in rows} <= {str(tenant.user("sales").pk)}


# --- writes that change what counts ---------------------------------------------------------------
def test_confirming_cancelling_and_editing_orders_keep_the_rollups_right(tenant, shop, committed):
    owner = tenant.actor("owner")
    c4 = Customer.objects.get(pk=shop["c4"].pk)
    with committed():
        draft = order_create(actor=owner, customer=c4, lines=[line(shop["pump"], 1, "9.00")],
                             order_date=date(2025, 5, 5))  # fmt: skip
    assert mismatches(tenant, **QUICK) == []
    with committed():
        draft = order_update(
            actor=owner,
            order=draft,
            data={"order_date": date(2025, 3, 9)},
            version=draft.version,
            lines=[line(shop["motor"], 2, "333.00"), line(shop["valve"], 1, "1.00")],
        )
    with committed():
        order_confirm(actor=owner, order=draft)
    counted = selectors.sales_totals(
        actor=owner, date_from=date(2025, 3, 9), date_to=date(2025, 3, 9)
    )
    assert [(t.orders, t.amount) for t in counted] == [(1, Decimal("667.00"))]
    assert mismatches(tenant, **QUICK) == []
    confirmed = SalesOrder.objects.get(order_date=date(2025, 6, 30), team=tenant.team_b)
    with committed():
        order_cancel(actor=owner, order=confirmed, reason="客户取消")
    assert mismatches(tenant, **QUICK) == []
    assert (
        mismatches(tenant, roles=("sales_b",), ranges=[(date(2025, 6, 1), date(2025, 6, 30))]) == []
    )


def test_deleting_and_restoring_a_draft_leaves_the_figures_alone(tenant, shop, committed):
    owner = tenant.actor("owner")
    draft = SalesOrder.objects.get(status="draft")
    before = rollup_rows(tenant.company)
    with committed():
        order_delete(actor=owner, order=draft)
    assert mismatches(tenant, **QUICK) == []
    item = TrashItem.objects.get(company=tenant.company, object_id=draft.pk)
    with committed():
        trash_restore(actor=owner, item_id=item.pk)
    assert rollup_rows(tenant.company) == before
    with committed():
        order_confirm(actor=owner, order=SalesOrder.objects.get(pk=draft.pk))
    assert mismatches(tenant, **QUICK) == []


def test_an_order_history_import_refreshes_the_imported_days(tenant, shop):
    from shangyou.orders import importing
    from tests.orders.import_fixtures import ZH, csv_bytes, make_history

    actor = tenant.actor("owner")
    history = make_history(seed=5, lines=300, start=date(2024, 11, 1), years=1)
    job = importing.order_import_preview(
        actor=actor, filename="history.csv", data=csv_bytes(ZH, history.rows)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        importing.order_import_commit(actor=actor, job=job, create_missing=True)
    job.refresh_from_db()
    assert job.status == "done", job.result
    total = selectors.sales_totals(actor=actor)
    assert sum(t.amount for t in total if t.currency == "CNY") > history.total
    assert mismatches(tenant, roles=("owner", "sales"), ranges=RANGES[:3]) == []


def test_the_refresh_is_idempotent_and_the_rebuild_makes_the_same_rows(tenant, shop):
    before = rollup_rows(tenant.company)
    assert before
    sales_rollup_refresh(company_id=tenant.company.pk, days=[date(2025, 2, 15), date(2025, 6, 30)])
    sales_rollup_refresh(company_id=tenant.company.pk, days=[date(2025, 2, 15)], owner_ids=None)
    assert rollup_rows(tenant.company) == before
    for model in ROLLUP_MODELS:
        model.objects.filter(company=tenant.company).delete()
    assert selectors.sales_totals(actor=tenant.actor("owner")) == []
    call_command("rebuild_sales_rollup", company=tenant.company.slug, stdout=_Null())
    assert rollup_rows(tenant.company) == before
    sales_rollup_rebuild(company_id=tenant.company.pk)
    assert rollup_rows(tenant.company) == before
    SalesProductRollup.objects.filter(company=tenant.company).delete()
    call_command("rebuild_sales_rollup", stdout=_Null())  # every company with orders
    assert rollup_rows(tenant.company) == before


class _Null:
    def write(self, _text):
        pass


def test_grade_and_region_are_the_customers_when_the_order_first_counted(tenant, shop, committed):
    owner = tenant.actor("owner")
    customer = Customer.objects.get(pk=shop["c1"].pk)
    with committed():
        customer_update(
            actor=owner,
            customer=customer,
            data={"grade_id": shop["silver"].pk, "province": "北京", "city": "北京"},
            version=customer.version,
        )
        order_create(actor=owner, customer=Customer.objects.get(pk=customer.pk),
                     lines=[line(shop["valve"], 1, "7.00")], status="confirmed",
                     order_date=date(2025, 1, 10))  # fmt: skip
    year = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}

    def figures():
        grades = from_rollups(selectors.sales_statistics(actor=owner, group_by="grade", **year))
        regions = from_rollups(selectors.sales_statistics(actor=owner, group_by="region", **year))
        return grades, regions

    grades, regions = figures()
    # the two earlier orders of 上海恒通 stay gold in 上海; the new one is silver in 北京
    assert grades[(str(shop["gold"].pk), "CNY")][:2] == (2, Decimal("692.50"))
    assert regions[("北京/北京", "CNY")][:2] == (1, Decimal("7.00"))
    assert regions[("上海/上海", "CNY")][:2] == (2, Decimal("692.50"))
    sales_rollup_rebuild(company_id=tenant.company.pk)  # snapshots are kept
    assert figures() == (grades, regions)
    snapshot = OrderSnapshot.objects.get(order__order_date=date(2025, 1, 10), order__total=7)
    assert (snapshot.grade_id, snapshot.city) == (shop["silver"].pk, "北京")


def test_the_benchmark_generator_builds_the_rollups(db):
    from shangyou.accounts.models import Membership
    from shangyou.accounts.selectors import actor_from_membership
    from shangyou.ops.bench.generate import Options, generate

    summary = generate(
        Options(scale=40, seed=31, companies=2, workers=1, orders=80), log=lambda _m: None
    )
    assert "analytics sales rollups" in {t["table"] for t in summary["tables"]}
    for membership in Membership.objects.filter(
        role=Role.OWNER, company__slug__startswith="bench-31-"
    ):
        actor = actor_from_membership(membership)
        orders = _orders(membership.company)
        for group_by in selectors.GROUPINGS:
            got = from_rollups(selectors.sales_statistics(actor=actor, group_by=group_by))
            assert got == direct(orders, actor, group_by, date_from=None, date_to=None)
            assert got or group_by == "grade"


@pytest.mark.django_db(transaction=True)
def test_orders_confirmed_at_once_on_one_day_are_all_counted_once(tenant_factory):
    """Threads confirm orders of one day, each in its own transaction; each refresh runs after
    its commit, one company at a time (a row lock), so no row is missing or doubled."""
    import threading

    from django.db import connection

    tenant = tenant_factory("并发公司")
    owner = tenant.actor("owner")
    customer = CustomerFactory(actor=tenant.actor("sales"), name="并发客户")
    product = product_create(actor=owner, data={"sku": "C-1", "name": "并发产品"})
    day = date(2025, 3, 3)
    drafts = [
        order_create(
            actor=owner, customer=customer, lines=[line(product, 1, "10.00")], order_date=day
        )
        for _ in range(6)
    ]
    start = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def confirm(order) -> None:
        try:
            start.wait()
            order_confirm(actor=tenant.actor("owner"), order=order)
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(o,)) for o in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    totals = selectors.sales_totals(actor=owner, date_from=day, date_to=day)
    assert [(t.orders, t.amount) for t in totals] == [(6, Decimal("60.00"))]
    assert mismatches(tenant, roles=("owner", "sales"), ranges=RANGES[:2]) == []


def test_a_limit_keeps_the_biggest_products_and_breaks_ties_by_name(tenant, shop, committed):
    owner = tenant.actor("owner")
    bolt = product_create(actor=owner, data={"sku": "B-1", "name": "螺栓"})
    with committed():  # 螺栓 and 电机 tie at 2,200.00 over 2025
        order_create(actor=owner, customer=Customer.objects.get(pk=shop["c4"].pk),
                     lines=[line(bolt, 1, "2200.00")], status="confirmed",
                     order_date=date(2025, 5, 5))  # fmt: skip
    year = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
    everything = selectors.sales_statistics(actor=owner, group_by="product", **year)
    cny = [(r.label, r.amount) for r in everything if r.currency == "CNY"]
    assert cny[:2] == [("电机", Decimal("2200.00")), ("螺栓", Decimal("2200.00"))]
    for limit in (1, 2, 3):
        limited = selectors.sales_statistics(actor=owner, group_by="product", limit=limit, **year)
        expected = [r for r in everything if r.currency == "CNY"][:limit] + [
            r for r in everything if r.currency == "USD"
        ][:limit]
        assert limited == expected
