"""Tenant-isolation factories for the orders app's path parameters (merged into
tests/test_isolation.py): each creates the object in company A."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.orders.models import (
    Invoice,
    OrderLine,
    Payment,
    SalesOrder,
    Shipment,
    ShipmentLine,
)
from tests.test_isolation import CompanyA, _tenant_row


def _order(a: CompanyA) -> SalesOrder:
    if "order" not in a.cache:
        customer = a.customer()
        pk = _tenant_row(
            a, SalesOrder, number="SO-A-1", customer=customer, status="confirmed",
            order_date=timezone.localdate(), owner=a.tenant.user("sales"),
            total=Decimal("100.00"), tracking_phone="13800138000",
        )  # fmt: skip
        order = SalesOrder.objects.get(pk=pk)
        line = OrderLine.objects.create(
            company=a.tenant.company, order=order, position=1, description="甲公司机密产品",
            quantity=Decimal(10), unit_price=Decimal(10), line_subtotal=Decimal(100),
            line_total=Decimal(100),
        )  # fmt: skip
        a.watched.append(line)
        a.cache["order"] = order
    return a.cache["order"]


def _order_id(a: CompanyA):
    return _order(a).pk


def _shipment_id(a: CompanyA):
    order = _order(a)
    pk = _tenant_row(a, Shipment, number="SH-A-1", order=order, carrier="SF")
    line = ShipmentLine.objects.create(
        company=a.tenant.company,
        shipment_id=pk,
        order_line=order.lines.first(),
        quantity=Decimal(1),
    )
    a.watched.append(line)
    return pk


def _invoice(a: CompanyA) -> Invoice:
    if "invoice" not in a.cache:
        order = _order(a)
        pk = _tenant_row(
            a, Invoice, number="INV-A-1", order=order, customer=order.customer,
            issue_date=timezone.localdate(), due_date=timezone.localdate() + timedelta(days=30),
            total=Decimal("100.00"), amount_paid=Decimal("10.00"), status="partly_paid",
        )  # fmt: skip
        a.cache["invoice"] = Invoice.objects.get(pk=pk)
    return a.cache["invoice"]


def _invoice_id(a: CompanyA):
    return _invoice(a).pk


def _payment_id(a: CompanyA):
    invoice = _invoice(a)
    return _tenant_row(
        a, Payment, number="PAY-A-1", customer=invoice.customer, invoice=invoice,
        order=invoice.order, amount=Decimal("10.00"), received_on=timezone.localdate(),
    )  # fmt: skip


PARAM_FACTORIES = {
    "order_id": _order_id,
    "shipment_id": _shipment_id,
    "invoice_id": _invoice_id,
    "payment_id": _payment_id,
}

PUBLIC_ROUTES = {
    # Public order tracking: no login; the order number plus the customer's phone or email is
    # the credential, answers are rate-limited per IP and show no prices (see tests/orders/
    # test_tracking.py, which also checks that another company's order is never shown).
    "orders:track",
}
