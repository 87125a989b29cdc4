"""Invoices, payments, refunds and receivables (S4)."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.orders import billing, selectors
from shangyou.orders.models import Invoice, Payment, SalesOrder

from .factories import invoice, make_order, refresh

pytestmark = pytest.mark.django_db


def test_full_invoice_bills_everything_with_due_date_from_terms(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, specs=(("Pump", 3, "33.33", "13"),), payment_terms_days=45)
    inv = invoice(actor, order, issue_date=date(2026, 3, 1))
    assert inv.number.startswith("INV-")
    assert inv.total == order.total
    assert inv.due_date == date(2026, 4, 15)
    order = refresh(order)
    assert order.amount_invoiced == order.total
    assert order.lines.get().quantity_invoiced == 3


def test_partial_invoices_add_up_to_the_order_to_the_cent(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, specs=(("Pump", 3, "33.33", "13"), ("Valve", 7, "0.99")))
    first = invoice(actor, order, {1: 1, 2: 2})
    second = invoice(actor, order, {1: 1})
    third = invoice(actor, order)  # the rest
    assert first.total + second.total + third.total == order.total
    assert refresh(order).amount_invoiced == order.total


def test_over_invoicing_is_refused(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    invoice(actor, order, {1: 8})
    with pytest.raises(ValidationFailed, match="at most 2"):
        invoice(actor, order, {1: 3})
    invoice(actor, order)
    with pytest.raises(Conflict, match="invoiced in full"):
        invoice(actor, order)


def test_draft_order_cannot_be_invoiced(tenant):
    actor = tenant.actor("sales")
    with pytest.raises(Conflict, match="Draft"):
        invoice(actor, make_order(actor, confirm=False))


def test_partial_and_full_payment_move_invoice_status(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    inv = invoice(actor, order)  # 1100.00
    billing.payment_create(actor=actor, invoice=inv, amount="100", method="alipay")
    assert refresh(inv).status == Invoice.Status.PARTLY_PAID
    assert inv.amount_paid == Decimal("100.00")
    billing.payment_create(actor=actor, invoice=inv, amount="1000")
    assert refresh(inv).status == Invoice.Status.PAID
    assert refresh(order).amount_paid == Decimal("1100.00") and order.balance == 0


def test_overpaying_is_refused_with_the_open_balance(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    inv = invoice(actor, order)
    billing.payment_create(actor=actor, invoice=inv, amount="1000")
    with pytest.raises(ValidationFailed, match="open balance is CNY 100.00"):
        billing.payment_create(actor=actor, invoice=inv, amount="100.01")


def test_refund_never_more_than_paid_and_amounts_in_step(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    inv = invoice(actor, order)
    billing.payment_create(actor=actor, invoice=inv, amount=inv.total)
    with pytest.raises(ValidationFailed, match="at most CNY 1100.00 can be refunded"):
        billing.payment_create(actor=actor, invoice=inv, amount="1100.01", kind="refund")
    refund = billing.payment_create(actor=actor, invoice=inv, amount="300", kind="refund")
    assert refund.kind == Payment.Kind.REFUND and refund.signed_amount == Decimal("-300.00")
    assert refresh(inv).amount_paid == Decimal("800.00")
    assert inv.status == Invoice.Status.PARTLY_PAID
    assert refresh(order).amount_paid == Decimal("800.00")


def test_prepayment_on_an_order_without_invoice(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    billing.payment_create(actor=actor, order=order, amount="500")
    assert refresh(order).amount_paid == Decimal("500.00")
    with pytest.raises(ValidationFailed, match="open balance is CNY 600.00"):
        billing.payment_create(actor=actor, order=order, amount="700")
    invoice(actor, order)
    with pytest.raises(ValidationFailed, match="against an invoice"):
        billing.payment_create(actor=actor, order=order, amount="1")


def test_invoice_cancel_only_without_payments_and_gives_quantities_back(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    paid = invoice(actor, order, {1: 1})
    billing.payment_create(actor=actor, invoice=paid, amount="10")
    with pytest.raises(Conflict, match="has payments"):
        billing.invoice_cancel(actor=actor, invoice=paid)
    unpaid = invoice(actor, order, {1: 2})
    billing.invoice_cancel(actor=actor, invoice=unpaid, reason="wrong quantity")
    order = refresh(order)
    assert order.lines.get(position=1).quantity_invoiced == 1
    assert order.amount_invoiced == paid.total
    with pytest.raises(Conflict, match="cancelled"):
        billing.payment_create(actor=actor, invoice=refresh(unpaid), amount="1")


def test_numbers_are_gapless_per_kind(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    a, b = invoice(actor, order, {1: 1}), invoice(actor, order, {1: 1})
    assert int(b.number[-5:]) == int(a.number[-5:]) + 1


# --- receivables ----------------------------------------------------------------------------------
def test_ageing_buckets_on_a_fixed_date(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor, specs=(("A", 5, "100"),))
    as_of = date(2026, 6, 30)
    for days_overdue in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 400):
        invoice(
            actor, order, {1: Decimal("0.5")},
            issue_date=date(2025, 1, 1), due_date=as_of - timedelta(days=days_overdue),
        )  # fmt: skip
    report = selectors.receivables(actor=actor, as_of=as_of)
    (row,) = report["rows"]
    assert row["customer_id"] == order.customer_id
    assert (row["current"], row["d1_30"], row["d31_60"], row["d61_90"], row["d90_plus"]) == (
        Decimal("100.00"), Decimal("100.00"), Decimal("100.00"), Decimal("100.00"),
        Decimal("100.00"),
    )  # fmt: skip
    assert row["total"] == Decimal("500.00") and row["invoices"] == 10
    assert report["totals"][0]["total"] == Decimal("500.00")


def test_receivables_show_balances_not_paid_or_cancelled_invoices(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor)
    inv = invoice(actor, order, {1: 5})  # 500.00
    billing.payment_create(actor=actor, invoice=inv, amount="200")
    paid = invoice(actor, order, {2: 5})
    billing.payment_create(actor=actor, invoice=paid, amount=paid.total)
    cancelled = invoice(actor, order, {1: 1})
    billing.invoice_cancel(actor=actor, invoice=cancelled)
    report = selectors.receivables(actor=actor, as_of=inv.due_date)
    assert report["rows"][0]["current"] == Decimal("300.00")
    assert report["rows"][0]["invoices"] == 1


def test_receivables_filter_by_owner_and_record_rules(tenant):
    mine = make_order(tenant.actor("sales"))
    theirs = make_order(tenant.actor("sales_b"))
    invoice(tenant.actor("sales"), mine)
    invoice(tenant.actor("sales_b"), theirs)
    today = timezone.localdate()
    everyone = selectors.receivables(actor=tenant.actor("owner"), as_of=today)
    assert len(everyone["rows"]) == 2
    owned = selectors.receivables(
        actor=tenant.actor("owner"), as_of=today, owner_id=tenant.user("sales_b").pk
    )
    assert [r["customer_id"] for r in owned["rows"]] == [theirs.customer_id]
    own = selectors.receivables(actor=tenant.actor("sales"), as_of=today)
    assert [r["customer_id"] for r in own["rows"]] == [mine.customer_id]


# --- concurrency --------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_lose_no_update_and_cannot_overpay(tenant):
    """Threads pay the same invoice at once, each in its own transaction and connection: the
    row lock serialises them, so the paid amount is the sum and the balance is never exceeded."""
    actor = tenant.actor("owner")
    order = make_order(actor, specs=(("A", 1, "500"),))
    inv = invoice(actor, order)
    threads_n = 6  # 6 × 100 against 500: exactly one must be refused
    start = threading.Barrier(threads_n)
    results, errors = [], []
    lock = threading.Lock()

    def pay():
        try:
            start.wait()
            billing.payment_create(actor=actor, invoice=inv, amount="100")
            with lock:
                results.append("ok")
        except ValidationFailed:
            with lock:
                results.append("refused")
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == ["ok"] * 5 + ["refused"]
    assert refresh(inv).amount_paid == Decimal("500.00") and inv.status == "paid"
    assert SalesOrder.objects.get(pk=order.pk).amount_paid == Decimal("500.00")
    assert Payment.objects.filter(invoice=inv).count() == 5
