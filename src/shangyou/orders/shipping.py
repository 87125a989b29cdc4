"""Shipments (S3): ship quantities of an order's open lines, follow the parcel with status
events, and let the customer track it without an account.

A shipment's quantities count as shipped from the moment it is created (the goods are taken
from the order); a shipment reported *returned* gives them back. The order moves between
confirmed / partly shipped / shipped with it. Every step is on the customer's timeline.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from shangyou.core.numbering import next_number
from shangyou.core.search import normalize_phone
from shangyou.core.services import model_create, model_update, require_write

from .models import OrderLine, SalesOrder, Shipment, ShipmentEvent, ShipmentLine
from .services import _locked, order_sync_shipping_status, plain, status_label

SHIPMENT_FIELDS = ("carrier", "tracking_number", "notes")
# Which status may follow which (an event may also repeat the current status: "in transit,
# now in Wuhan").
NEXT_STATUSES = {
    Shipment.Status.PREPARING: {Shipment.Status.SHIPPED, Shipment.Status.IN_TRANSIT},
    Shipment.Status.SHIPPED: {
        Shipment.Status.IN_TRANSIT,
        Shipment.Status.DELIVERED,
        Shipment.Status.RETURNED,
    },
    Shipment.Status.IN_TRANSIT: {Shipment.Status.DELIVERED, Shipment.Status.RETURNED},
    Shipment.Status.DELIVERED: {Shipment.Status.RETURNED},
    Shipment.Status.RETURNED: set(),
}


def _quantity(value: Any, line: OrderLine) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(
            _("“%(value)s” is not a quantity (line “%(line)s”).")
            % {"value": value, "line": line.description}
        ) from None
    if quantity < 0:
        raise ValidationFailed(
            _("Line “%(line)s”: a quantity cannot be negative.") % {"line": line.description}
        )
    return quantity


@transaction.atomic
def shipment_create(
    *,
    actor: Actor,
    order: SalesOrder,
    quantities: dict[int, Any],
    carrier: str = "",
    tracking_number: str = "",
    notes: str = "",
    status: str = Shipment.Status.SHIPPED,
    shipped_at: datetime | None = None,
    location: str = "",
) -> Shipment:
    """Ship `quantities` ({order line id: quantity}) of a confirmed or partly shipped order.
    Never more than ordered minus shipped; the order becomes partly shipped or shipped."""
    require_write(actor)
    order = _locked(actor=actor, order=order)
    if order.status not in (SalesOrder.Status.CONFIRMED, SalesOrder.Status.PARTLY_SHIPPED):
        raise Conflict(
            _("Order %(number)s is %(status)s: only confirmed orders with open lines can ship.")
            % {"number": order.number, "status": status_label(order.status)}
        )
    if status not in (Shipment.Status.PREPARING, Shipment.Status.SHIPPED):
        raise ValidationFailed(_("A new shipment is either being prepared or shipped."))
    lines = {line.pk: line for line in order.lines.select_for_update()}
    wanted: list[tuple[OrderLine, Decimal]] = []
    for raw_id, raw_quantity in (quantities or {}).items():
        line = lines.get(int(raw_id))
        if line is None:
            raise ValidationFailed(
                _("Choose lines of order %(number)s.") % {"number": order.number}
            )
        quantity = _quantity(raw_quantity, line)
        if quantity == 0:
            continue
        open_quantity = line.quantity - line.quantity_shipped
        if quantity > open_quantity:
            raise ValidationFailed(
                _(
                    "Line “%(line)s”: %(quantity)s cannot ship; %(ordered)s ordered, "
                    "%(shipped)s already shipped, so at most %(open)s."
                )
                % {
                    "line": line.description,
                    "quantity": plain(quantity),
                    "ordered": plain(line.quantity),
                    "shipped": plain(line.quantity_shipped),
                    "open": plain(open_quantity),
                },
                errors={f"quantities.{line.pk}": [_("At most %(n)s.") % {"n": open_quantity}]},
            )
        wanted.append((line, quantity))
    if not wanted:
        raise ValidationFailed(
            _("Enter the quantity to ship of at least one line."),
            errors={"quantities": [_("Required.")]},
        )
    now = timezone.now()
    shipment = model_create(
        actor=actor,
        instance=Shipment(
            order=order,
            number=next_number(company=actor.company, key="SH"),
            carrier=carrier.strip()[:60],
            tracking_number=tracking_number.strip()[:60],
            notes=notes,
            status=status,
            shipped_at=(shipped_at or now) if status == Shipment.Status.SHIPPED else None,
        ),
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(company=actor.company, shipment=shipment, order_line=line, quantity=quantity)
        for line, quantity in wanted
    )
    for line, quantity in wanted:
        OrderLine.objects.filter(pk=line.pk).update(
            quantity_shipped=F("quantity_shipped") + quantity
        )
    ShipmentEvent.objects.create(
        company=actor.company,
        shipment=shipment,
        at=shipment.shipped_at or now,
        status=status,
        location=location[:100],
        description=_("Shipment created") if status == Shipment.Status.PREPARING else "",
    )
    order = order_sync_shipping_status(actor=actor, order=order)
    summary = ", ".join(f"{line.description} × {plain(quantity)}" for line, quantity in wanted)
    timeline_add(
        actor=actor,
        customer=order.customer,
        kind=TimelineEntry.Kind.SHIPMENT,
        subject=_("Shipment %(number)s for order %(order)s: %(status)s")
        % {
            "number": shipment.number,
            "order": order.number,
            "status": shipment.get_status_display(),
        },
        body=" ".join(filter(None, [summary, carrier, tracking_number])),
        related=shipment,
        data={"order": order.number, "status": shipment.status},
    )
    return shipment


@transaction.atomic
def shipment_update(
    *, actor: Actor, shipment: Shipment, data: dict[str, Any], version: int | None
) -> Shipment:
    """Carrier, tracking number and notes (version-locked)."""
    fields = {k: (v or "").strip() for k, v in data.items() if k in SHIPMENT_FIELDS}
    shipment, _changes = model_update(
        actor=actor, instance=shipment, data=fields, expected_version=version
    )
    return shipment


def _shipment_locked(*, actor: Actor, shipment: Shipment) -> Shipment:
    locked = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order", "order__customer")
        .filter(company_id=actor.company_id, pk=shipment.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def shipment_event_add(
    *,
    actor: Actor,
    shipment: Shipment,
    status: str,
    at: datetime | None = None,
    location: str = "",
    description: str = "",
) -> ShipmentEvent:
    """Report a status (time, place, what happened). The shipment follows preparing → shipped
    → in transit → delivered, or returned; a return gives the quantities back to the order."""
    require_write(actor)
    shipment = _shipment_locked(actor=actor, shipment=shipment)
    if status not in Shipment.Status.values:
        raise ValidationFailed(_("Choose a shipment status."), errors={"status": [_("Unknown.")]})
    current = shipment.status
    if status != current and status not in NEXT_STATUSES[current]:
        raise Conflict(
            _("Shipment %(number)s is %(current)s: it cannot become %(status)s.")
            % {
                "number": shipment.number,
                "current": shipment.get_status_display(),
                "status": Shipment.Status(status).label,
            }
        )
    at = at or timezone.now()
    event = ShipmentEvent.objects.create(
        company=actor.company,
        shipment=shipment,
        at=at,
        status=status,
        location=location.strip()[:100],
        description=description.strip()[:300],
    )
    if status != current:
        data: dict[str, Any] = {"status": status}
        if status == Shipment.Status.SHIPPED and not shipment.shipped_at:
            data["shipped_at"] = at
        if status == Shipment.Status.DELIVERED:
            data["delivered_at"] = at
        if status == Shipment.Status.RETURNED:
            _give_back(actor=actor, shipment=shipment)
        model_update(
            actor=actor,
            instance=shipment,
            data=data,
            expected_version=shipment.version,
            clean=False,
        )
    timeline_add(
        actor=actor,
        customer=shipment.order.customer,
        kind=TimelineEntry.Kind.SHIPMENT,
        subject=_("Shipment %(number)s: %(status)s")
        % {"number": shipment.number, "status": Shipment.Status(status).label},
        body=" · ".join(filter(None, [location.strip(), description.strip()])),
        occurred_at=at,
        related=shipment,
        data={"order": shipment.order.number, "status": status},
    )
    return event


def _give_back(*, actor: Actor, shipment: Shipment) -> None:
    order = _locked(actor=actor, order=shipment.order)
    if order.status == SalesOrder.Status.COMPLETED:
        raise Conflict(
            _("Order %(number)s is completed: a return cannot reopen it.")
            % {"number": order.number}
        )
    for line_id, quantity in shipment.lines.values_list("order_line_id", "quantity"):
        OrderLine.objects.filter(pk=line_id).update(
            quantity_shipped=F("quantity_shipped") - quantity
        )
    order_sync_shipping_status(actor=actor, order=order)


# --- public tracking ------------------------------------------------------------------------------
def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "ORDER_TRACKING_MAX_ATTEMPTS", 20)),
        int(getattr(settings, "ORDER_TRACKING_WINDOW", 600)),
    )


def tracking_throttle(*, ip: str) -> None:
    """Count a tracking look-up for `ip`; too many within the window answer 429 (an order number
    is sequential and a phone often public: this keeps guessing slow)."""
    limit, window = _limits()
    key = f"order-track:ip:{ip or 'unknown'}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    if count > limit:
        raise RateLimited(
            _(
                "Too many tracking look-ups from your address. "
                "Wait %(minutes)d minutes and try again."
            )
            % {"minutes": max(1, window // 60)}
        )


def tracking_phone_keys(phone: str) -> list[str]:
    """The stored forms (`normalize_phone` of the customer's phone) that `phone` may match.

    A Chinese landline is written nationally with its trunk 0 ("0571-8765 4321") and
    internationally without it ("+86 571 8765 4321"); `normalize_phone` strips the country code
    only from 13-digit numbers (mobiles). So the national significant number — without 0086/86
    and the trunk 0 — is compared in each form it can be stored in.
    """
    digits = "".join(ch for ch in normalize_phone(phone) if ch.isdigit())
    if len(digits) < 6:
        return [digits] if digits else []
    national = digits
    if national.startswith("0086"):
        national = national[4:]
    elif national.startswith("86") and len(national) >= 11:  # no Chinese number starts with 86
        national = national[2:]
    national = national.removeprefix("0")
    return sorted({digits, national, f"0{national}", f"86{national}", f"860{national}"})


def tracking_lookup(*, number: str, phone: str = "", email: str = "", ip: str) -> SalesOrder:
    """The order with this number whose customer has this phone (any format) or email (any
    case). Wrong number, wrong phone or wrong email all answer the same "not found"."""
    tracking_throttle(ip=ip)
    number = (number or "").strip().upper()
    phone_keys = tracking_phone_keys(phone or "")
    email_key = (email or "").strip().lower()
    not_found = NotFound(
        _("No order matches this order number and phone number or email. Check both and try again.")
    )
    if not number or not (phone_keys or email_key):
        raise not_found
    orders = SalesOrder.objects.filter(number=number).exclude(status=SalesOrder.Status.DRAFT)
    if phone_keys:
        orders = orders.filter(tracking_phone__in=phone_keys)
    else:
        orders = orders.filter(tracking_email=email_key)
    order = orders.select_related("company").order_by("id").first()
    if order is None:
        raise not_found
    return order
