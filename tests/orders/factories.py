"""Orders made through the services, so numbers, totals, audit and timeline are real."""

from decimal import Decimal

from shangyou.orders import billing, services, shipping
from shangyou.orders.services import LineInput
from tests.contacts.factories import CustomerFactory


def lines(*specs) -> list[LineInput]:
    """lines(("Pump", 10, "100.00"), ("Valve", 5, "20", "13")) → free-text lines."""
    result = []
    for spec in specs:
        description, quantity, price, *rest = spec
        result.append(
            LineInput(
                description=description,
                quantity=Decimal(str(quantity)),
                unit_price=Decimal(str(price)),
                tax_rate=Decimal(str(rest[0])) if rest else Decimal(0),
                unit="pcs",
            )
        )
    return result


def make_order(
    actor,
    *,
    customer=None,
    specs=(("Pump", 10, "100.00"), ("Valve", 5, "20.00")),
    confirm=True,
    **fields,
):
    customer = customer or CustomerFactory(
        actor=actor, name="Acme Trading", phone="+86 138 0013 8000", email="Buyer@Acme.test"
    )
    order = services.order_create(actor=actor, customer=customer, lines=lines(*specs), **fields)
    if confirm:
        order = services.order_confirm(actor=actor, order=order)
    return order


def ship(actor, order, quantities=None, **kwargs):
    """Ship `quantities` ({position: qty}) or everything open."""
    order_lines = list(order.lines.order_by("position"))
    if quantities is None:
        wanted = {line.pk: line.quantity - line.quantity_shipped for line in order_lines}
    else:
        wanted = {order_lines[pos - 1].pk: Decimal(str(q)) for pos, q in quantities.items()}
    return shipping.shipment_create(actor=actor, order=order, quantities=wanted, **kwargs)


def invoice(actor, order, quantities=None, **kwargs):
    if quantities is not None:
        order_lines = list(order.lines.order_by("position"))
        quantities = {order_lines[pos - 1].pk: Decimal(str(q)) for pos, q in quantities.items()}
    return billing.invoice_create(actor=actor, order=order, quantities=quantities, **kwargs)


def refresh(obj):
    obj.refresh_from_db()
    return obj
