"""Small presentation helpers of the sales pages."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

STAGE_CLASSES = {
    "qualification": "bg-azure-lt",
    "needs": "bg-indigo-lt",
    "proposal": "bg-purple-lt",
    "negotiation": "bg-orange-lt",
    "won": "bg-green-lt",
    "lost": "bg-red-lt",
}
STATUS_CLASSES = {
    "draft": "bg-secondary-lt",
    "sent": "bg-blue-lt",
    "accepted": "bg-green-lt",
    "declined": "bg-red-lt",
    "expired": "bg-yellow-lt",
    "superseded": "bg-secondary-lt",
}


@register.filter
def stage_class(stage: str) -> str:
    """The badge colour of an opportunity stage."""
    return STAGE_CLASSES.get(stage, "bg-secondary-lt")


@register.filter
def status_class(status: str) -> str:
    """The badge colour of a quotation status."""
    return STATUS_CLASSES.get(status, "bg-secondary-lt")


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros: 2.000 → 2, 1.500 → 1.5."""
    if value in (None, ""):
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def unit_price(value) -> str:
    """A unit price with 2 to 4 decimals and grouped thousands: 98000 → 98,000.00,
    18.5 → 18.50, 0.5765 → 0.5765 (unit prices are stored with 4 places; never rounded away)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.4f}"
    for _ in range(2):
        if text.endswith("0"):
            text = text[:-1]
    return text
