"""Writes of the orders app: creating orders (by hand, from an accepted quotation, by import),
editing drafts and their transitions (S3).

`order_create` is the one way an order comes to exist; other apps (sales, purchasing, portal)
call it with plain data. Shipments live in `shipping.py`, invoices and payments in
`billing.py`.

Transitions: draft → confirmed (lines, customer not blacklisted) → partly shipped / shipped
(driven by shipments) → completed (everything shipped); cancelled from draft or confirmed only.
A transition locks the order row (`select_for_update`), so two clicks cannot both win.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.money import document_totals, line_amounts
from shangyou.core.numbering import next_number
from shangyou.core.search import normalize_phone
from shangyou.core.services import audit_log, model_update, require_write, soft_delete

from .models import Invoice, OrderLine, SalesOrder
from .selectors import COUNTED_STATUSES

# Header fields an order's form, the API and `order_update` may set.
ORDER_FIELDS = (
    "order_date", "currency", "customer_reference", "ship_to_name", "ship_to_phone",
    "ship_to_address", "requested_date", "notes", "payment_terms_days",
)  # fmt: skip


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


def plain(value: Decimal) -> str:
    """A quantity as people write it: 10, 2.5 (not 1E+1 or 10.000)."""
    return format(Decimal(value).normalize(), "f")


def status_label(status: str) -> str:
    return str(SalesOrder.Status(status).label)


# --- lines --------------------------------------------------------------------------------------
def product_price(
    *, actor: Actor, product, customer: Customer | None, quantity: Decimal, currency: str = ""
) -> Decimal:
    """The unit price of a product for a customer: the catalog's `price_for` (price lists,
    grades, tiers, currency) when it exists, else the product's list price."""
    try:
        from shangyou.catalog.selectors import price_for  # type: ignore[attr-defined]
    except ImportError:
        return product.price
    price = price_for(
        actor=actor,
        product=product,
        customer=customer,
        quantity=quantity,
        currency=currency or None,
    )
    return price.unit_price


def line_from_product(
    *,
    actor: Actor,
    product_id: int,
    customer: Customer | None,
    quantity: Decimal,
    currency: str = "",
    **overrides: Any,
) -> LineInput:
    """A line for a product of the company: description, SKU, unit and tax rate from the
    product, the price from `product_price`; `overrides` (unit_price, tax_rate …) win."""
    from shangyou.catalog.models import Product

    product = Product.objects.filter(company_id=actor.company_id, pk=product_id).first()
    if product is None:
        raise ValidationFailed(
            _("Choose a product of this company."), errors={"product_id": [_("Unknown product.")]}
        )
    values: dict[str, Any] = {
        "description": product.name,
        "quantity": quantity,
        "unit_price": product_price(
            actor=actor, product=product, customer=customer, quantity=quantity, currency=currency
        ),
        "product_id": product.pk,
        "sku": product.sku,
        "unit": product.unit,
        "tax_rate": product.tax_rate,
    }
    values.update({k: v for k, v in overrides.items() if v not in (None, "")})
    return LineInput(**values)


def _decimal(value: Any, *, what: str, position: int) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(
            _("Line %(n)s: “%(value)s” is not a valid %(what)s.")
            % {"n": position, "value": value, "what": what}
        ) from None


def _write_lines(
    *, actor: Actor, order: SalesOrder, lines: list[LineInput], document_discount_percent: Decimal
) -> None:
    """Create the order's lines and set its totals (not saved)."""
    if not lines:
        raise ValidationFailed(
            _("An order needs at least one line."), errors={"lines": [_("Add a line.")]}
        )
    rows, amounts = [], []
    for position, line in enumerate(lines, start=1):
        quantity = _decimal(line.quantity, what=_("quantity"), position=position)
        unit_price = _decimal(line.unit_price, what=_("price"), position=position)
        discount = _decimal(line.discount_percent, what=_("discount"), position=position)
        tax_rate = _decimal(line.tax_rate, what=_("tax rate"), position=position)
        if quantity <= 0:
            raise ValidationFailed(
                _("Line %(n)s: the quantity must be more than zero.") % {"n": position}
            )
        if unit_price < 0:
            raise ValidationFailed(_("Line %(n)s: the price cannot be negative.") % {"n": position})
        if not (0 <= discount <= 100 and 0 <= tax_rate <= 100):
            raise ValidationFailed(
                _("Line %(n)s: discount and tax rate are percentages from 0 to 100.")
                % {"n": position}
            )
        if not (line.description or "").strip():
            raise ValidationFailed(_("Line %(n)s: describe what is sold.") % {"n": position})
        computed = line_amounts(
            quantity=quantity,
            unit_price=unit_price,
            discount_percent=discount,
            tax_rate=tax_rate,
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
                description=line.description.strip()[:500],
                specification=line.specification,
                quantity=quantity,
                unit=line.unit,
                unit_price=unit_price,
                discount_percent=discount,
                tax_rate=tax_rate,
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


# --- create, edit, delete -----------------------------------------------------------------------
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
    customer_reference, ship_to_*, requested_date, notes, buyer_company, owner, team,
    payment_terms_days …). Blacklisted customers cannot be sold to.
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
    _write_lines(
        actor=actor, order=order, lines=lines, document_discount_percent=document_discount_percent
    )
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
    if order.status == SalesOrder.Status.CONFIRMED:
        _customer_won(actor=actor, customer_id=customer.pk)
    if order.status in COUNTED_STATUSES:
        _order_counts_changed(order)
    return order


def _customer_won(*, actor: Actor, customer_id: int) -> None:
    """A lead or prospect with a confirmed order has become a customer (C2): its stage moves to
    customer (audited in its history; the order itself is on the timeline)."""
    from shangyou.contacts.services import customer_update

    customer = Customer.objects.filter(company_id=actor.company_id, pk=customer_id).first()
    if customer is None or customer.stage not in (Customer.Stage.LEAD, Customer.Stage.PROSPECT):
        return
    customer_update(
        actor=actor,
        customer=customer,
        data={"stage": Customer.Stage.CUSTOMER},
        version=customer.version,
    )


def _owner_fields(*, actor: Actor, owner_id: int | None) -> dict[str, Any]:
    from shangyou.accounts.models import Membership

    membership = (
        Membership.objects.filter(company_id=actor.company_id, user_id=owner_id, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("The owner must be an active member of this company."),
            errors={"owner_id": [_("Choose a colleague.")]},
        )
    return {"owner": membership.user, "team": membership.team}


@transaction.atomic
def order_update(
    *,
    actor: Actor,
    order: SalesOrder,
    data: dict[str, Any],
    version: int | None,
    lines: list[LineInput] | None = None,
) -> SalesOrder:
    """Edit a draft order's header and, when `lines` is given, replace its lines as a whole.
    Version-locked: an edit of a stale version is refused with who changed it."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status != SalesOrder.Status.DRAFT:
        raise Conflict(
            _("Order %(number)s is %(status)s: only draft orders can be edited.")
            % {"number": order.number, "status": status_label(order.status)}
        )
    if version is not None and version != order.version:
        # Checked before the lines are replaced; model_update checks it again in the UPDATE.
        model_update(actor=actor, instance=order, data={}, expected_version=version)
    fields = {k: v for k, v in data.items() if k in ORDER_FIELDS}
    if "owner_id" in data and data["owner_id"] != order.owner_id:
        fields.update(_owner_fields(actor=actor, owner_id=data["owner_id"]))
    if "customer_id" in data and data["customer_id"] != order.customer_id:
        from shangyou.contacts.selectors import customer_get
        from shangyou.contacts.services import ensure_can_sell

        customer = customer_get(actor=actor, id=data["customer_id"])
        ensure_can_sell(customer=customer)
        fields.update(
            customer=customer,
            tracking_phone=normalize_phone(customer.phone),
            tracking_email=(customer.email or "").strip().lower(),
        )
    if lines is not None:
        before_total = order.total
        order.lines.all().delete()
        _write_lines(
            actor=actor,
            order=order,
            lines=lines,
            document_discount_percent=Decimal(data.get("document_discount_percent") or 0),
        )
        fields.update(
            subtotal=order.subtotal,
            discount_total=order.discount_total,
            tax_total=order.tax_total,
            total=order.total,
        )
        order.total = before_total  # so the audit shows old → new
    order, _changes = model_update(
        actor=actor, instance=order, data=fields, expected_version=version
    )
    return order


def order_delete(*, actor: Actor, order: SalesOrder) -> None:
    """Only a draft goes to the trash; later orders are cancelled instead (they are history)."""
    if order.status != SalesOrder.Status.DRAFT:
        raise Conflict(
            _(
                "Order %(number)s is %(status)s: only draft orders can be deleted; "
                "cancel it instead."
            )
            % {"number": order.number, "status": status_label(order.status)}
        )
    soft_delete(actor=actor, instance=order)


# --- transitions --------------------------------------------------------------------------------
def _locked(*, actor: Actor, order: SalesOrder) -> SalesOrder:
    """The order row, re-read under a row lock (inside the caller's transaction)."""
    locked = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(company_id=actor.company_id, pk=order.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


def _refuse(order: SalesOrder, action: str, allowed: str) -> Conflict:
    return Conflict(
        _("Order %(number)s is %(status)s: it cannot be %(action)s (only when %(allowed)s).")
        % {
            "number": order.number,
            "status": status_label(order.status),
            "action": action,
            "allowed": allowed,
        },
        extra={"status": order.status},
    )


# Called (after commit) with an order whose status changed: the buyer's purchase order follows
# its supplier's sales order (procurement registers here; orders never imports it).
ORDER_STATUS_HOOKS: list[Callable[[SalesOrder], None]] = []


def _status_changed(order: SalesOrder) -> None:
    if order.buyer_company_id and ORDER_STATUS_HOOKS:
        transaction.on_commit(lambda: [hook(order) for hook in ORDER_STATUS_HOOKS])


# --- sales figures (analytics rollups, issue 5) ---------------------------------------------------
# Called with (company_id=, days=, owner_ids=) when orders start or stop counting as sales
# (`selectors.COUNTED_STATUSES`); the analytics app registers the refresh of its rollups.
# `owner_ids` None: every owner.
SALES_CHANGED_HOOKS: list[Callable[..., None]] = []


def sales_changed(*, company_id: int, days, owner_ids=None, after_commit: bool = True) -> None:
    """Tell the hooks (after commit by default; an import calls it inside its transaction)."""
    if not SALES_CHANGED_HOOKS:
        return

    def run() -> None:
        for hook in SALES_CHANGED_HOOKS:
            hook(company_id=company_id, days=days, owner_ids=owner_ids)

    if after_commit:
        transaction.on_commit(run, robust=True)  # a failed refresh is logged; rebuild fixes it
    else:
        run()


def _order_counts_changed(order: SalesOrder) -> None:
    sales_changed(company_id=order.company_id, days=[order.order_date], owner_ids=[order.owner_id])


# --- end of sales figures ------------------------------------------------------------------------


def _transition(
    *, actor: Actor, order: SalesOrder, data: dict[str, Any], subject: str, body: str = ""
) -> SalesOrder:
    counted_before = order.status in COUNTED_STATUSES
    order, _changes = model_update(
        actor=actor, instance=order, data=data, expected_version=order.version, clean=False
    )
    _status_changed(order)
    if (order.status in COUNTED_STATUSES) != counted_before:
        _order_counts_changed(order)
    timeline_add(
        actor=actor,
        customer=order.customer,
        kind=TimelineEntry.Kind.ORDER,
        subject=subject,
        body=body,
        related=order,
        data={"status": order.status},
    )
    return order


@transaction.atomic
def order_confirm(*, actor: Actor, order: SalesOrder) -> SalesOrder:
    """Draft → confirmed: the order needs lines and a customer who is not blacklisted."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status != SalesOrder.Status.DRAFT:
        raise _refuse(order, _("confirmed"), _("it is a draft"))
    if not order.lines.exists():
        raise ValidationFailed(
            _("Order %(number)s has no lines: add what is sold before confirming.")
            % {"number": order.number}
        )
    from shangyou.contacts.services import ensure_can_sell

    ensure_can_sell(customer=order.customer)
    order = _transition(
        actor=actor,
        order=order,
        data={"status": SalesOrder.Status.CONFIRMED, "confirmed_at": timezone.now()},
        subject=_("Order %(number)s confirmed") % {"number": order.number},
    )
    _customer_won(actor=actor, customer_id=order.customer_id)
    return order


@transaction.atomic
def order_complete(*, actor: Actor, order: SalesOrder) -> SalesOrder:
    """Shipped → completed: only when every line is shipped in full. Invoicing and payment are
    not required (the balance stays visible on the order and in receivables)."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status not in (SalesOrder.Status.SHIPPED, SalesOrder.Status.PARTLY_SHIPPED):
        raise _refuse(order, _("completed"), _("everything is shipped"))
    if order.lines.filter(quantity_shipped__lt=F("quantity")).exists():
        raise Conflict(
            _("Order %(number)s is %(status)s: ship the open quantities before completing it.")
            % {"number": order.number, "status": status_label(order.status)}
        )
    return _transition(
        actor=actor,
        order=order,
        data={"status": SalesOrder.Status.COMPLETED, "completed_at": timezone.now()},
        subject=_("Order %(number)s completed") % {"number": order.number},
    )


@transaction.atomic
def order_cancel(*, actor: Actor, order: SalesOrder, reason: str) -> SalesOrder:
    """Draft or confirmed → cancelled, with a reason; not once anything shipped or was paid.
    Unpaid invoices of the order are cancelled with it."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status not in (SalesOrder.Status.DRAFT, SalesOrder.Status.CONFIRMED):
        raise _refuse(order, _("cancelled"), _("it is a draft or confirmed and nothing shipped"))
    if order.lines.filter(quantity_shipped__gt=0).exists():
        raise Conflict(
            _("Order %(number)s has shipped goods: it cannot be cancelled.")
            % {"number": order.number}
        )
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason for cancelling."), errors={"reason": [_("Required.")]}
        )
    if order.amount_paid != 0 or order.invoices.filter(~Q(amount_paid=0)).exists():
        raise Conflict(
            _("Order %(number)s has payments: refund them before cancelling the order.")
            % {"number": order.number}
        )
    from .billing import invoice_cancel

    open_invoices = order.invoices.filter(
        status__in=(Invoice.Status.DRAFT, Invoice.Status.ISSUED), amount_paid=0
    )
    for invoice in open_invoices:
        invoice_cancel(
            actor=actor,
            invoice=invoice,
            reason=_("Order %(number)s cancelled") % {"number": order.number},
        )
    order.refresh_from_db()
    return _transition(
        actor=actor,
        order=order,
        data={
            "status": SalesOrder.Status.CANCELLED,
            "cancelled_at": timezone.now(),
            "cancel_reason": reason.strip()[:300],
        },
        subject=_("Order %(number)s cancelled") % {"number": order.number},
        body=reason.strip(),
    )


def order_sync_shipping_status(*, actor: Actor, order: SalesOrder) -> SalesOrder:
    """Confirmed / partly shipped / shipped from the lines' shipped quantities (called by the
    shipment services inside their transaction, with the order locked)."""
    if order.status not in (
        SalesOrder.Status.CONFIRMED,
        SalesOrder.Status.PARTLY_SHIPPED,
        SalesOrder.Status.SHIPPED,
    ):
        return order
    lines = list(order.lines.values_list("quantity", "quantity_shipped"))
    if lines and all(shipped >= quantity for quantity, shipped in lines):
        status = SalesOrder.Status.SHIPPED
    elif any(shipped > 0 for _quantity, shipped in lines):
        status = SalesOrder.Status.PARTLY_SHIPPED
    else:
        status = SalesOrder.Status.CONFIRMED
    if status != order.status:
        order, _changes = model_update(
            actor=actor,
            instance=order,
            data={"status": status},
            expected_version=order.version,
            clean=False,
        )
        _status_changed(order)
    return order
