"""Invoices and payments (S4).

- An invoice bills quantities of an order's lines: everything not yet invoiced, or chosen
  quantities (never more than ordered minus invoiced). Numbered gaplessly (INV), due after the
  order's payment terms. Issued → partly paid → paid; cancelled only while nothing is paid.
- A payment (PAY) is money received against an invoice, or against an order that has no
  invoice (a prepayment); a refund sends money back, never more than was paid.

Amounts are kept in step in one transaction: the invoice and order rows are locked
(`select_for_update`) before their paid amounts are checked, and updated with `F()` expressions,
so two concurrent payments can neither both pass the overpayment check nor lose an update.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.money import to_cents
from shangyou.core.numbering import next_number
from shangyou.core.services import model_create, model_update, require_write

from .models import Invoice, InvoiceLine, OrderLine, Payment, SalesOrder
from .services import _locked, plain, status_label

INVOICEABLE = (
    SalesOrder.Status.CONFIRMED,
    SalesOrder.Status.PARTLY_SHIPPED,
    SalesOrder.Status.SHIPPED,
    SalesOrder.Status.COMPLETED,
)
OPEN_INVOICE = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID)


def _money(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = to_cents(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(
            _("“%(value)s” is not an amount.") % {"value": value}, errors={field: [_("Invalid.")]}
        ) from None
    return amount


# --- invoices -----------------------------------------------------------------------------------
def _invoiced_so_far(line: OrderLine) -> tuple[Decimal, Decimal, Decimal]:
    sums = (
        InvoiceLine.objects.filter(order_line=line)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .aggregate(s=Sum("line_subtotal"), t=Sum("line_tax"), g=Sum("line_total"))
    )
    return (sums["s"] or Decimal(0), sums["t"] or Decimal(0), sums["g"] or Decimal(0))


def _line_part(line: OrderLine, quantity: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of `quantity` of the line: in proportion, and the rest of the
    line's amounts when it completes the line — so invoicing everything sums to the order."""
    if line.quantity_invoiced + quantity >= line.quantity:
        done = _invoiced_so_far(line)
        return (
            to_cents(line.line_subtotal - done[0]),
            to_cents(line.line_tax - done[1]),
            to_cents(line.line_total - done[2]),
        )
    share = quantity / line.quantity
    return (
        to_cents(line.line_subtotal * share),
        to_cents(line.line_tax * share),
        to_cents(line.line_total * share),
    )


@transaction.atomic
def invoice_create(
    *,
    actor: Actor,
    order: SalesOrder,
    quantities: dict[int, Any] | None = None,
    issue_date: date | None = None,
    due_date: date | None = None,
    notes: str = "",
) -> Invoice:
    """Invoice an order: `quantities` ({order line id: quantity}) or, when None, everything not
    yet invoiced. Updates the lines' invoiced quantities and the order's invoiced amount."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status not in INVOICEABLE:
        raise Conflict(
            _("Order %(number)s is %(status)s: only confirmed orders can be invoiced.")
            % {"number": order.number, "status": status_label(order.status)}
        )
    lines = {line.pk: line for line in order.lines.select_for_update()}
    if quantities is None:
        wanted = [
            (line, line.quantity - line.quantity_invoiced)
            for line in lines.values()
            if line.quantity > line.quantity_invoiced
        ]
        if not wanted:
            raise Conflict(
                _("Order %(number)s is already invoiced in full.") % {"number": order.number}
            )
    else:
        wanted = []
        for raw_id, raw_quantity in quantities.items():
            line = lines.get(int(raw_id))
            if line is None:
                raise ValidationFailed(
                    _("Choose lines of order %(number)s.") % {"number": order.number}
                )
            try:
                quantity = Decimal(str(raw_quantity or 0))
            except (InvalidOperation, ValueError):
                raise ValidationFailed(
                    _("“%(value)s” is not a quantity.") % {"value": raw_quantity}
                ) from None
            if quantity < 0:
                raise ValidationFailed(_("A quantity cannot be negative."))
            if quantity == 0:
                continue
            open_quantity = line.quantity - line.quantity_invoiced
            if quantity > open_quantity:
                raise ValidationFailed(
                    _(
                        "Line “%(line)s”: %(quantity)s cannot be invoiced; %(ordered)s ordered, "
                        "%(invoiced)s already invoiced, so at most %(open)s."
                    )
                    % {
                        "line": line.description,
                        "quantity": plain(quantity),
                        "ordered": plain(line.quantity),
                        "invoiced": plain(line.quantity_invoiced),
                        "open": plain(open_quantity),
                    },
                    errors={f"quantities.{line.pk}": [_("At most %(n)s.") % {"n": open_quantity}]},
                )
            wanted.append((line, quantity))
        if not wanted:
            raise ValidationFailed(
                _("Enter the quantity to invoice of at least one line."),
                errors={"quantities": [_("Required.")]},
            )
    issue_date = issue_date or timezone.localdate()
    parts = [(line, quantity, _line_part(line, quantity)) for line, quantity in wanted]
    invoice = model_create(
        actor=actor,
        instance=Invoice(
            number=next_number(company=actor.company, key="INV"),
            order=order,
            customer=order.customer,
            status=Invoice.Status.ISSUED,
            issue_date=issue_date,
            due_date=due_date or issue_date + timedelta(days=order.payment_terms_days),
            currency=order.currency,
            subtotal=sum((p[0] for _l, _q, p in parts), Decimal("0.00")),
            tax_total=sum((p[1] for _l, _q, p in parts), Decimal("0.00")),
            total=sum((p[2] for _l, _q, p in parts), Decimal("0.00")),
            notes=notes,
        ),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            company=actor.company,
            invoice=invoice,
            order_line=line,
            description=line.description,
            quantity=quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            line_subtotal=amounts[0],
            line_tax=amounts[1],
            line_total=amounts[2],
        )
        for line, quantity, amounts in parts
    )
    for line, quantity, _amounts in parts:
        OrderLine.objects.filter(pk=line.pk).update(
            quantity_invoiced=F("quantity_invoiced") + quantity
        )
    SalesOrder.objects.filter(pk=order.pk).update(
        amount_invoiced=F("amount_invoiced") + invoice.total
    )
    timeline_add(
        actor=actor,
        customer=order.customer,
        kind=TimelineEntry.Kind.INVOICE,
        subject=_("Invoice %(number)s for order %(order)s: %(currency)s %(total)s, due %(due)s")
        % {
            "number": invoice.number,
            "order": order.number,
            "currency": invoice.currency,
            "total": invoice.total,
            "due": invoice.due_date.isoformat(),
        },
        related=invoice,
        data={"order": order.number, "total": str(invoice.total)},
    )
    return invoice


def _invoice_locked(*, actor: Actor, invoice: Invoice) -> Invoice:
    locked = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer", "order")
        .filter(company_id=actor.company_id, pk=invoice.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def invoice_cancel(*, actor: Actor, invoice: Invoice, reason: str = "") -> Invoice:
    """Cancel an invoice nothing has been paid on; its quantities can be invoiced again."""
    require_write(actor)
    invoice = _invoice_locked(actor=actor, invoice=invoice)
    if invoice.status == Invoice.Status.CANCELLED:
        raise Conflict(_("Invoice %(number)s is already cancelled.") % {"number": invoice.number})
    if invoice.amount_paid != 0 or invoice.status in (
        Invoice.Status.PARTLY_PAID,
        Invoice.Status.PAID,
    ):
        raise Conflict(
            _("Invoice %(number)s has payments: refund them before cancelling it.")
            % {"number": invoice.number}
        )
    for line_id, quantity in invoice.lines.filter(order_line__isnull=False).values_list(
        "order_line_id", "quantity"
    ):
        OrderLine.objects.filter(pk=line_id).update(
            quantity_invoiced=F("quantity_invoiced") - quantity
        )
    SalesOrder.objects.filter(pk=invoice.order_id).update(
        amount_invoiced=F("amount_invoiced") - invoice.total
    )
    invoice, _changes = model_update(
        actor=actor,
        instance=invoice,
        data={
            "status": Invoice.Status.CANCELLED,
            "notes": "\n".join(filter(None, [invoice.notes, reason.strip()])),
        },
        expected_version=invoice.version,
        clean=False,
    )
    timeline_add(
        actor=actor,
        customer=invoice.customer,
        kind=TimelineEntry.Kind.INVOICE,
        subject=_("Invoice %(number)s cancelled") % {"number": invoice.number},
        body=reason.strip(),
        related=invoice,
        data={"status": invoice.status},
    )
    return invoice


# --- payments -----------------------------------------------------------------------------------
def _invoice_status(total: Decimal, paid: Decimal) -> str:
    if paid <= 0:
        return Invoice.Status.ISSUED
    return Invoice.Status.PAID if paid >= total else Invoice.Status.PARTLY_PAID


@transaction.atomic
def payment_create(
    *,
    actor: Actor,
    amount: Any,
    invoice: Invoice | None = None,
    order: SalesOrder | None = None,
    kind: str = Payment.Kind.PAYMENT,
    method: str = Payment.Method.BANK,
    received_on: date | None = None,
    reference: str = "",
    notes: str = "",
) -> Payment:
    """Record a payment or a refund against an invoice, or against an order without invoices.
    Overpaying is refused with the open balance; a refund never exceeds what was paid."""
    require_write(actor)
    amount = _money(amount)
    if amount <= 0:
        raise ValidationFailed(
            _("The amount must be more than zero."), errors={"amount": [_("More than zero.")]}
        )
    if kind not in Payment.Kind.values:
        raise ValidationFailed(_("Choose payment or refund."), errors={"kind": [_("Unknown.")]})
    if method not in Payment.Method.values:
        raise ValidationFailed(_("Choose a payment method."), errors={"method": [_("Unknown.")]})
    if invoice is None and order is None:
        raise ValidationFailed(_("Choose the invoice or the order that is paid."))
    refund = kind == Payment.Kind.REFUND
    if invoice is not None:
        invoice = _invoice_locked(actor=actor, invoice=invoice)
        order = _locked(actor=actor, order=invoice.order)
        if invoice.status == Invoice.Status.CANCELLED:
            raise Conflict(
                _("Invoice %(number)s is cancelled: it cannot be paid.")
                % {"number": invoice.number}
            )
        target, paid, total = invoice.number, invoice.amount_paid, invoice.total
    else:
        assert order is not None
        order = _locked(actor=actor, order=order)
        if order.status in (SalesOrder.Status.DRAFT, SalesOrder.Status.CANCELLED):
            raise Conflict(
                _("Order %(number)s is %(status)s: it cannot be paid.")
                % {"number": order.number, "status": status_label(order.status)}
            )
        if order.invoices.exclude(status=Invoice.Status.CANCELLED).exists():
            raise ValidationFailed(
                _("Order %(number)s has invoices: record the payment against an invoice.")
                % {"number": order.number},
                errors={"invoice_id": [_("Required.")]},
            )
        target, paid, total = order.number, order.amount_paid, order.total
    balance = total - paid
    if refund and amount > paid:
        raise ValidationFailed(
            _("%(target)s: at most %(currency)s %(paid)s can be refunded (what was paid).")
            % {"target": target, "currency": order.currency, "paid": paid},
            errors={"amount": [_("At most %(n)s.") % {"n": paid}]},
        )
    if not refund and amount > balance:
        raise ValidationFailed(
            _("%(target)s: the open balance is %(currency)s %(balance)s; %(amount)s is more.")
            % {"target": target, "currency": order.currency, "balance": balance, "amount": amount},
            errors={"amount": [_("At most %(n)s.") % {"n": balance}]},
            extra={"balance": str(balance)},
        )
    payment = model_create(
        actor=actor,
        instance=Payment(
            number=next_number(company=actor.company, key="PAY"),
            kind=kind,
            customer=order.customer,
            invoice=invoice,
            order=order,
            amount=amount,
            currency=order.currency,
            received_on=received_on or timezone.localdate(),
            method=method,
            reference=reference.strip()[:100],
            notes=notes,
        ),
    )
    signed = -amount if refund else amount
    if invoice is not None:
        new_paid = invoice.amount_paid + signed
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_paid=F("amount_paid") + signed,
            status=_invoice_status(invoice.total, new_paid),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    SalesOrder.objects.filter(pk=order.pk).update(amount_paid=F("amount_paid") + signed)
    subject = (
        _("Refund %(number)s: %(currency)s %(amount)s (%(target)s)")
        if refund
        else _("Payment %(number)s: %(currency)s %(amount)s (%(target)s)")
    )
    timeline_add(
        actor=actor,
        customer=order.customer,
        kind=TimelineEntry.Kind.PAYMENT,
        subject=subject
        % {
            "number": payment.number,
            "currency": payment.currency,
            "amount": amount,
            "target": target,
        },
        body=reference.strip(),
        related=payment,
        data={"kind": kind, "amount": str(amount), "target": target},
    )
    return payment
