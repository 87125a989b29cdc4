"""Reads for business statistics (S5): sales by period, salesperson, product, customer grade and
region, over a date range.

What counts: orders whose status is confirmed, partly shipped, shipped or completed (not drafts,
not cancelled), dated (`order_date`) within the range, seen through the record rules of the
actor (`core.selectors.scope_records`: sales their own orders, managers their team's, owners
and administrators all of the company). Amounts are order totals (tax included) — for products,
line totals — and are never added across currencies: every row is per currency (the catalogue
has exchange rates, but no conversion function yet; see the module docs).

Every figure is one aggregate query (GROUP BY in the database), led by the `(company,
order_date)` index for orders; the product grouping joins the lines (index `(company, order)`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor
from shangyou.core.errors import ValidationFailed
from shangyou.core.selectors import scope_records
from shangyou.orders.models import OrderLine, SalesOrder
from shangyou.orders.selectors import COUNTED_STATUSES

GROUPINGS = ("period", "owner", "product", "grade", "region")
INTERVALS = {
    "day": TruncDay,
    "week": TruncWeek,
    "month": TruncMonth,
    "quarter": TruncQuarter,
    "year": TruncYear,
}


@dataclass(frozen=True)
class SalesRow:
    key: str  # period start (ISO date), user id, product id, grade id, "province/city"; "" = none
    label: str
    currency: str
    orders: int
    amount: Decimal
    quantity: Decimal | None = None  # products only
    extra: str = ""  # region: the province; product: the SKU


@dataclass(frozen=True)
class SalesTotal:
    currency: str
    orders: int
    amount: Decimal


def counted_orders(
    *,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    owner_id: int | None = None,
) -> QuerySet[SalesOrder]:
    """The orders that count as sales, within the actor's record rules."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(
            _("The start date is after the end date."), errors={"from": [_("Check the dates.")]}
        )
    orders = scope_records(SalesOrder.objects.filter(status__in=COUNTED_STATUSES), actor=actor)
    if date_from:
        orders = orders.filter(order_date__gte=date_from)
    if date_to:
        orders = orders.filter(order_date__lte=date_to)
    if owner_id:
        orders = orders.filter(owner_id=owner_id)
    return orders


def _counted_lines(*, actor: Actor, date_from, date_to, owner_id) -> QuerySet[OrderLine]:
    lines = scope_records(
        OrderLine.objects.filter(order__status__in=COUNTED_STATUSES, order__deleted_at=None),
        actor=actor,
        owner_field="order__owner",
        team_field="order__team",
    )
    if date_from:
        lines = lines.filter(order__order_date__gte=date_from)
    if date_to:
        lines = lines.filter(order__order_date__lte=date_to)
    if owner_id:
        lines = lines.filter(order__owner_id=owner_id)
    return lines


def sales_totals(*, actor: Actor, date_from=None, date_to=None, owner_id=None) -> list[SalesTotal]:
    rows = (
        counted_orders(actor=actor, date_from=date_from, date_to=date_to, owner_id=owner_id)
        .values("currency")
        .annotate(n=Count("id"), amount=Sum("total"))
        .order_by("currency")
    )
    return [SalesTotal(r["currency"], r["n"], _money(r["amount"])) for r in rows]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def sales_statistics(
    *,
    actor: Actor,
    group_by: str,
    date_from: date | None = None,
    date_to: date | None = None,
    interval: str = "month",
    owner_id: int | None = None,
    limit: int | None = None,
) -> list[SalesRow]:
    """Sales grouped by `period` (per `interval`), `owner`, `product`, `grade` or `region`.

    Periods come oldest first; the other groupings biggest amount first (`limit` keeps the
    first N rows per currency)."""
    if group_by not in GROUPINGS:
        raise ValidationFailed(
            _("Group by one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)},
            errors={"group_by": [_("Unknown grouping.")]},
        )
    if interval not in INTERVALS:
        raise ValidationFailed(
            _("The interval is one of: %(choices)s.") % {"choices": ", ".join(INTERVALS)},
            errors={"interval": [_("Unknown interval.")]},
        )
    scope = {"date_from": date_from, "date_to": date_to, "owner_id": owner_id}
    if group_by == "product":
        rows = _by_product(actor=actor, **scope)
    else:
        orders = counted_orders(actor=actor, **scope)
        rows = {
            "period": _by_period,
            "owner": _by_owner,
            "grade": _by_grade,
            "region": _by_region,
        }[group_by](orders, interval)
    if limit and group_by != "period":
        kept: dict[str, int] = {}
        limited = []
        for row in rows:
            kept[row.currency] = kept.get(row.currency, 0) + 1
            if kept[row.currency] <= limit:
                limited.append(row)
        rows = limited
    return rows


def _by_period(orders: QuerySet, interval: str) -> list[SalesRow]:
    trunc = INTERVALS[interval]
    rows = (
        orders.annotate(period=trunc("order_date"))
        .values("period", "currency")
        .annotate(n=Count("id"), amount=Sum("total"))
        .order_by("period", "currency")
    )
    result = []
    for r in rows:
        start = r["period"]
        start = start.date() if hasattr(start, "date") and callable(start.date) else start
        result.append(
            SalesRow(
                key=start.isoformat(),
                label=period_label(start, interval),
                currency=r["currency"],
                orders=r["n"],
                amount=_money(r["amount"]),
            )
        )
    return result


def period_label(start: date, interval: str) -> str:
    if interval == "year":
        return f"{start.year}"
    if interval == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if interval == "month":
        return f"{start.year}-{start.month:02d}"
    if interval == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def _sorted(rows: list[SalesRow]) -> list[SalesRow]:
    return sorted(rows, key=lambda r: (r.currency, -r.amount, r.label))


def _by_owner(orders: QuerySet, _interval: str) -> list[SalesRow]:
    rows = (
        orders.values("owner_id", "currency")
        .annotate(
            n=Count("id"),
            amount=Sum("total"),
            name=F("owner__full_name"),
            email=F("owner__email"),
        )
        .order_by()
    )
    return _sorted(
        [
            SalesRow(
                key=str(r["owner_id"] or ""),
                label=(r["name"] or r["email"] or "") if r["owner_id"] else _("No owner"),
                currency=r["currency"],
                orders=r["n"],
                amount=_money(r["amount"]),
            )
            for r in rows
        ]
    )


def _by_grade(orders: QuerySet, _interval: str) -> list[SalesRow]:
    rows = (
        orders.values("customer__grade_id", "currency")
        .annotate(
            n=Count("id"),
            amount=Sum("total"),
            name=F("customer__grade__name"),
            rank=F("customer__grade__rank"),
        )
        .order_by()
    )
    result = [
        (
            r["rank"] if r["rank"] is not None else 10_000,
            SalesRow(
                key=str(r["customer__grade_id"] or ""),
                label=r["name"] or _("No grade"),
                currency=r["currency"],
                orders=r["n"],
                amount=_money(r["amount"]),
            ),
        )
        for r in rows
    ]
    return [row for _rank, row in sorted(result, key=lambda x: (x[1].currency, x[0], x[1].label))]


def _by_region(orders: QuerySet, _interval: str) -> list[SalesRow]:
    rows = (
        orders.values("customer__province", "customer__city", "currency")
        .annotate(n=Count("id"), amount=Sum("total"))
        .order_by()
    )
    result = []
    for r in rows:
        province, city = r["customer__province"] or "", r["customer__city"] or ""
        label = " ".join(dict.fromkeys(p for p in (province, city) if p)) or _("No region")
        result.append(
            SalesRow(
                key=f"{province}/{city}" if province or city else "",
                label=label,
                currency=r["currency"],
                orders=r["n"],
                amount=_money(r["amount"]),
                extra=province,
            )
        )
    return _sorted(result)


def _by_product(*, actor: Actor, date_from, date_to, owner_id) -> list[SalesRow]:
    lines = _counted_lines(actor=actor, date_from=date_from, date_to=date_to, owner_id=owner_id)
    rows = (
        lines.values("product_id", "order__currency")
        .annotate(
            n=Count("order_id", distinct=True),
            amount=Sum("line_total"),
            quantity=Sum("quantity"),
            name=F("product__name"),
            sku=F("product__sku"),
        )
        .order_by()
    )
    return _sorted(
        [
            SalesRow(
                key=str(r["product_id"] or ""),
                label=r["name"] or _("Lines without a product"),
                currency=r["order__currency"],
                orders=r["n"],
                amount=_money(r["amount"]),
                quantity=Decimal(r["quantity"] or 0).quantize(Decimal("0.001")),
                extra=r["sku"] or "",
            )
            for r in rows
        ]
    )


def region_by_province(rows: list[SalesRow]) -> list[SalesRow]:
    """Region rows (province/city) summed per province, biggest first (for the chart)."""
    totals: dict[tuple[str, str], list] = {}
    for row in rows:
        key = (row.extra or row.label, row.currency)
        entry = totals.setdefault(key, [0, Decimal(0)])
        entry[0] += row.orders
        entry[1] += row.amount
    return _sorted(
        [
            SalesRow(key=province, label=province, currency=currency, orders=n, amount=amount)
            for (province, currency), (n, amount) in totals.items()
        ]
    )
