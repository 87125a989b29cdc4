"""Awards, purchase orders and goods receipts (B3).

Awarding an RFQ (whole, or line by line) creates one numbered purchase order (PO-<year>-<n>)
per chosen supplier with the lines awarded to it, at the supplier's quoted prices and currency,
and sends it: by email, and — for a supplier on the platform — as a draft sales order in the
supplier's own account (`orders.services.order_create`, source "platform", buyer_company = the
buyer), which the supplier confirms and ships there. The PO follows that order's status
(`purchase_order_sync_from_sales_order`, and `PurchaseOrder.effective_status` on display).
Goods receipts (per line, full or partial) close the order when everything has arrived.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.models import AuditEntry
from shangyou.core.money import document_totals, line_amounts
from shangyou.core.numbering import next_number
from shangyou.core.services import audit_log, model_update, require_write

from .models import (
    FOLLOWS_SUPPLIER,
    FROM_SALES_STATUS,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Rfq,
    RfqInvitation,
    SupplierQuoteLine,
)
from .services import _decimal, _timeline_both, company_notify_emails, owner_actor

AWARDABLE = (Rfq.Status.OPEN, Rfq.Status.CLOSED)


# --- award --------------------------------------------------------------------------------------
@transaction.atomic
def rfq_award(
    *,
    actor: Actor,
    rfq: Rfq,
    awards: dict[int, int] | None = None,
    invitation_id: int | None = None,
) -> list[PurchaseOrder]:
    """Award the RFQ: `awards` maps RFQ line id → invitation id (per line), or `invitation_id`
    awards every line that supplier priced (whole). One purchase order per supplier."""
    require_write(actor)
    rfq = Rfq.objects.select_for_update().get(pk=rfq.pk, company_id=actor.company_id)
    if rfq.status not in AWARDABLE:
        raise Conflict(
            _("RFQ %(number)s is %(status)s: it cannot be awarded.")
            % {"number": rfq.number, "status": rfq.get_status_display()}
        )
    invitations = {
        inv.pk: inv
        for inv in rfq.invitations.filter(status=RfqInvitation.Status.ANSWERED).select_related(
            "supplier", "supplier_company", "buyer_record", "quote", "company"
        )
    }
    quote_lines: dict[tuple[int, int], SupplierQuoteLine] = {
        (row.quote.invitation_id, row.rfq_line_id): row
        for row in SupplierQuoteLine.objects.filter(quote__rfq=rfq).select_related("quote")
    }
    lines = {line.pk: line for line in rfq.lines.all()}
    if invitation_id is not None:
        if int(invitation_id) not in invitations:
            raise ValidationFailed(
                _("Choose a supplier that answered this RFQ."),
                errors={"invitation_id": [_("No answer from this supplier.")]},
            )
        awards = {
            line_id: int(invitation_id)
            for line_id in lines
            if (int(invitation_id), line_id) in quote_lines
        }
    awards = {int(k): int(v) for k, v in (awards or {}).items() if v}
    if not awards:
        raise ValidationFailed(
            _("Choose a supplier for at least one line."), errors={"awards": [_("Required.")]}
        )
    per_invitation: dict[int, list[tuple[Any, SupplierQuoteLine]]] = defaultdict(list)
    for line_id, inv_id in awards.items():
        if line_id not in lines:
            raise ValidationFailed(
                _("Line %(id)s is not a line of this RFQ.") % {"id": line_id},
                errors={"awards": [_("Unknown line.")]},
            )
        quote_line = quote_lines.get((inv_id, line_id))
        if inv_id not in invitations or quote_line is None:
            raise ValidationFailed(
                _("Line %(n)s: the chosen supplier did not quote it.")
                % {"n": lines[line_id].position},
                errors={f"awards.{line_id}": [_("Not quoted by this supplier.")]},
            )
        per_invitation[inv_id].append((lines[line_id], quote_line))
    orders = []
    for inv_id, chosen in sorted(per_invitation.items()):
        chosen.sort(key=lambda pair: pair[0].position)
        orders.append(
            _purchase_order_create(
                actor=actor, rfq=rfq, invitation=invitations[inv_id], chosen=chosen
            )
        )
    rfq, _changes = model_update(
        actor=actor,
        instance=rfq,
        data={
            "status": Rfq.Status.AWARDED,
            "awarded_at": timezone.now(),
            "closed_at": rfq.closed_at or timezone.now(),
        },
        expected_version=rfq.version,
    )
    return orders


def _purchase_order_create(
    *, actor: Actor, rfq: Rfq, invitation: RfqInvitation, chosen: list
) -> PurchaseOrder:
    quote = invitation.quote
    order = PurchaseOrder(
        company=actor.company,
        number=next_number(company=actor.company, key="PO"),
        rfq=rfq,
        invitation=invitation,
        supplier=invitation.supplier,
        supplier_company=invitation.supplier_company,
        status=PurchaseOrder.Status.SENT,
        order_date=timezone.localdate(),
        currency=quote.currency,
        payment_terms=quote.payment_terms or rfq.payment_terms,
        delivery_address=rfq.delivery_address,
        owner=actor.user,
        team_id=rfq.team_id,
        created_by=actor.user,
        updated_by=actor.user,
    )
    order.save()
    rows, amounts = [], []
    for position, (rfq_line, quote_line) in enumerate(chosen, start=1):
        computed = line_amounts(
            quantity=rfq_line.quantity,
            unit_price=quote_line.unit_price,
            tax_rate=quote_line.tax_rate,
        )
        amounts.append(computed)
        rows.append(
            PurchaseOrderLine(
                company=actor.company,
                order=order,
                position=position,
                rfq_line=rfq_line,
                product_id=rfq_line.product_id,
                sku=rfq_line.sku,
                description=rfq_line.description,
                specification=rfq_line.specification,
                quantity=rfq_line.quantity,
                unit=rfq_line.unit,
                unit_price=quote_line.unit_price,
                tax_rate=quote_line.tax_rate,
                line_subtotal=computed.subtotal,
                line_tax=computed.tax,
                line_total=computed.total,
                lead_time_days=quote_line.lead_time_days,
                required_date=rfq_line.required_date,
            )
        )
    PurchaseOrderLine.objects.bulk_create(rows)
    totals = document_totals(amounts)
    order.subtotal, order.tax_total, order.total = totals.subtotal, totals.tax_total, totals.total
    order.save(update_fields=["subtotal", "tax_total", "total"])
    audit_log(
        actor=actor,
        instance=order,
        action=AuditEntry.Action.CREATE,
        changes={"number": [None, order.number], "total": [None, str(order.total)]},
    )
    _deliver(actor=actor, order=order, invitation=invitation, lines=rows)
    return order


def _deliver(*, actor: Actor, order: PurchaseOrder, invitation: RfqInvitation, lines: list) -> None:
    """Send the PO: as a sales order into a platform supplier's account, and by email."""
    recipients: list[str] = []
    if order.supplier_company_id:
        from shangyou.network.services import crm_record_for
        from shangyou.orders.services import LineInput, order_create

        supplier_actor = owner_actor(order.supplier_company)
        buyer_record = invitation.buyer_record or crm_record_for(
            company=order.supplier_company, other=actor.company
        )
        sales_order = order_create(
            actor=supplier_actor,
            customer=buyer_record,
            lines=[
                LineInput(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    sku=line.sku,
                    specification=line.specification,
                    unit=line.unit,
                    tax_rate=line.tax_rate,
                    required_date=line.required_date,
                )
                for line in lines
            ],
            status="draft",
            source="platform",
            buyer_company=actor.company,
            currency=order.currency,
            customer_reference=order.number,
            ship_to_address=order.delivery_address[:300],
            quotation=invitation.supplier_quotation
            if invitation.supplier_quotation_id
            and invitation.supplier_quotation.company_id == order.supplier_company_id
            else None,
            notes=_("Purchase order %(number)s from %(buyer)s (RFQ %(rfq)s)")
            % {"number": order.number, "buyer": actor.company.name, "rfq": order.rfq.number},
        )
        order.sales_order = sales_order
        recipients = company_notify_emails(order.supplier_company)
    elif invitation.email or order.supplier.email:
        recipients = [invitation.email or order.supplier.email]
    order.sent_at = timezone.now()
    order.sent_to = ", ".join(recipients)[:254]
    order.save(update_fields=["sales_order", "sent_at", "sent_to"])
    if recipients:
        send_templated_mail(
            to=recipients,
            template="purchasing/email/purchase_order",
            context={
                "order": order,
                "lines": lines,
                "buyer": actor.company,
                "supplier": order.supplier,
                "sender": actor.user,
                "platform": bool(order.supplier_company_id),
            },
            company=actor.company,
            reply_to=[actor.user.email] if actor.user.email else None,
        )
    timeline_add(
        actor=actor,
        customer=order.supplier,
        kind=TimelineEntry.Kind.ORDER,
        subject=_("Purchase order %(number)s sent: %(currency)s %(total)s")
        % {"number": order.number, "currency": order.currency, "total": order.total},
        related=order,
        data={"status": order.status, "total": str(order.total)},
    )


# --- status flowing back from the supplier's sales order -----------------------------------------
def purchase_order_sync_from_sales_order(order) -> list[PurchaseOrder]:
    """Bring the purchase orders linked to the supplier's sales order `order` in line with its
    status (confirmed, shipped, cancelled …). The orders app calls this after a transition; it
    is idempotent. Receipts and the buyer's own cancellation are never overridden."""
    status = FROM_SALES_STATUS.get(order.status)
    if status is None:
        return []
    changed = []
    linked = PurchaseOrder.objects.filter(
        sales_order_id=order.pk, status__in=FOLLOWS_SUPPLIER
    ).select_related("supplier", "company")
    for po in linked:
        if po.status == status:
            continue
        values: dict[str, Any] = {"status": status}
        if status == PurchaseOrder.Status.CONFIRMED and po.confirmed_at is None:
            values["confirmed_at"] = timezone.now()
        if status == PurchaseOrder.Status.CANCELLED:
            values["cancelled_at"] = timezone.now()
            values["cancel_reason"] = (order.cancel_reason or _("Cancelled by the supplier"))[:300]
        with transaction.atomic():
            PurchaseOrder.all_objects.filter(pk=po.pk).update(**values, version=F("version") + 1)
            audit_log(
                actor=None,
                instance=po,
                action=AuditEntry.Action.UPDATE,
                company=po.company,
                changes={"status": [po.status, status]},
                note=_("Supplier's order %(number)s") % {"number": order.number},
            )
            label = PurchaseOrder.Status(status).label
            timeline_add(
                actor=None,
                customer=po.supplier,
                kind=TimelineEntry.Kind.ORDER,
                subject=_("Purchase order %(number)s: %(status)s")
                % {"number": po.number, "status": label},
                related=po,
                company=po.company,
                data={"status": status},
            )
        po.status = status
        changed.append(po)
    return changed


@transaction.atomic
def purchase_order_confirm(*, actor: Actor, order: PurchaseOrder) -> PurchaseOrder:
    """Record that an external supplier confirmed the PO (by phone, email …). A platform
    supplier confirms in its own account instead."""
    require_write(actor)
    if order.sales_order_id:
        raise Conflict(
            _("%(supplier)s is on the platform and confirms purchase order %(number)s itself.")
            % {"supplier": order.supplier.name, "number": order.number}
        )
    if order.status != PurchaseOrder.Status.SENT:
        raise Conflict(
            _("Purchase order %(number)s is %(status)s: only a sent order can be confirmed.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    order, _changes = model_update(
        actor=actor,
        instance=order,
        data={"status": PurchaseOrder.Status.CONFIRMED, "confirmed_at": timezone.now()},
        expected_version=order.version,
    )
    timeline_add(
        actor=actor,
        customer=order.supplier,
        kind=TimelineEntry.Kind.ORDER,
        subject=_("Purchase order %(number)s confirmed by the supplier") % {"number": order.number},
        related=order,
    )
    return order


@transaction.atomic
def purchase_order_cancel(*, actor: Actor, order: PurchaseOrder, reason: str) -> PurchaseOrder:
    """Cancel a PO nothing of which was received; the supplier is told on its timeline."""
    require_write(actor)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk, company_id=actor.company_id)
    if (
        order.status
        not in (
            PurchaseOrder.Status.SENT,
            PurchaseOrder.Status.CONFIRMED,
        )
        or order.lines.filter(quantity_received__gt=0).exists()
    ):
        raise Conflict(
            _(
                "Purchase order %(number)s is %(status)s: only a sent or confirmed order with "
                "nothing received can be cancelled."
            )
            % {"number": order.number, "status": order.get_status_display()}
        )
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason for cancelling."), errors={"reason": [_("Required.")]}
        )
    order, _changes = model_update(
        actor=actor,
        instance=order,
        data={
            "status": PurchaseOrder.Status.CANCELLED,
            "cancelled_at": timezone.now(),
            "cancel_reason": reason.strip()[:300],
        },
        expected_version=order.version,
    )
    invitation = order.invitation
    if invitation is not None:
        _timeline_both(
            invitation=invitation,
            actor=actor,
            buyer_subject=_("Purchase order %(number)s cancelled") % {"number": order.number},
            supplier_subject=_("%(buyer)s cancelled purchase order %(number)s")
            % {"buyer": actor.company.name, "number": order.number},
            kind=TimelineEntry.Kind.ORDER,
            related=order,
            body=reason.strip(),
        )
    return order


# --- goods receipts -----------------------------------------------------------------------------
@transaction.atomic
def goods_receipt_create(
    *,
    actor: Actor,
    order: PurchaseOrder,
    lines: list[dict[str, Any]],
    received_on: date | None = None,
    notes: str = "",
) -> GoodsReceipt:
    """Record goods that arrived: `lines` = [{"line_id", "quantity"}] (at most what is still
    open per line). The PO becomes partly received, or received (closed) when every line is."""
    require_write(actor)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk, company_id=actor.company_id)
    if order.status in (PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.CANCELLED):
        raise Conflict(
            _("Purchase order %(number)s is %(status)s: nothing more can be received.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    order_lines = {line.pk: line for line in order.lines.all()}
    quantities: dict[int, Decimal] = {}
    for n, row in enumerate(lines, start=1):
        try:
            line = order_lines[int(row.get("line_id") or 0)]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(
                _("Row %(n)s is not a line of purchase order %(number)s.")
                % {"n": n, "number": order.number},
                errors={"lines": [_("Unknown line.")]},
            ) from exc
        quantity = _decimal(
            row.get("quantity"),
            field=f"lines.{line.position}.quantity",
            label=_("Line %(n)s: the quantity") % {"n": line.position},
            required=False,
        )
        if not quantity:
            continue
        if quantity < 0:
            raise ValidationFailed(
                _("Line %(n)s: the quantity cannot be negative.") % {"n": line.position},
                errors={f"lines.{line.position}.quantity": [_("Zero or more.")]},
            )
        quantities[line.pk] = quantities.get(line.pk, Decimal(0)) + quantity
        if quantities[line.pk] > line.quantity_open:
            raise ValidationFailed(
                _("Line %(n)s: only %(open)s %(unit)s are still expected.")
                % {"n": line.position, "open": line.quantity_open.normalize(), "unit": line.unit},
                errors={f"lines.{line.position}.quantity": [_("More than ordered.")]},
            )
    if not quantities:
        raise ValidationFailed(
            _("Enter the quantity received for at least one line."),
            errors={"lines": [_("Required.")]},
        )
    received_on = received_on or timezone.localdate()
    receipt = GoodsReceipt(
        company=actor.company,
        number=next_number(company=actor.company, key="GR"),
        order=order,
        received_on=received_on,
        notes=notes.strip(),
        created_by=actor.user,
        updated_by=actor.user,
    )
    receipt.save()
    GoodsReceiptLine.objects.bulk_create(
        GoodsReceiptLine(company=actor.company, receipt=receipt, order_line_id=pk, quantity=qty)
        for pk, qty in quantities.items()
    )
    for pk, qty in quantities.items():
        PurchaseOrderLine.objects.filter(pk=pk).update(
            quantity_received=F("quantity_received") + qty
        )
    remaining = [line for line in order.lines.all() if line.quantity_received < line.quantity]
    data: dict[str, Any] = {
        "status": PurchaseOrder.Status.PARTLY_RECEIVED
        if remaining
        else PurchaseOrder.Status.RECEIVED
    }
    if not remaining:
        data["closed_at"] = timezone.now()
    audit_log(
        actor=actor,
        instance=receipt,
        action=AuditEntry.Action.CREATE,
        changes={"lines": [None, {str(k): str(v) for k, v in quantities.items()}]},
    )
    order, _changes = model_update(
        actor=actor, instance=order, data=data, expected_version=order.version
    )
    subject = (
        _("Goods received for purchase order %(number)s (%(receipt)s): order closed")
        if not remaining
        else _("Goods partly received for purchase order %(number)s (%(receipt)s)")
    ) % {"number": order.number, "receipt": receipt.number}
    if order.invitation_id:
        _timeline_both(
            invitation=order.invitation,
            actor=actor,
            buyer_subject=subject,
            supplier_subject=_("%(buyer)s received goods of purchase order %(number)s")
            % {"buyer": actor.company.name, "number": order.number},
            kind=TimelineEntry.Kind.SHIPMENT,
            related=order,
        )
    else:
        timeline_add(
            actor=actor,
            customer=order.supplier,
            kind=TimelineEntry.Kind.SHIPMENT,
            subject=subject,
            related=order,
        )
    from .scorecard import supplier_score_refresh

    supplier = order.supplier
    transaction.on_commit(lambda: supplier_score_refresh(company=actor.company, supplier=supplier))
    return receipt


def goods_receipt_receive_all(
    *, actor: Actor, order: PurchaseOrder, received_on: date | None = None, notes: str = ""
) -> GoodsReceipt:
    """Receive every open quantity of the order at once."""
    lines = [
        {"line_id": line.pk, "quantity": line.quantity_open}
        for line in order.lines.all()
        if line.quantity_open > 0
    ]
    return goods_receipt_create(
        actor=actor, order=order, lines=lines, received_on=received_on, notes=notes
    )
