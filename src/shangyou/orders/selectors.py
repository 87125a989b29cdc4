"""Reads of the orders app — always through the actor's company and the record rules of the
order's owner and team (a salesperson sees their own orders, a manager the team's).

Lists stay fast at millions of orders: filters and sorts follow indexes led by `company`
(partial, on the orders not in the trash, so a bounded count is an index-only scan), the customer
is joined (`select_related`), and pages are counted with a bound (see `core.pagination`) —
`order_page` reads a page and its bounded count in one statement.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.money import to_cents
from shangyou.core.selectors import scope_records

from .models import Invoice, OrderLine, Payment, SalesOrder, Shipment

# Orders that count as business done with the customer (grades, statistics).
COUNTED_STATUSES = ("confirmed", "partly_shipped", "shipped", "completed")
# The list's view tabs.
VIEWS = {
    "all": None,
    "open": ("confirmed", "partly_shipped", "shipped"),
    "completed": ("completed",),
    "draft": ("draft",),
    "cancelled": ("cancelled",),
}
ORDER_SORTS = {
    "-date": ("-order_date", "-id"),
    "date": ("order_date", "id"),
    "-total": ("-total", "-id"),
    "total": ("total", "id"),
    "number": ("number",),
    "-number": ("-number",),
}
# Open-order lines shared with the ERP for material planning (I1).
FEED_STATUSES = ("confirmed", "partly_shipped")


def customer_spend_metrics(company_id: int, since: datetime) -> dict[int, tuple[Decimal, int]]:
    """{customer id: (spend, number of orders)} since `since` — the grading rules' input (M2)."""
    rows = (
        SalesOrder.objects.filter(
            company_id=company_id, status__in=COUNTED_STATUSES, order_date__gte=since.date()
        )
        .values("customer_id")
        .annotate(spend=Sum("total"), orders=Count("id"))
    )
    return {r["customer_id"]: (r["spend"] or Decimal(0), r["orders"]) for r in rows}


# --- orders -------------------------------------------------------------------------------------
def _orders(actor: Actor) -> QuerySet[SalesOrder]:
    return scope_records(SalesOrder.objects.all(), actor=actor)


def _search(orders: QuerySet[SalesOrder], actor: Actor, q: str) -> QuerySet[SalesOrder]:
    """`q` is an order number (or part of it), a customer reference or a customer's name."""
    from shangyou.contacts.models import Customer
    from shangyou.core.search import search_filter

    q = q.strip()
    customers = search_filter(Customer.objects.filter(company_id=actor.company_id), q)
    return orders.filter(
        Q(number__icontains=q)
        | Q(customer_reference__icontains=q)
        | Q(customer_id__in=customers.values("pk"))
    )


def order_list(
    *,
    actor: Actor,
    view: str = "all",
    status: str = "",
    customer_id: int | None = None,
    owner_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
    sort: str = "-date",
) -> QuerySet[SalesOrder]:
    orders = _orders(actor)
    statuses = VIEWS.get(view or "all")
    if statuses:
        orders = orders.filter(status__in=statuses)
    if status:
        orders = orders.filter(status__in=status.split(","))
    if customer_id:
        orders = orders.filter(customer_id=customer_id)
    if owner_id:
        orders = orders.filter(owner_id=owner_id)
    if date_from:
        orders = orders.filter(order_date__gte=date_from)
    if date_to:
        orders = orders.filter(order_date__lte=date_to)
    if q and q.strip():
        orders = _search(orders, actor, q)
    return orders.select_related("customer", "owner").order_by(
        *ORDER_SORTS.get(sort, ORDER_SORTS["-date"])
    )


# Deeper than this, `core.pagination.page_rows` reads the ids first; the page then costs two
# statements and its count a third.
SHALLOW_OFFSET = 200


def order_page(
    orders: QuerySet[SalesOrder], *, offset: int, limit: int, cap: int
) -> tuple[list[SalesOrder], int | None]:
    """Rows [offset, offset + limit) of `orders` (from `order_list`) and how many orders match
    — at most `cap + 1`, as `core.pagination.bounded_count` — in one statement: the bounded count
    rides along as an uncorrelated scalar subquery, which the database runs once.

    The count is None when it cannot be read from the page (no row at this offset, or a deep
    page fetched ids-first); the caller then counts with `bounded_count`.
    """
    from shangyou.core.pagination import page_rows

    if offset >= SHALLOW_OFFSET:
        return page_rows(orders, offset, limit), None
    counted = orders.order_by().values("pk")[: cap + 1]
    sql, params = counted.query.sql_with_params()
    rows = list(
        orders.annotate(
            bounded_count=RawSQL(  # noqa: S611 — Django's own SQL for `counted`, with its params
                f"SELECT COUNT(*) FROM ({sql}) bounded",  # noqa: S608
                params,
                output_field=IntegerField(),
            )
        )[offset : offset + limit]
    )
    if rows:
        return rows, rows[0].bounded_count
    return rows, (0 if offset == 0 else None)


def order_get(*, actor: Actor, id: int) -> SalesOrder:
    order = (
        _orders(actor)
        .select_related("customer", "owner", "team", "updated_by", "quotation")
        .filter(pk=id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def order_lines(*, order: SalesOrder) -> QuerySet[OrderLine]:
    """The lines of an order fetched through `order_get`."""
    return OrderLine.objects.filter(company_id=order.company_id, order_id=order.pk).select_related(
        "product"
    )


# --- shipments ----------------------------------------------------------------------------------
def _scoped(queryset: QuerySet, actor: Actor) -> QuerySet:
    return scope_records(
        queryset, actor=actor, owner_field="order__owner", team_field="order__team"
    )


def shipment_list(*, actor: Actor, order_id: int | None = None) -> QuerySet[Shipment]:
    shipments = _scoped(Shipment.objects.all(), actor)
    if order_id:
        shipments = shipments.filter(order_id=order_id)
    return shipments.select_related("order", "order__customer").order_by("-created_at", "-id")


def shipment_get(*, actor: Actor, id: int) -> Shipment:
    shipment = shipment_list(actor=actor).filter(pk=id).first()
    if shipment is None:
        raise NotFound()
    return shipment


def shipment_details(shipments) -> list[Shipment]:
    """Shipments with their lines (and the order line each ships) and events, in 3 queries."""
    from django.db.models import Prefetch

    from .models import ShipmentEvent, ShipmentLine

    if isinstance(shipments, QuerySet):
        return list(
            shipments.prefetch_related(
                Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line")),
                Prefetch("events", queryset=ShipmentEvent.objects.order_by("-at", "-id")),
            )
        )
    return list(shipments)


# --- invoices and payments ----------------------------------------------------------------------
def invoice_list(
    *,
    actor: Actor,
    order_id: int | None = None,
    customer_id: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Invoice]:
    invoices = _scoped(Invoice.objects.all(), actor)
    if order_id:
        invoices = invoices.filter(order_id=order_id)
    if customer_id:
        invoices = invoices.filter(customer_id=customer_id)
    if status:
        invoices = invoices.filter(status__in=status.split(","))
    if q and q.strip():
        invoices = invoices.filter(
            Q(number__icontains=q.strip()) | Q(customer__name__icontains=q.strip())
        )
    return invoices.select_related("customer", "order").order_by("-issue_date", "-id")


def invoice_get(*, actor: Actor, id: int) -> Invoice:
    invoice = invoice_list(actor=actor).filter(pk=id).first()
    if invoice is None:
        raise NotFound()
    return invoice


def payment_list(
    *,
    actor: Actor,
    order_id: int | None = None,
    invoice_id: int | None = None,
    customer_id: int | None = None,
    kind: str = "",
) -> QuerySet[Payment]:
    payments = _scoped(Payment.objects.all(), actor)
    if order_id:
        payments = payments.filter(order_id=order_id)
    if invoice_id:
        payments = payments.filter(invoice_id=invoice_id)
    if customer_id:
        payments = payments.filter(customer_id=customer_id)
    if kind:
        payments = payments.filter(kind=kind)
    return payments.select_related("customer", "invoice", "order").order_by("-received_on", "-id")


def payment_get(*, actor: Actor, id: int) -> Payment:
    payment = payment_list(actor=actor).filter(pk=id).first()
    if payment is None:
        raise NotFound()
    return payment


# --- receivables --------------------------------------------------------------------------------
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")


def receivables(
    *, actor: Actor, as_of: date, owner_id: int | None = None, customer_id: int | None = None
) -> dict[str, Any]:
    """Open invoices (issued on or before `as_of`) by customer and currency, their balances aged
    by days overdue on `as_of`: current (not yet due), 1–30, 31–60, 61–90, more than 90.

    {"as_of", "rows": [{customer_id, customer_name, currency, <bucket>…, total, invoices}],
     "totals": [{currency, <bucket>…, total}]} — one grouped query.
    """
    invoices = _scoped(Invoice.objects.all(), actor).filter(
        status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID), issue_date__lte=as_of
    )
    if owner_id:
        invoices = invoices.filter(order__owner_id=owner_id)
    if customer_id:
        invoices = invoices.filter(customer_id=customer_id)
    balance = F("total") - F("amount_paid")
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal("0.00"), output_field=money)

    def bucket(condition: Q):
        return Coalesce(
            Sum(Case(When(condition, then=balance), default=zero, output_field=money)), zero
        )

    from datetime import timedelta

    d = [as_of - timedelta(days=n) for n in (0, 30, 60, 90)]
    rows = list(
        invoices.values("customer_id", "customer__name", "currency")
        .annotate(
            current=bucket(Q(due_date__gte=d[0])),
            d1_30=bucket(Q(due_date__lt=d[0], due_date__gte=d[1])),
            d31_60=bucket(Q(due_date__lt=d[1], due_date__gte=d[2])),
            d61_90=bucket(Q(due_date__lt=d[2], due_date__gte=d[3])),
            d90_plus=bucket(Q(due_date__lt=d[3])),
            total=Coalesce(Sum(balance, output_field=money), zero),
            invoices=Count("id"),
        )
        .order_by("-total", "customer__name")
    )
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        row["customer_name"] = row.pop("customer__name")
        for key in (*BUCKETS, "total"):  # SQLite sums lose the decimal places
            row[key] = to_cents(row[key])
        sums = totals.setdefault(
            row["currency"], {"currency": row["currency"], **dict.fromkeys(BUCKETS, Decimal(0))}
        )
        for key in BUCKETS:
            sums[key] += row[key]
        sums["total"] = sums.get("total", Decimal(0)) + row["total"]
    return {"as_of": as_of, "rows": rows, "totals": list(totals.values())}


# --- the open-orders feed (I1) ------------------------------------------------------------------
def open_order_lines(
    *,
    actor: Actor,
    product_id: int | None = None,
    sku: str = "",
    required_from: date | None = None,
    required_to: date | None = None,
) -> QuerySet[OrderLine]:
    """Every line still to ship of a confirmed or partly shipped order, with `open_quantity`
    and `required` (the line's required date, else the order's requested date), soonest first."""
    visible = _scoped(SalesOrder.objects.all(), actor).filter(status__in=FEED_STATUSES)
    lines = (
        OrderLine.objects.filter(company_id=actor.company_id, order__in=visible.values("pk"))
        .filter(quantity__gt=F("quantity_shipped"))
        .annotate(
            open_quantity=F("quantity") - F("quantity_shipped"),
            required=Coalesce("required_date", "order__requested_date"),
        )
    )
    if product_id:
        lines = lines.filter(product_id=product_id)
    if sku:
        lines = lines.filter(sku=sku.strip())
    if required_from:
        lines = lines.filter(required__gte=required_from)
    if required_to:
        lines = lines.filter(required__lte=required_to)
    return lines.select_related("order", "order__customer").order_by(
        F("required").asc(nulls_last=True), "order_id", "position", "id"
    )


# --- for the pages ------------------------------------------------------------------------------
def product_choices(*, actor: Actor, q: str = "", limit: int = 20) -> list[dict[str, Any]]:
    """Products of the company for the order form's product search: [{value, text}]."""
    from shangyou.catalog.models import Product
    from shangyou.core.search import search_filter

    products = Product.objects.filter(company_id=actor.company_id).exclude(status="discontinued")
    if q.strip():
        products = search_filter(products, q)
    return [{"value": p.pk, "text": str(p)} for p in products.order_by("name", "id")[:limit]]
