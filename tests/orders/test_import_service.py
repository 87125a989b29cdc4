"""The order-history import: reading, matching, checking and writing (orders.importing)."""

from decimal import Decimal

import pytest
from django.test import TestCase

from shangyou.catalog.models import Product
from shangyou.catalog.services import product_create
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.orders import importing
from shangyou.orders.models import OrderImportJob, OrderLine, SalesOrder
from shangyou.orders.selectors import customer_spend_metrics
from tests.contacts.factories import CustomerFactory
from tests.orders.import_fixtures import EN, ZH, csv_bytes, make_history, xlsx_bytes

HEAD = "订单号,客户编号,客户名称,日期,产品编码,产品名称,数量,单价,金额\n"


def preview(actor, data: bytes | str, filename: str = "orders.csv") -> OrderImportJob:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return importing.order_import_preview(actor=actor, filename=filename, data=data)


def commit(actor, job, **options) -> OrderImportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):
        importing.order_import_commit(actor=actor, job=job, **options)
    job.refresh_from_db()
    return job


def run(actor, data, filename: str = "orders.csv", **options) -> OrderImportJob:
    return commit(actor, preview(actor, data, filename), **options)


def orders_of(tenant):
    return SalesOrder.objects.filter(company=tenant.company)


def check_totals(tenant, history) -> None:
    orders = orders_of(tenant)
    got = dict(orders.values_list("number", "total"))
    assert got == history.order_totals
    for order in orders.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert order.total == sum((ln.line_total for ln in lines), Decimal(0))
        assert order.subtotal + order.tax_total == order.total
    assert sum(got.values()) == history.total


def errors_by_row(job) -> dict[int, str]:
    return {e["row"]: " ".join(e["messages"]) for e in job.report["errors"]}


# --- a realistic history, in every format --------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "encoding", "filename"),
    [(ZH, "utf-8-sig", "历史订单.csv"), (EN, "utf-8", "history.csv"), (ZH, "gbk", "gbk.csv")],
)
def test_a_three_year_history_imports_with_totals_to_the_cent(tenant, header, encoding, filename):
    history = make_history(seed=3, lines=2000)
    actor = tenant.actor("owner")
    job = run(actor, csv_bytes(header, history.rows, encoding), filename, create_missing=True)

    assert job.status == OrderImportJob.Status.DONE, job.result
    check_totals(tenant, history)
    assert job.result["lines"] == 2000
    assert job.result["imported_totals"] == {"CNY": str(history.total)}
    assert job.result["file_totals"] == {"CNY": str(history.total)}
    assert job.report["first_date"] >= "2023-01-01" and job.report["last_date"] <= "2025-12-31"
    assert job.result["customers_created"] == 12 and job.result["products_created"] == 10


def test_an_xlsx_history_imports_with_totals_to_the_cent(tenant):
    history = make_history(seed=5, lines=600)
    actor = tenant.actor("owner")
    job = run(actor, xlsx_bytes(EN, history.rows), "history.xlsx", create_missing=True)
    assert job.status == OrderImportJob.Status.DONE, job.result
    check_totals(tenant, history)


def test_imported_orders_are_completed_numbered_as_in_the_file_and_on_the_timeline(tenant):
    history = make_history(seed=1, lines=60)
    actor = tenant.actor("owner")
    run(actor, csv_bytes(ZH, history.rows), create_missing=True)

    orders = orders_of(tenant)
    assert set(orders.values_list("number", flat=True)) == set(history.order_totals)
    assert set(orders.values_list("status", "source").distinct()) == {("completed", "import")}
    order = orders.first()
    entries = TimelineEntry.objects.filter(company=tenant.company, kind="order")
    assert entries.count() == orders.count()
    entry = entries.get(related_id=order.pk)
    assert entry.customer_id == order.customer_id
    assert entry.related_type.model == "salesorder"
    assert entry.occurred_at.date() == order.order_date
    assert order.number in entry.subject
    customer = order.customer
    assert customer.last_contacted_at.date() == max(
        orders.filter(customer=customer).values_list("order_date", flat=True)
    )


def test_imported_orders_feed_the_spend_metrics_of_grading(tenant):
    from datetime import UTC, datetime

    history = make_history(seed=2, lines=100)
    actor = tenant.actor("owner")
    run(actor, csv_bytes(ZH, history.rows), create_missing=True)
    metrics = customer_spend_metrics(tenant.company.pk, datetime(2000, 1, 1, tzinfo=UTC))
    assert sum(spend for spend, _n in metrics.values()) == history.total
    assert sum(n for _spend, n in metrics.values()) == len(history.order_totals)


def test_the_import_is_audited_once_per_job_and_once_per_record_created(tenant):
    history = make_history(seed=1, lines=40)
    actor = tenant.actor("owner")
    job = run(actor, csv_bytes(ZH, history.rows), create_missing=True)
    job_entries = AuditEntry.objects.filter(company=tenant.company, object_id=str(job.pk))
    assert job_entries.filter(content_type__model="orderimportjob").count() == 1
    created = AuditEntry.objects.filter(company=tenant.company, note="Created by an order import")
    assert created.count() == job.result["customers_created"] + job.result["products_created"]


# --- grouping ------------------------------------------------------------------------------------
def test_rows_of_one_order_need_not_be_adjacent(tenant):
    data = HEAD + (
        "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-2,C2,乙公司,2025-03-02,S1,阀门,1,10.00,10.00\n"
        "A-1,C1,甲公司,2025-03-01,S2,轴承,3,1.50,4.50\n"
    )
    run(tenant.actor("owner"), data, create_missing=True)
    order = orders_of(tenant).get(number="A-1")
    assert order.total == Decimal("24.50")
    assert [ln.description for ln in order.lines.all()] == ["阀门", "轴承"]
    assert orders_of(tenant).get(number="A-2").total == Decimal("10.00")


def test_rows_of_one_order_with_another_customer_or_date_are_errors_naming_both_rows(tenant):
    data = HEAD + (
        "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-1,C9,丙公司,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-1,C1,甲公司,2025-04-01,S1,阀门,2,10.00,20.00\n"
    )
    job = preview(tenant.actor("owner"), data)
    errors = errors_by_row(job)
    assert "customer differs from row 2" in errors[3]
    assert "date differs from row 2" in errors[4]
    assert job.report["invalid_orders"] == 1


# --- matching customers and products -------------------------------------------------------------
def test_customers_match_by_code_then_by_name_and_products_by_sku_then_name(tenant):
    actor = tenant.actor("owner")
    by_code = CustomerFactory(actor=actor, name="恒通五金", code="C1")
    by_name = CustomerFactory(actor=actor, name="上海宏达机械有限公司")
    sku = product_create(actor=actor, data={"sku": "S1", "name": "球阀"})
    named = product_create(actor=actor, data={"sku": "X-9", "name": "轴承 6205"})
    data = HEAD + (
        "A-1,C1,Another name,2025-03-01,S1,,2,10.00,\n"
        "A-2,,上海宏达机械,2025-03-02,,轴承 6205,1,,9.99\n"
    )
    job = run(actor, data)
    assert job.status == "done", job.result
    a1, a2 = orders_of(tenant).get(number="A-1"), orders_of(tenant).get(number="A-2")
    assert a1.customer_id == by_code.pk and a2.customer_id == by_name.pk
    assert a1.lines.get().product_id == sku.pk and a2.lines.get().product_id == named.pk
    assert not job.report["missing_customers"] and not job.report["missing_products"]


def test_unknown_customers_and_products_are_created_when_asked(tenant):
    actor = tenant.actor("sales")
    data = HEAD + (
        "A-1,C7,新客户有限公司,2025-03-01,N-1,新产品,2,10.00,20.00\n"
        "A-2,,新客户有限公司,2025-03-05,,另一个产品,1,5.00,5.00\n"
    )
    job = run(actor, data, create_missing=True)
    assert job.result["customers_created"] == 1
    assert job.result["products_created"] == 2
    customer = Customer.objects.get(company=tenant.company, code="C7")
    assert customer.name == "新客户有限公司" and customer.owner_id == actor.user_id
    assert customer.dedup_name and customer.search_text
    assert set(orders_of(tenant).values_list("customer_id", flat=True)) == {customer.pk}
    products = Product.objects.filter(company=tenant.company)
    assert {p.name for p in products} == {"新产品", "另一个产品"}
    assert all(p.sku for p in products)
    assert orders_of(tenant).get(number="A-1").owner_id == actor.user_id


def test_unknown_customers_and_products_are_reported_and_block_the_import(tenant):
    actor = tenant.actor("owner")
    data = HEAD + "A-1,C7,新客户,2025-03-01,N-1,新产品,2,10.00,20.00\n"
    job = preview(actor, data)
    assert job.report["missing_customers"] == [{"code": "C7", "name": "新客户", "row": 2}]
    assert job.report["missing_products"] == [{"sku": "N-1", "name": "新产品", "row": 2}]
    with pytest.raises(ValidationFailed, match="choose to create them"):
        importing.order_import_commit(actor=actor, job=job)
    assert not orders_of(tenant).exists()
    assert not Customer.objects.filter(company=tenant.company).exists()


# --- amounts -------------------------------------------------------------------------------------
def test_price_and_amount_that_disagree_are_an_error(tenant):
    data = HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,3,3.33,10.00\n"
    job = preview(tenant.actor("owner"), data)
    assert "Quantity × unit price is 9.99, but the amount is 10.00" in errors_by_row(job)[2]


def test_with_only_the_amount_the_price_is_derived_and_the_amount_kept(tenant):
    data = HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,3,,10.00\n"
    run(tenant.actor("owner"), data, create_missing=True)
    line = OrderLine.objects.get(company=tenant.company)
    assert line.unit_price == Decimal("3.3333")
    assert line.line_total == Decimal("10.00")
    assert orders_of(tenant).get().total == Decimal("10.00")


def test_a_tax_rate_is_read_as_included_in_the_amount(tenant):
    data = "订单号,客户,日期,产品,数量,单价,金额,税率\nA-1,甲,2025-03-01,阀门,1,113,113.00,13%\n"
    run(tenant.actor("owner"), data, create_missing=True)
    order = orders_of(tenant).get()
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("100.00"),
        Decimal("13.00"),
        Decimal("113.00"),
    )


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (",甲,2025-03-01,阀门,1,1,1", "order number is missing"),
        ("A-1,,2025-03-01,阀门,1,1,1", "customer is missing"),
        ("A-1,甲,soon,阀门,1,1,1", "is not a date"),
        ("A-1,甲,2025-03-01,,1,1,1", "product is missing"),
        ("A-1,甲,2025-03-01,阀门,0,1,0", "quantity must be more than zero"),
        ("A-1,甲,2025-03-01,阀门,2,,", "Give the unit price or the amount"),
        ("A-1,甲,2025-03-01,阀门,2,abc,", "is not a number"),
        ("A-1,甲,2025-03-01,阀门,2,1,2.001", "at most 2 decimals"),
    ],
)
def test_invalid_cells_are_reported_with_the_row_number(tenant, cells, message):
    data = "订单号,客户,日期,产品,数量,单价,金额\nB-1,乙,2025-03-01,轴承,1,1,1\n" + cells + "\n"
    job = preview(tenant.actor("owner"), data)
    assert message in errors_by_row(job)[3]
    assert 2 not in errors_by_row(job)


def test_a_file_without_the_needed_columns_is_refused(tenant):
    with pytest.raises(ValidationFailed, match="no column for"):
        preview(tenant.actor("owner"), "订单号,客户\nA-1,甲\n")


# --- all or nothing ------------------------------------------------------------------------------
def test_a_file_with_invalid_rows_imports_nothing(tenant):
    actor = tenant.actor("owner")
    data = HEAD + (
        "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\nA-2,C1,甲,2025-03-01,S1,阀门,x,10.00,20.00\n"
    )
    job = preview(actor, data)
    with pytest.raises(ValidationFailed, match="1 orders have rows with errors"):
        importing.order_import_commit(actor=actor, job=job, create_missing=True)
    assert not orders_of(tenant).exists()
    job.refresh_from_db()
    assert job.status == OrderImportJob.Status.PREVIEWED


def test_skip_invalid_imports_the_valid_orders_whole(tenant):
    actor = tenant.actor("owner")
    data = HEAD + (
        "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-2,C1,甲,2025-03-01,S1,阀门,1,10.00,10.00\n"
        "A-2,C1,甲,2025-03-01,S1,阀门,x,10.00,20.00\n"
    )
    job = run(actor, data, create_missing=True, skip_invalid=True)
    assert job.result["orders"] == 1 and job.result["skipped_invalid"] == 1
    assert list(orders_of(tenant).values_list("number", flat=True)) == ["A-1"]
    assert job.result["file_totals"] == {"CNY": "30.00"}  # the unreadable row has no amount
    assert job.result["imported_totals"] == {"CNY": "20.00"}


def test_a_failure_while_writing_changes_nothing(tenant, monkeypatch):
    actor = tenant.actor("owner")
    history = make_history(seed=4, lines=50)
    job = preview(actor, csv_bytes(ZH, history.rows))

    def boom(self, *args, **kwargs):  # fault injection after every row was written
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing._OrderWriter, "touch_customers", boom)
    job = commit(actor, job, create_missing=True)  # the task fails; the worker logs it
    assert job.status == OrderImportJob.Status.FAILED
    assert "disk full" in job.result["error"]
    assert not orders_of(tenant).exists()
    assert not Customer.objects.filter(company=tenant.company).exists()
    assert not TimelineEntry.objects.filter(company=tenant.company).exists()


# --- order numbers -------------------------------------------------------------------------------
def test_an_order_number_already_used_is_an_error_unless_skipped(tenant):
    actor = tenant.actor("owner")
    data = HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\n"
    run(actor, data, create_missing=True)
    again = (
        HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\nA-3,C1,甲,2025-03-09,S1,阀门,1,10,\n"
    )
    job = preview(actor, again)
    assert job.report["existing"] == [{"number": "A-1", "row": 2}]
    with pytest.raises(ValidationFailed, match="already used"):
        importing.order_import_commit(actor=actor, job=job)
    job = commit(actor, job, skip_existing=True)
    assert job.result["orders"] == 1 and job.result["skipped_existing"] == 1
    assert orders_of(tenant).count() == 2
    assert orders_of(tenant).get(number="A-1").total == Decimal("20.00")


def test_an_import_is_committed_once(tenant):
    actor = tenant.actor("owner")
    job = run(actor, HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\n", create_missing=True)
    with pytest.raises(Conflict):
        importing.order_import_commit(actor=actor, job=job, create_missing=True)
    assert importing.order_import_run(job_id=job.pk) == job.result  # idempotent
    assert orders_of(tenant).count() == 1


def test_read_only_members_cannot_import(tenant):
    from shangyou.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        preview(tenant.actor("readonly"), HEAD + "A-1,C1,甲,2025-03-01,S1,阀门,2,10.00,20.00\n")


def test_another_companys_records_are_never_matched(tenant, other_tenant):
    other = other_tenant.actor("owner")
    CustomerFactory(actor=other, name="甲公司", code="C1")
    product_create(actor=other, data={"sku": "S1", "name": "阀门"})
    job = preview(tenant.actor("owner"), HEAD + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10,20\n")
    assert job.report["missing_customer_count"] == 1
    assert job.report["missing_product_count"] == 1
    with pytest.raises(Exception):  # noqa: B017, PT011 - NotFound through the selector
        importing.order_import_get(actor=other, id=job.pk)


def test_imported_numbers_in_our_pattern_move_the_counter_past_them(tenant):
    """An imported SO-<this year>-00007 must not collide with the next order made here."""
    from django.utils import timezone

    from shangyou.orders.services import order_create
    from tests.orders.factories import lines

    year = timezone.localdate().year
    data = HEAD + (
        f"SO-{year}-00007,C1,甲公司,{year}-01-05,S1,阀门,2,10.00,20.00\n"
        f"SO-{year - 1}-00950,C1,甲公司,{year - 1}-12-05,S1,阀门,1,10.00,10.00\n"
    )
    run(tenant.actor("owner"), data, create_missing=True)
    customer = Customer.objects.get(company=tenant.company, name="甲公司")
    order = order_create(actor=tenant.actor("owner"), customer=customer, lines=lines(("X", 1, 1)))
    assert order.number == f"SO-{year}-00008"
