"""Orders API (S3, S4, I1): orders and their transitions, shipments and events, invoices,
payments and refunds, receivables with ageing, the open-orders feed for the ERP, and public
order tracking (`GET /track`, no authentication, rate-limited)."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from shangyou.core.api import Page, paginate, version_from
from shangyou.core.pagination import DEFAULT_CAP, bounded_count
from shangyou.core.schema import Schema

from . import billing, selectors, services, shipping
from .models import Payment, SalesOrder, Shipment

router = Router(tags=["orders"])


# --- schemas ------------------------------------------------------------------------------------
class OrderLineIn(Schema):
    """A product line (`product_id`: description, unit, tax rate and price from the catalog
    unless given) or a free-text line (`description` and `unit_price`)."""

    product_id: int | None = None
    description: str = ""
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal | None = None
    sku: str = ""
    unit: str = ""
    specification: str = ""
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = None
    required_date: date | None = None


class OrderIn(Schema):
    customer_id: int
    lines: list[OrderLineIn]
    order_date: date | None = None
    currency: str | None = None
    customer_reference: str = ""
    ship_to_name: str = ""
    ship_to_phone: str = ""
    ship_to_address: str = ""
    requested_date: date | None = None
    notes: str = ""
    payment_terms_days: int = Field(default=30, ge=0, le=3650)
    owner_id: int | None = None
    document_discount_percent: Decimal = Decimal(0)


class OrderPatch(Schema):
    customer_id: int | None = None
    lines: list[OrderLineIn] | None = None
    order_date: date | None = None
    currency: str | None = None
    customer_reference: str | None = None
    ship_to_name: str | None = None
    ship_to_phone: str | None = None
    ship_to_address: str | None = None
    requested_date: date | None = None
    notes: str | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=3650)
    owner_id: int | None = None
    document_discount_percent: Decimal | None = None
    version: int | None = None


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str
    status: str
    source: str
    order_date: date
    currency: str
    customer_reference: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_invoiced: Decimal
    amount_paid: Decimal
    balance: Decimal
    requested_date: date | None
    owner_id: int | None
    team_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name


class OrderLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    sku: str
    description: str
    specification: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    line_subtotal: Decimal
    line_tax: Decimal
    line_total: Decimal
    quantity_shipped: Decimal
    quantity_invoiced: Decimal
    required_date: date | None


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    ship_to_name: str
    ship_to_phone: str
    ship_to_address: str
    notes: str
    payment_terms_days: int
    confirmed_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(selectors.order_lines(order=obj))


class OrderFilters(Schema):
    view: str = "all"
    status: str = ""
    customer: int | None = None
    owner: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    sort: str = "-date"
    limit: int = 50
    offset: int = 0


class OrderCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class LineQuantityIn(Schema):
    line_id: int
    quantity: Decimal = Field(ge=0)


class ShipmentIn(Schema):
    lines: list[LineQuantityIn]
    carrier: str = ""
    tracking_number: str = ""
    notes: str = ""
    status: str = Shipment.Status.SHIPPED
    location: str = ""


class ShipmentPatch(Schema):
    carrier: str | None = None
    tracking_number: str | None = None
    notes: str | None = None
    version: int | None = None


class ShipmentLineOut(Schema):
    order_line_id: int
    description: str
    quantity: Decimal

    @staticmethod
    def resolve_description(obj) -> str:
        return obj.order_line.description


class ShipmentEventOut(Schema):
    id: int
    at: datetime
    status: str
    location: str
    description: str


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    notes: str
    version: int
    lines: list[ShipmentLineOut]
    events: list[ShipmentEventOut]

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.select_related("order_line"))

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.order_by("-at", "-id"))


class ShipmentEventIn(Schema):
    status: str = Field(description="preparing, shipped, in_transit, delivered or returned")
    at: datetime | None = None
    location: str = ""
    description: str = ""


class InvoiceIn(Schema):
    """Leave `lines` out to invoice everything not yet invoiced."""

    lines: list[LineQuantityIn] | None = None
    issue_date: date | None = None
    due_date: date | None = None
    notes: str = ""


class InvoiceLineOut(Schema):
    order_line_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    line_subtotal: Decimal
    line_tax: Decimal
    line_total: Decimal


class InvoiceOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    status: str
    issue_date: date
    due_date: date
    currency: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    notes: str
    version: int

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class InvoiceCancelIn(Schema):
    reason: str = ""


class PaymentIn(Schema):
    """Against `invoice_id`, or `order_id` for an order that has no invoice. A refund
    (`kind: refund`) sends money back: never more than was paid."""

    invoice_id: int | None = None
    order_id: int | None = None
    amount: Decimal = Field(gt=0)
    kind: Payment.Kind = Payment.Kind.PAYMENT
    method: Payment.Method = Payment.Method.BANK
    received_on: date | None = None
    reference: str = ""
    notes: str = ""


class PaymentRefundIn(Schema):
    amount: Decimal = Field(gt=0)
    method: Payment.Method | None = None
    received_on: date | None = None
    reference: str = ""
    notes: str = ""


class PaymentOut(Schema):
    id: int
    number: str
    kind: str
    customer_id: int
    invoice_id: int | None
    order_id: int | None
    amount: Decimal
    currency: str
    received_on: date
    method: str
    reference: str
    notes: str
    created_at: datetime


class AgeingRowOut(Schema):
    customer_id: int
    customer_name: str
    currency: str
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    total: Decimal
    invoices: int


class AgeingTotalOut(Schema):
    currency: str
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    total: Decimal


class ReceivablesOut(Schema):
    as_of: date
    rows: list[AgeingRowOut]
    totals: list[AgeingTotalOut]


class OpenLineOut(Schema):
    order_id: int
    order_number: str
    order_status: str
    customer_id: int
    customer_name: str
    line_id: int
    product_id: int | None
    sku: str
    description: str
    quantity: Decimal
    quantity_shipped: Decimal
    open_quantity: Decimal
    unit: str
    required_date: date | None

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_order_status(obj) -> str:
        return obj.order.status

    @staticmethod
    def resolve_customer_id(obj) -> int:
        return obj.order.customer_id

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.order.customer.name

    @staticmethod
    def resolve_open_quantity(obj) -> Decimal:
        return obj.quantity - obj.quantity_shipped  # exact, whatever the database returns

    @staticmethod
    def resolve_line_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_required_date(obj):
        return obj.required


class TrackedLineOut(Schema):
    description: str
    quantity: Decimal
    unit: str
    quantity_shipped: Decimal


class TrackedEventOut(Schema):
    at: datetime
    status: str
    status_label: str
    location: str
    description: str


class TrackedShipmentOut(Schema):
    number: str
    carrier: str
    tracking_number: str
    status: str
    status_label: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackedEventOut]


class TrackedOrderOut(Schema):
    """What the customer sees: status, lines and shipments — no prices (see `tracking_view`)."""

    number: str
    company: str
    order_date: date
    status: str
    status_label: str
    requested_date: date | None
    lines: list[TrackedLineOut]
    shipments: list[TrackedShipmentOut]


# --- orders -------------------------------------------------------------------------------------
def _lines(request: HttpRequest, customer, lines: list[OrderLineIn], currency: str = ""):
    result = []
    for line in lines:
        data = line.dict()
        if line.product_id:
            result.append(
                services.line_from_product(
                    actor=request.auth,
                    product_id=line.product_id,
                    customer=customer,
                    quantity=line.quantity,
                    currency=currency,
                    **{k: v for k, v in data.items() if k not in ("product_id", "quantity")},
                )
            )
        else:
            data.pop("product_id")
            data["unit_price"] = data["unit_price"] if data["unit_price"] is not None else 0
            data["tax_rate"] = data["tax_rate"] if data["tax_rate"] is not None else 0
            result.append(services.LineInput(**data))
    return result


@router.get("/orders", response=Page[OrderOut])
def order_list(request: HttpRequest, filters: Query[OrderFilters]):
    """Orders, newest first. `customer=ID` lists one customer's orders; `view` is all, open,
    completed, draft or cancelled; `q` matches the number, the customer reference or the
    customer's name."""
    orders = selectors.order_list(
        actor=request.auth,
        view=filters.view,
        status=filters.status,
        customer_id=filters.customer,
        owner_id=filters.owner,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
        sort=filters.sort,
    )
    orders = orders.select_related(None).select_related("customer").only(*LIST_COLUMNS)
    return _order_page(request, orders, limit=filters.limit, offset=filters.offset)


# What `OrderOut` reads of an order and its customer (`.only()`: not the customer's search
# columns and custom fields).
LIST_COLUMNS = (
    "number", "customer", "customer__name", "status", "source", "order_date", "currency",
    "customer_reference", "subtotal", "discount_total", "tax_total", "total", "amount_invoiced",
    "amount_paid", "requested_date", "owner", "team", "version", "created_at", "updated_at",
)  # fmt: skip


def _order_page(request: HttpRequest, orders, *, limit: int, offset: int) -> dict:
    """The envelope of `core.api.paginate`, with the page and its bounded count read in one
    statement (`selectors.order_page`)."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    cap = max(DEFAULT_CAP, offset + limit)
    items, count = selectors.order_page(orders, offset=offset, limit=limit + 1, cap=cap)
    if count is None:
        count, exact = bounded_count(orders, cap=cap)
    else:
        exact = count <= cap

    def link(new_offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "items": items[:limit],
        "count": count,
        "count_is_exact": exact,
        "next": link(offset + limit) if len(items) > limit else None,
        "previous": link(max(0, offset - limit)) if offset else None,
    }


@router.post("/orders", response={201: OrderDetailOut})
def order_create(request: HttpRequest, payload: OrderIn):
    """Create a draft order; lines from products take the catalog's price for the customer."""
    from shangyou.contacts.selectors import customer_get

    customer = customer_get(actor=request.auth, id=payload.customer_id)
    data = payload.dict(exclude={"customer_id", "lines", "owner_id", "document_discount_percent"})
    data = {k: v for k, v in data.items() if v is not None}
    if payload.owner_id:
        data.update(services._owner_fields(actor=request.auth, owner_id=payload.owner_id))
    order = services.order_create(
        actor=request.auth,
        customer=customer,
        lines=_lines(request, customer, payload.lines, payload.currency or ""),
        source=SalesOrder.Source.API,
        document_discount_percent=payload.document_discount_percent,
        **data,
    )
    return Status(201, selectors.order_get(actor=request.auth, id=order.pk))


@router.get("/orders/{order_id}", response=OrderDetailOut)
def order_get(request: HttpRequest, order_id: int):
    return selectors.order_get(actor=request.auth, id=order_id)


@router.patch("/orders/{order_id}", response=OrderDetailOut)
def order_update(request: HttpRequest, order_id: int, payload: OrderPatch):
    """Edit a draft (send `version`; 409 when someone saved first). `lines` replaces them all."""
    order = selectors.order_get(actor=request.auth, id=order_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    lines = None
    if payload.lines is not None:
        lines = _lines(request, order.customer, payload.lines, order.currency)
    data.pop("lines", None)
    services.order_update(actor=request.auth, order=order, data=data, version=version, lines=lines)
    return selectors.order_get(actor=request.auth, id=order_id)


@router.delete("/orders/{order_id}", response={204: None})
def order_delete(request: HttpRequest, order_id: int):
    """Drafts only (to the trash); confirmed orders are cancelled instead."""
    order = selectors.order_get(actor=request.auth, id=order_id)
    services.order_delete(actor=request.auth, order=order)
    return Status(204, None)


@router.post("/orders/{order_id}/confirm", response=OrderDetailOut)
def order_confirm(request: HttpRequest, order_id: int):
    order = selectors.order_get(actor=request.auth, id=order_id)
    services.order_confirm(actor=request.auth, order=order)
    return selectors.order_get(actor=request.auth, id=order_id)


@router.post("/orders/{order_id}/complete", response=OrderDetailOut)
def order_complete(request: HttpRequest, order_id: int):
    order = selectors.order_get(actor=request.auth, id=order_id)
    services.order_complete(actor=request.auth, order=order)
    return selectors.order_get(actor=request.auth, id=order_id)


@router.post("/orders/{order_id}/cancel", response=OrderDetailOut)
def order_cancel(request: HttpRequest, order_id: int, payload: OrderCancelIn):
    order = selectors.order_get(actor=request.auth, id=order_id)
    services.order_cancel(actor=request.auth, order=order, reason=payload.reason)
    return selectors.order_get(actor=request.auth, id=order_id)


# --- shipments ----------------------------------------------------------------------------------
@router.get("/orders/{order_id}/shipments", response=list[ShipmentOut])
def order_shipments(request: HttpRequest, order_id: int):
    order = selectors.order_get(actor=request.auth, id=order_id)
    return selectors.shipment_details(
        selectors.shipment_list(actor=request.auth, order_id=order.pk)
    )


@router.post("/orders/{order_id}/shipments", response={201: ShipmentOut})
def shipment_create(request: HttpRequest, order_id: int, payload: ShipmentIn):
    """Ship quantities of open lines (never more than ordered minus shipped)."""
    order = selectors.order_get(actor=request.auth, id=order_id)
    quantities: dict[int, Decimal] = {}
    for item in payload.lines:
        quantities[item.line_id] = quantities.get(item.line_id, Decimal(0)) + item.quantity
    shipment = shipping.shipment_create(
        actor=request.auth,
        order=order,
        quantities=quantities,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        notes=payload.notes,
        status=payload.status,
        location=payload.location,
    )
    return Status(201, selectors.shipment_get(actor=request.auth, id=shipment.pk))


@router.get("/shipments", response=Page[ShipmentOut])
def shipment_list(request: HttpRequest, order: int | None = None, limit: int = 50, offset: int = 0):
    shipments = selectors.shipment_list(actor=request.auth, order_id=order)
    return paginate(request, shipments, limit=limit, offset=offset)


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_get(request: HttpRequest, shipment_id: int):
    return selectors.shipment_get(actor=request.auth, id=shipment_id)


@router.patch("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_update(request: HttpRequest, shipment_id: int, payload: ShipmentPatch):
    shipment = selectors.shipment_get(actor=request.auth, id=shipment_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    shipping.shipment_update(actor=request.auth, shipment=shipment, data=data, version=version)
    return selectors.shipment_get(actor=request.auth, id=shipment_id)


@router.post("/shipments/{shipment_id}/events", response={201: ShipmentOut})
def shipment_event_add(request: HttpRequest, shipment_id: int, payload: ShipmentEventIn):
    """Report a status: preparing → shipped → in transit → delivered, or returned (a return
    gives the quantities back to the order)."""
    shipment = selectors.shipment_get(actor=request.auth, id=shipment_id)
    shipping.shipment_event_add(
        actor=request.auth,
        shipment=shipment,
        status=payload.status,
        at=payload.at,
        location=payload.location,
        description=payload.description,
    )
    return Status(201, selectors.shipment_get(actor=request.auth, id=shipment_id))


# --- invoices -----------------------------------------------------------------------------------
@router.post("/orders/{order_id}/invoices", response={201: InvoiceDetailOut})
def invoice_create(request: HttpRequest, order_id: int, payload: InvoiceIn):
    """Invoice everything not yet invoiced, or the given line quantities."""
    order = selectors.order_get(actor=request.auth, id=order_id)
    quantities = None
    if payload.lines is not None:
        quantities = {}
        for item in payload.lines:
            quantities[item.line_id] = quantities.get(item.line_id, Decimal(0)) + item.quantity
    invoice = billing.invoice_create(
        actor=request.auth,
        order=order,
        quantities=quantities,
        issue_date=payload.issue_date,
        due_date=payload.due_date,
        notes=payload.notes,
    )
    return Status(201, selectors.invoice_get(actor=request.auth, id=invoice.pk))


@router.get("/invoices", response=Page[InvoiceOut])
def invoice_list(
    request: HttpRequest,
    order: int | None = None,
    customer: int | None = None,
    status: str = "",
    q: str = "",
    limit: int = 50,
    offset: int = 0,
):
    invoices = selectors.invoice_list(
        actor=request.auth, order_id=order, customer_id=customer, status=status, q=q
    )
    return paginate(request, invoices, limit=limit, offset=offset)


@router.get("/invoices/{invoice_id}", response=InvoiceDetailOut)
def invoice_get(request: HttpRequest, invoice_id: int):
    return selectors.invoice_get(actor=request.auth, id=invoice_id)


@router.post("/invoices/{invoice_id}/cancel", response=InvoiceDetailOut)
def invoice_cancel(request: HttpRequest, invoice_id: int, payload: InvoiceCancelIn):
    """Only while nothing is paid on it."""
    invoice = selectors.invoice_get(actor=request.auth, id=invoice_id)
    billing.invoice_cancel(actor=request.auth, invoice=invoice, reason=payload.reason)
    return selectors.invoice_get(actor=request.auth, id=invoice_id)


# --- payments -----------------------------------------------------------------------------------
@router.get("/payments", response=Page[PaymentOut])
def payment_list(
    request: HttpRequest,
    order: int | None = None,
    invoice: int | None = None,
    customer: int | None = None,
    kind: str = "",
    limit: int = 50,
    offset: int = 0,
):
    payments = selectors.payment_list(
        actor=request.auth, order_id=order, invoice_id=invoice, customer_id=customer, kind=kind
    )
    return paginate(request, payments, limit=limit, offset=offset)


@router.post("/payments", response={201: PaymentOut})
def payment_create(request: HttpRequest, payload: PaymentIn):
    """A payment (or refund) against an invoice, or an order without invoices. Overpaying is
    refused (422) with the open balance in the message."""
    invoice = order = None
    if payload.invoice_id:
        invoice = selectors.invoice_get(actor=request.auth, id=payload.invoice_id)
    elif payload.order_id:
        order = selectors.order_get(actor=request.auth, id=payload.order_id)
    payment = billing.payment_create(
        actor=request.auth,
        invoice=invoice,
        order=order,
        amount=payload.amount,
        kind=payload.kind,
        method=payload.method,
        received_on=payload.received_on,
        reference=payload.reference,
        notes=payload.notes,
    )
    return Status(201, payment)


@router.get("/payments/{payment_id}", response=PaymentOut)
def payment_get(request: HttpRequest, payment_id: int):
    return selectors.payment_get(actor=request.auth, id=payment_id)


@router.post("/payments/{payment_id}/refund", response={201: PaymentOut})
def payment_refund(request: HttpRequest, payment_id: int, payload: PaymentRefundIn):
    """Refund (part of) a payment: against the same invoice or order, by the same method
    unless another is given."""
    payment = selectors.payment_get(actor=request.auth, id=payment_id)
    refund = billing.payment_create(
        actor=request.auth,
        invoice=payment.invoice,
        order=None if payment.invoice_id else payment.order,
        amount=payload.amount,
        kind=Payment.Kind.REFUND,
        method=payload.method or payment.method,
        received_on=payload.received_on,
        reference=payload.reference or payment.number,
        notes=payload.notes,
    )
    return Status(201, refund)


# --- receivables and the ERP feed ---------------------------------------------------------------
@router.get("/receivables", response=ReceivablesOut)
def receivables(
    request: HttpRequest,
    as_of: date | None = None,
    owner: int | None = None,
    customer: int | None = None,
):
    """Open invoice balances per customer and currency, aged by days overdue on `as_of`
    (default today): current, 1–30, 31–60, 61–90, more than 90."""
    return selectors.receivables(
        actor=request.auth,
        as_of=as_of or timezone.localdate(),
        owner_id=owner,
        customer_id=customer,
    )


@router.get("/open-order-lines", response=Page[OpenLineOut])
def open_order_lines(
    request: HttpRequest,
    product: int | None = None,
    sku: str = "",
    required_from: date | None = None,
    required_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Every line still to ship of confirmed or partly shipped orders, for material planning
    (I1): open quantity, unit, and the required date (the line's, else the order's)."""
    lines = selectors.open_order_lines(
        actor=request.auth,
        product_id=product,
        sku=sku,
        required_from=required_from,
        required_to=required_to,
    )
    return paginate(request, lines, limit=limit, offset=offset)


# --- public tracking ----------------------------------------------------------------------------
def track_payload(order: SalesOrder) -> dict:
    """What a customer may see of an order when tracking it (also the public page's data)."""
    shipments = selectors.shipment_details(
        order.shipments.filter(deleted_at__isnull=True).order_by("created_at", "id")
    )
    return {
        "number": order.number,
        "company": order.company.name,
        "order_date": order.order_date,
        "status": order.status,
        "status_label": order.get_status_display(),
        "requested_date": order.requested_date,
        "lines": list(order.lines.order_by("position", "id")),
        "shipments": [
            {
                "number": s.number,
                "carrier": s.carrier,
                "tracking_number": s.tracking_number,
                "status": s.status,
                "status_label": s.get_status_display(),
                "shipped_at": s.shipped_at,
                "delivered_at": s.delivered_at,
                "events": [
                    {
                        "at": e.at,
                        "status": e.status,
                        "status_label": e.get_status_display(),
                        "location": e.location,
                        "description": e.description,
                    }
                    for e in s.events.all()
                ],
            }
            for s in shipments
        ],
    }


@router.get("/track", response=TrackedOrderOut, auth=None)
def track(request: HttpRequest, number: str, phone: str = "", email: str = ""):
    """Public order tracking, no authentication: the order number plus the customer's phone
    (any format) or email. A wrong combination answers 404 without saying which part was
    wrong; too many look-ups from one address answer 429."""
    order = shipping.tracking_lookup(
        number=number, phone=phone, email=email, ip=request.META.get("REMOTE_ADDR", "")
    )
    return track_payload(order)
