"""The run of an order import: the preview's kept parse, the file checked against the one that
was previewed, what changed in the company since the preview, and what the writer stores."""

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.utils import timezone

from shangyou.catalog.services import product_create
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.services import customer_delete
from shangyou.orders import importing
from shangyou.orders.importing.cache import cache_name
from shangyou.orders.models import OrderImportJob, OrderLine, SalesOrder
from tests.contacts.factories import CustomerFactory
from tests.orders.import_fixtures import ZH, csv_bytes, make_history

HEAD = "订单号,客户编号,客户名称,日期,产品编码,产品名称,数量,单价,金额\n"
DONE, FAILED = OrderImportJob.Status.DONE, OrderImportJob.Status.FAILED


def preview(actor, data: bytes | str) -> OrderImportJob:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return importing.order_import_preview(actor=actor, filename="orders.csv", data=data)


def commit(actor, job, **options) -> OrderImportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):
        importing.order_import_commit(actor=actor, job=job, **options)
    job.refresh_from_db()
    return job


def orders_of(tenant):
    return SalesOrder.objects.filter(company=tenant.company)


def imported_totals(tenant) -> dict[str, Decimal]:
    return dict(orders_of(tenant).values_list("number", "total"))


# --- the kept parse ------------------------------------------------------------------------------
@pytest.mark.parametrize("kept", [True, False], ids=["kept parse", "parse dropped"])
def test_the_run_imports_from_the_previews_parse_and_reads_the_file_without_it(
    tenant, settings, kept
):
    actor = tenant.actor("owner")
    history = make_history(seed=6, lines=300)
    job = preview(actor, csv_bytes(ZH, history.rows))
    storage = job.file.storage
    assert storage.exists(cache_name(job))
    if not kept:
        storage.delete(cache_name(job))
    # Reading the file again would now refuse its 300 rows.
    settings.IMPORT_MAX_ROWS = 100

    job = commit(actor, job, create_missing=True)

    if kept:
        assert job.status == DONE, job.result
        assert imported_totals(tenant) == history.order_totals
        assert job.result["lines"] == 300
        assert not storage.exists(cache_name(job))  # dropped once imported
    else:
        assert job.status == FAILED
        assert "more than 100 data rows" in job.result["error"]
        assert not orders_of(tenant).exists()


def test_a_kept_parse_of_another_file_or_altered_is_ignored(tenant):
    actor = tenant.actor("owner")
    history = make_history(seed=8, lines=120)
    job = preview(actor, csv_bytes(ZH, history.rows))
    other = preview(actor, csv_bytes(ZH, make_history(seed=9, lines=80).rows))
    storage = job.file.storage
    # Another job's parse, signed by us, but of another file: not used.
    theirs = storage.open(cache_name(other)).read()
    storage.delete(cache_name(job))
    storage.save(cache_name(job), ContentFile(theirs))

    job = commit(actor, job, create_missing=True)

    assert job.status == DONE, job.result
    assert imported_totals(tenant) == history.order_totals

    # The other one's parse with a byte changed: its signature fails, the file is read again.
    data = bytearray(storage.open(cache_name(other)).read())
    data[-5] ^= 1
    storage.delete(cache_name(other))
    storage.save(cache_name(other), ContentFile(bytes(data)))
    other = commit(actor, other, create_missing=True, skip_existing=True)
    assert other.status == DONE, other.result
    assert other.result["imported_totals"] == other.result["file_totals"]


def test_the_run_refuses_a_file_changed_since_its_preview(tenant):
    actor = tenant.actor("owner")
    job = preview(actor, HEAD + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n")
    storage = job.file.storage
    storage.delete(job.file.name)
    storage.save(job.file.name, ContentFile(HEAD + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10,900\n"))

    job = commit(actor, job, create_missing=True)

    assert job.status == FAILED
    assert "not the file that was previewed" in job.result["error"]
    assert not orders_of(tenant).exists()
    assert not Customer.objects.filter(company=tenant.company).exists()


def test_cancelling_drops_the_kept_parse(tenant):
    actor = tenant.actor("owner")
    job = preview(actor, HEAD + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n")
    importing.order_import_cancel(actor=actor, job=job)
    assert not job.file.storage.exists(cache_name(job))
    assert job.file.storage.exists(job.file.name)


# --- what changed since the preview --------------------------------------------------------------
def test_a_customer_created_since_the_preview_is_used_not_created_again(tenant):
    actor = tenant.actor("owner")
    job = preview(actor, HEAD + "A-1,C7,新客户,2025-03-01,S1,阀门,2,10.00,20.00\n")
    assert job.report["missing_customer_count"] == 1
    made = CustomerFactory(actor=actor, name="新客户有限公司", code="C7")

    job = commit(actor, job, create_missing=True)

    assert job.status == DONE, job.result
    assert job.result["customers_created"] == 0
    assert orders_of(tenant).get().customer_id == made.pk
    assert Customer.objects.filter(company=tenant.company, code="C7").count() == 1


def test_a_customer_deleted_since_the_preview_refuses_the_import(tenant):
    actor = tenant.actor("owner")
    customer = CustomerFactory(actor=actor, name="恒通五金", code="C1")
    CustomerFactory(actor=actor, name="宏达机械", code="C2")
    product_create(actor=actor, data={"sku": "S1", "name": "阀门"})
    job = preview(
        actor,
        HEAD
        + "A-1,C1,恒通五金,2025-03-01,S1,阀门,2,10.00,20.00\n"
        + "A-2,C2,宏达机械,2025-03-02,S1,阀门,1,10.00,10.00\n",
    )
    assert job.report["missing_customer_count"] == job.report["missing_product_count"] == 0
    customer_delete(actor=actor, customer=customer)

    job = commit(actor, job)

    assert job.status == FAILED
    assert "1 customers and 0 products are not in the company yet" in job.result["error"]
    assert not orders_of(tenant).exists()


def test_an_order_number_used_since_the_preview_is_refused_or_skipped(tenant):
    actor = tenant.actor("owner")
    data = (
        HEAD
        + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n"
        + "A-2,C1,甲公司,2025-03-02,S1,阀门,1,10.00,10.00\n"
    )
    first, second = preview(actor, data), preview(actor, data)
    assert commit(actor, first, create_missing=True).status == DONE

    refused = commit(actor, second, create_missing=True)
    assert refused.status == FAILED
    assert "2 order numbers are already used" in refused.result["error"]
    assert orders_of(tenant).count() == 2

    again = preview(actor, data + "A-3,C1,甲公司,2025-03-03,S1,阀门,1,10.00,10.00\n")
    assert again.report["existing_count"] == 2
    SalesOrder.all_objects.filter(company=tenant.company, number="A-1").update(number="A-0")
    # Since the preview A-1 is free again, A-2 is still used: A-2 is skipped, A-1 and A-3 are
    # imported.
    again = commit(actor, again, create_missing=True, skip_existing=True)
    assert again.status == DONE, again.result
    assert (again.result["orders"], again.result["skipped_existing"]) == (2, 1)
    assert set(orders_of(tenant).values_list("number", flat=True)) == {"A-0", "A-1", "A-2", "A-3"}


# --- refusals ------------------------------------------------------------------------------------
def test_rows_without_an_order_number_block_the_import_unless_skipped(tenant):
    actor = tenant.actor("owner")
    data = (
        HEAD
        + "A-1,C1,甲公司,2025-03-01,S1,阀门,2,10.00,20.00\n"
        + ",C1,甲公司,2025-03-01,S1,阀门,1,10.00,10.00\n"
    )
    job = preview(actor, data)
    assert job.report["invalid_orders"] == 0 and job.report["unnumbered_rows"] == 1
    from shangyou.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="1 rows have no order number"):
        importing.order_import_commit(actor=actor, job=job, create_missing=True)
    assert not orders_of(tenant).exists()

    job = commit(actor, job, create_missing=True, skip_invalid=True)
    assert job.status == DONE, job.result
    assert list(orders_of(tenant).values_list("number", flat=True)) == ["A-1"]


# --- what is written -----------------------------------------------------------------------------
def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_in_the_file(tenant):
    actor = tenant.actor("owner")
    data = (
        HEAD
        + 'A\\1,C1,"甲\\公司",2025-03-01,S\\1,"阀门\t特\n型",2,10.00,20.00\n'
        + 'A\\1,C1,"甲\\公司",2025-03-01,S2,"轴承 \\N",1,5.00,5.00\n'
    )
    job = commit(actor, preview(actor, data), create_missing=True)
    assert job.status == DONE, job.result
    order = orders_of(tenant).get()
    assert order.number == "A\\1" and order.customer.name == "甲\\公司"
    lines = list(order.lines.order_by("position").values_list("sku", "description"))
    assert lines == [("S\\1", "阀门\t特\n型"), ("S2", "轴承 \\N")]
    entry = TimelineEntry.objects.get(company=tenant.company, related_id=order.pk)
    assert entry.subject == "Order A\\1: CNY 25.00"
    assert entry.data == {"status": "completed", "total": "25.00"}


def test_lines_with_and_without_tax_rates_split_the_amount_to_the_cent(tenant):
    actor = tenant.actor("owner")
    data = (
        "订单号,客户,日期,产品,数量,单价,金额,税率\n"
        "A-1,甲,2025-03-01,阀门,3,,100.00,13%\n"
        "A-1,甲,2025-03-01,轴承,1,,50.00,0%\n"
        "A-1,甲,2025-03-01,螺栓,1,,10.00,\n"
        "A-1,甲,2025-03-01,垫片,1,,1.06,0.06\n"
    )
    commit(actor, preview(actor, data), create_missing=True)
    order = orders_of(tenant).get()
    lines = {
        ln.description: (ln.tax_rate, ln.line_subtotal, ln.line_tax, ln.line_total)
        for ln in OrderLine.objects.filter(order=order)
    }
    assert lines == {
        "阀门": (Decimal("13.00"), Decimal("88.50"), Decimal("11.50"), Decimal("100.00")),
        "轴承": (Decimal("0.00"), Decimal("50.00"), Decimal("0.00"), Decimal("50.00")),
        "螺栓": (Decimal("0.00"), Decimal("10.00"), Decimal("0.00"), Decimal("10.00")),
        "垫片": (Decimal("6.00"), Decimal("1.00"), Decimal("0.06"), Decimal("1.06")),
    }
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("149.50"),
        Decimal("11.56"),
        Decimal("161.06"),
    )
    assert OrderLine.objects.get(order=order, description="阀门").unit_price == Decimal("33.3333")


def test_an_orders_customer_is_last_contacted_at_its_newest_order_never_earlier(tenant):
    actor = tenant.actor("owner")
    earlier = CustomerFactory(actor=actor, name="恒通五金", code="C1")
    later = CustomerFactory(actor=actor, name="宏达机械", code="C2")
    Customer.objects.filter(pk=earlier.pk).update(
        last_contacted_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    recent = datetime(2030, 1, 1, tzinfo=UTC)
    Customer.objects.filter(pk=later.pk).update(last_contacted_at=recent)
    data = HEAD + (
        "A-1,C1,恒通五金,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-2,C1,恒通五金,2025-05-09,S1,阀门,2,10.00,20.00\n"
        "A-3,C2,宏达机械,2025-03-01,S1,阀门,2,10.00,20.00\n"
        "A-4,C3,新客户,2025-02-01,S1,阀门,2,10.00,20.00\n"
        "A-5,C3,新客户,2025-04-02,S1,阀门,2,10.00,20.00\n"
    )
    job = commit(actor, preview(actor, data), create_missing=True)
    assert job.status == DONE, job.result

    def contacted(code):
        at = Customer.objects.get(company=tenant.company, code=code).last_contacted_at
        return timezone.localtime(at).date(), timezone.localtime(at).hour

    assert contacted("C1") == (date(2025, 5, 9), 12)
    assert Customer.objects.get(pk=later.pk).last_contacted_at == recent
    assert contacted("C3") == (date(2025, 4, 2), 12)


# --- two workers ---------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_one_import_write_it_once(tenant):
    """A task re-queued while its first worker still runs: the second waits on the job's row
    and returns the first one's result; the orders are written once, the job stays done."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite runs one writer at a time)")
    actor = tenant.actor("owner")
    history = make_history(seed=11, lines=1500)
    job = preview(actor, csv_bytes(ZH, history.rows))
    # As committed, with the task not run yet (on commit, the test's task backend would run it).
    job.options = {"create_missing": True, "membership_id": actor.membership_id}
    job.status = OrderImportJob.Status.QUEUED
    job.save()
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(importing.order_import_run(job_id=job.pk))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == 2 and results[0] == results[1]
    job.refresh_from_db()
    assert job.status == DONE and job.result == results[0]
    assert imported_totals(tenant) == history.order_totals
    assert OrderLine.objects.filter(company=tenant.company).count() == 1500
