"""Orders: creation, draft edits, transitions and their refusals (S3)."""

from decimal import Decimal

import pytest

from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.services import customer_blacklist
from shangyou.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangyou.orders import services
from shangyou.orders.models import Invoice, SalesOrder
from tests.contacts.factories import CustomerFactory

from .factories import invoice, lines, make_order, refresh, ship

pytestmark = pytest.mark.django_db


def test_order_create_numbers_and_totals_with_tax(tenant):
    actor = tenant.actor("sales")
    order = make_order(
        actor, specs=(("Pump", 3, "99.99", "13"), ("Service", 1, "50")), confirm=False
    )
    assert order.number.startswith("SO-")
    assert order.status == "draft"
    assert order.subtotal == Decimal("349.97")
    assert order.tax_total == Decimal("39.00")
    assert order.total == Decimal("388.97")
    assert order.tracking_phone == "13800138000"
    assert order.tracking_email == "buyer@acme.test"
    assert order.owner == tenant.user("sales")


def test_draft_edit_replaces_lines_and_bumps_version(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, confirm=False)
    updated = services.order_update(
        actor=actor,
        order=order,
        data={"notes": "urgent"},
        version=order.version,
        lines=lines(("Motor", 2, "10")),
    )
    assert updated.version == order.version + 1
    assert [line.description for line in updated.lines.all()] == ["Motor"]
    assert refresh(updated).total == Decimal("20.00")
    assert updated.notes == "urgent"


def test_draft_edit_with_stale_version_is_refused(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, confirm=False)
    services.order_update(actor=actor, order=order, data={"notes": "a"}, version=order.version)
    with pytest.raises(Conflict):
        services.order_update(actor=actor, order=order, data={"notes": "b"}, version=1)
    assert refresh(order).notes == "a"


def test_confirmed_order_cannot_be_edited(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    with pytest.raises(Conflict, match="Confirmed"):
        services.order_update(actor=actor, order=order, data={"notes": "x"}, version=order.version)


def test_confirm_refused_for_blacklisted_customer(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, confirm=False)
    customer_blacklist(
        actor=tenant.actor("manager"), customer=order.customer, blacklisted=True, reason="unpaid"
    )
    with pytest.raises(PermissionDenied, match="blacklisted"):
        services.order_confirm(actor=actor, order=order)
    assert refresh(order).status == "draft"


def test_confirm_twice_is_refused_naming_the_status(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    with pytest.raises(Conflict, match="is Confirmed"):
        services.order_confirm(actor=actor, order=order)


def test_confirm_without_lines_is_refused(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, confirm=False)
    order.lines.all().delete()
    with pytest.raises(ValidationFailed, match="no lines"):
        services.order_confirm(actor=actor, order=order)


def test_partial_shipment_then_rest_drives_status(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    ship(actor, order, {1: 4})
    assert refresh(order).status == "partly_shipped"
    ship(actor, order)
    assert refresh(order).status == "shipped"
    assert [line.quantity_shipped for line in order.lines.all()] == [Decimal(10), Decimal(5)]


def test_shipping_more_than_open_is_refused(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    ship(actor, order, {1: 8})
    with pytest.raises(ValidationFailed, match="at most 2"):
        ship(actor, order, {1: 3})
    assert refresh(order).lines.get(position=1).quantity_shipped == Decimal(8)


def test_draft_order_cannot_ship(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor, confirm=False)
    with pytest.raises(Conflict, match="Draft"):
        ship(actor, order, {1: 1})


def test_complete_only_when_everything_shipped(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    with pytest.raises(Conflict, match="Confirmed"):
        services.order_complete(actor=actor, order=order)
    ship(actor, order, {1: 10})
    with pytest.raises(Conflict, match="ship the open quantities"):
        services.order_complete(actor=actor, order=order)
    ship(actor, order)
    order = services.order_complete(actor=actor, order=order)
    assert order.status == "completed" and order.completed_at
    assert refresh(order).balance == order.total  # unpaid is allowed, the balance shows


def test_cancel_needs_a_reason_and_cancels_unpaid_invoices(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    inv = invoice(actor, order)
    with pytest.raises(ValidationFailed):
        services.order_cancel(actor=actor, order=order, reason=" ")
    order = services.order_cancel(actor=actor, order=order, reason="customer changed mind")
    assert order.status == "cancelled" and order.cancel_reason == "customer changed mind"
    assert refresh(inv).status == Invoice.Status.CANCELLED
    assert refresh(order).amount_invoiced == 0


def test_cancel_refused_once_anything_shipped(tenant):
    actor = tenant.actor("sales")
    order = make_order(actor)
    ship(actor, order, {1: 1})
    with pytest.raises(Conflict, match="Partly shipped"):
        services.order_cancel(actor=actor, order=order, reason="x")


def test_cancel_refused_with_payments(tenant):
    from shangyou.orders.billing import payment_create

    actor = tenant.actor("sales")
    order = make_order(actor)
    payment_create(actor=actor, order=order, amount="100")
    with pytest.raises(Conflict, match="refund"):
        services.order_cancel(actor=actor, order=order, reason="x")


def test_delete_only_drafts(tenant):
    actor = tenant.actor("sales")
    draft = make_order(actor, confirm=False)
    services.order_delete(actor=actor, order=draft)
    assert not SalesOrder.objects.filter(pk=draft.pk).exists()
    confirmed = make_order(actor)
    with pytest.raises(Conflict, match="cancel it instead"):
        services.order_delete(actor=actor, order=confirmed)


def test_readonly_cannot_create(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="X")
    with pytest.raises(PermissionDenied):
        services.order_create(
            actor=tenant.actor("readonly"), customer=customer, lines=lines(("a", 1, 1))
        )


def test_each_step_is_on_the_timeline(tenant):
    from shangyou.orders.billing import payment_create
    from shangyou.orders.shipping import shipment_event_add

    actor = tenant.actor("sales")
    order = make_order(actor)
    shipment = ship(actor, order, carrier="SF", tracking_number="SF123")
    shipment_event_add(actor=actor, shipment=shipment, status="delivered", location="Suzhou")
    inv = invoice(actor, order)
    payment_create(actor=actor, invoice=inv, amount=inv.total)
    services.order_complete(actor=actor, order=order)
    kinds = list(
        TimelineEntry.objects.filter(customer=order.customer)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["order", "order", "shipment", "shipment", "invoice", "payment", "order"]
    entry = TimelineEntry.objects.filter(customer=order.customer, kind="shipment").first()
    assert entry.related_id == shipment.pk


def test_line_from_product_takes_price_unit_and_tax(tenant):
    from shangyou.catalog.models import Product

    actor = tenant.actor("owner")
    product = Product.objects.create(
        company=tenant.company, sku="P-1", name="Gear pump", unit="set",
        price=Decimal("123.4500"), tax_rate=Decimal("9"),
    )  # fmt: skip
    line = services.line_from_product(
        actor=actor, product_id=product.pk, customer=None, quantity=Decimal(2)
    )
    assert (line.sku, line.unit, line.tax_rate, line.description) == ("P-1", "set", 9, "Gear pump")
    assert line.unit_price == Decimal("123.4500")


def test_product_of_another_company_is_refused(tenant, other_tenant):
    from shangyou.catalog.models import Product

    product = Product.objects.create(company=other_tenant.company, sku="X", name="Theirs")
    with pytest.raises(ValidationFailed):
        services.line_from_product(
            actor=tenant.actor("owner"), product_id=product.pk, customer=None, quantity=1
        )


def test_returned_shipment_gives_quantities_back(tenant):
    from shangyou.orders.shipping import shipment_event_add

    actor = tenant.actor("sales")
    order = make_order(actor)
    shipment = ship(actor, order)
    assert refresh(order).status == "shipped"
    shipment_event_add(actor=actor, shipment=shipment, status="returned", description="damaged")
    assert refresh(order).status == "confirmed"
    assert refresh(shipment).status == "returned"
    assert all(line.quantity_shipped == 0 for line in order.lines.all())


def test_shipment_status_cannot_go_back(tenant):
    from shangyou.orders.shipping import shipment_event_add

    actor = tenant.actor("sales")
    order = make_order(actor)
    shipment = ship(actor, order)
    shipment_event_add(actor=actor, shipment=shipment, status="delivered")
    with pytest.raises(Conflict, match="Delivered"):
        shipment_event_add(actor=actor, shipment=shipment, status="in_transit")
