"""Writes of the orders app: creating orders (by hand, from an accepted quotation, by import),
their transitions, shipments, invoices and payments.

`order_create` is the one way an order comes to exist; other apps (sales, purchasing, portal)
call it with plain data.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.money import document_totals, line_amounts
from shangyou.core.numbering import next_number
from shangyou.core.search import normalize_phone
from shangyou.core.services import audit_log, require_write

from .models import OrderLine, SalesOrder


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    product_id: int | None = None
    configuration_id: int | None = None
    sku: str = ""
    specification: str = ""
    unit: str = ""
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    required_date: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def order_create(
    *,
    actor: Actor,
    customer: Customer,
    lines: list[LineInput],
    status: str = SalesOrder.Status.DRAFT,
    source: str = SalesOrder.Source.MANUAL,
    order_date: date | None = None,
    document_discount_percent: Decimal = Decimal(0),
    **fields: Any,
) -> SalesOrder:
    """Create a numbered order with its lines and totals; audited and on the timeline.

    `fields` are further SalesOrder fields (currency, quotation, opportunity, contact,
    customer_reference, ship_to_*, requested_date, notes, buyer_company, owner, team …).
    Blacklisted customers cannot be sold to.
    """
    require_write(actor)
    from shangyou.contacts.services import ensure_can_sell

    ensure_can_sell(customer=customer)
    if customer.company_id != actor.company_id:
        raise ValidationFailed(_("Choose a customer of this company."))
    if not lines:
        raise ValidationFailed(
            _("An order needs at least one line."), errors={"lines": [_("Add a line.")]}
        )
    owner = fields.pop("owner", None) or customer.owner or actor.user
    team = fields.pop("team", None) or customer.team
    order = SalesOrder(
        company=actor.company,
        number=next_number(company=actor.company, key="SO"),
        customer=customer,
        status=status,
        source=source,
        order_date=order_date or timezone.localdate(),
        owner=owner,
        team=team,
        tracking_phone=normalize_phone(customer.phone),
        tracking_email=(customer.email or "").strip().lower(),
        created_by=actor.user,
        updated_by=actor.user,
        **fields,
    )
    if status == SalesOrder.Status.CONFIRMED:
        order.confirmed_at = timezone.now()
    order.save()
    rows, amounts = [], []
    for position, line in enumerate(lines, start=1):
        if line.quantity <= 0:
            raise ValidationFailed(
                _("Line %(n)s: the quantity must be more than zero.") % {"n": position}
            )
        computed = line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            document_discount_percent=document_discount_percent,
        )
        amounts.append(computed)
        rows.append(
            OrderLine(
                company=actor.company,
                order=order,
                position=position,
                product_id=line.product_id,
                configuration_id=line.configuration_id,
                sku=line.sku,
                description=line.description[:500],
                specification=line.specification,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                line_subtotal=computed.subtotal,
                line_tax=computed.tax,
                line_total=computed.total,
                required_date=line.required_date,
            )
        )
    OrderLine.objects.bulk_create(rows)
    totals = document_totals(amounts)
    order.subtotal, order.discount_total = totals.subtotal, totals.discount_total
    order.tax_total, order.total = totals.tax_total, totals.total
    order.save(update_fields=["subtotal", "discount_total", "tax_total", "total"])
    audit_log(
        actor=actor,
        instance=order,
        action=AuditEntry.Action.CREATE,
        changes={"number": [None, order.number], "total": [None, str(order.total)]},
    )
    timeline_add(
        actor=actor,
        customer=customer,
        kind=TimelineEntry.Kind.ORDER,
        subject=_("Order %(number)s: %(currency)s %(total)s")
        % {"number": order.number, "currency": order.currency, "total": order.total},
        related=order,
        data={"status": order.status, "total": str(order.total)},
    )
    return order
