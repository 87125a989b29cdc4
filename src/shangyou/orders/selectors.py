"""Reads of the orders app."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from .models import SalesOrder

# Orders that count as business done with the customer (grades, statistics).
COUNTED_STATUSES = ("confirmed", "partly_shipped", "shipped", "completed")


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
