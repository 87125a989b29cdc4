"""What the orders app adds to the customer page: key figures in the header (sales in the last
12 months, open orders, balance due) and the customer's recent orders in the "Sales" tab.
Registered in `OrdersConfig.ready` with `contacts.selectors`' providers."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor

from .models import Invoice, SalesOrder
from .selectors import COUNTED_STATUSES, order_list

RECENT_ORDERS = 10


def _money(amounts: dict[str, Decimal]) -> str:
    if not amounts:
        return "0.00"
    return " · ".join(
        f"{currency} {number_format(amount, 2, force_grouping=True)}"
        for currency, amount in sorted(amounts.items())
    )


def customer_figures(*, actor: Actor, customer) -> list[dict[str, Any]]:
    orders = order_list(actor=actor, customer_id=customer.pk)
    since = timezone.localdate() - timedelta(days=365)
    # One statement: per currency, the year's sales and the open orders (one pass over the
    # customer's orders) and the balance due of the open invoices — as a UNION ALL, the two
    # reads cost one round trip.
    order_rows = (
        orders.order_by()
        .values("currency")
        .annotate(
            kind=Value("orders"),
            amount=Sum("total", filter=Q(status__in=COUNTED_STATUSES, order_date__gte=since)),
            n=Count("pk", filter=Q(status__in=SalesOrder.OPEN_STATUSES)),
        )
    )
    due_rows = (
        Invoice.objects.filter(
            company_id=actor.company_id,
            customer_id=customer.pk,
            status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID),
        )
        .order_by()
        .values("currency")
        .annotate(
            kind=Value("due"),
            amount=Sum(F("total") - F("amount_paid"), output_field=DecimalField()),
            n=Value(0),
        )
    )
    sales: dict[str, Decimal] = {}
    due: dict[str, Decimal] = {}
    open_orders = 0
    for row in order_rows.union(due_rows, all=True):
        if row["kind"] == "orders":
            open_orders += row["n"]
        if row["amount"]:
            (sales if row["kind"] == "orders" else due)[row["currency"]] = row["amount"]
    list_url = reverse("orders:order_list") + f"?customer={customer.pk}"
    return [
        {
            "key": "sales-12m",
            "label": _("Sales, last 12 months"),
            "value": _money(sales),
            "url": list_url,
        },
        {
            "key": "open-orders",
            "label": _("Open orders"),
            "value": open_orders,
            "url": list_url + "&view=open",
        },
        {"key": "balance-due", "label": _("Balance due"), "value": _money(due)},
    ]


def customer_sections(*, actor: Actor, customer) -> list[dict[str, Any]]:
    orders = list(order_list(actor=actor, customer_id=customer.pk)[:RECENT_ORDERS])
    return [
        {
            "template": "orders/partials/_customer_orders.html",
            "context": {
                "orders": orders,
                "customer": customer,
                "more": len(orders) == RECENT_ORDERS,
            },
        }
    ]
