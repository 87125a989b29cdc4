"""Reads for business statistics (S5): sales by period, salesperson, product, customer grade and
region, over a date range.

What counts: orders whose status is confirmed, partly shipped, shipped or completed (not drafts,
not cancelled, not in the trash), dated (`order_date`) within the range, seen through the record
rules of the actor (`core.selectors.scope_records`: sales their own orders, managers their
team's, owners and administrators all of the company). Amounts are order totals (tax included)
— for products, line totals — and are never added across currencies: every row is per currency
(the catalogue has exchange rates, but no conversion function yet; see the module docs).
"Orders" are distinct orders: an order with lines of three products counts once for each of
those products and once in every other grouping.

Grade and region are the customer's **when the order first counted as a sale** (created
confirmed, confirmed or imported), frozen in the order's `OrderSnapshot`: regrading a customer,
or moving them to another city, changes where their next orders count, not their past sales.

The figures come from the rollups (`models`), never from the order lines: whole months of the
range from month rows, the days of a partly covered month from day rows — unless the company has
no sales in that month outside the range (the usual "up to today"), when its month row is the
same sum. The region and product rows of one owner exist by month only (by day they would be
nearly as many as the order lines), so for the record rules and the owner filter the days of a
partly covered month are summed from the orders themselves — a few weeks of one owner's or one
team's orders. The rollups are kept by `services` (refreshed on every change of what counts).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from shangyou.catalog.models import Product
from shangyou.core.actor import Actor, Role
from shangyou.core.errors import ValidationFailed
from shangyou.core.selectors import scope_records
from shangyou.orders.models import OrderLine, SalesOrder
from shangyou.orders.selectors import COUNTED_STATUSES

from .models import Grain, SalesGradeRollup, SalesProductRollup, SalesRegionRollup, SalesRollup
from .rollup import month_end, month_start, next_month

GROUPINGS = ("period", "owner", "product", "grade", "region")
INTERVALS: dict[str, Callable[[date], date]] = {
    "day": lambda d: d,
    "week": lambda d: d - timedelta(days=d.weekday()),
    "month": lambda d: d.replace(day=1),
    "quarter": lambda d: date(d.year, (d.month - 1) // 3 * 3 + 1, 1),
    "year": lambda d: date(d.year, 1, 1),
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


# --- the range, as rollup rows --------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """Which rows sum to a date range: month rows of `months` (first and last month's first
    day; None = open) and day rows of `days`."""

    months: tuple[date | None, date | None] | None
    days: tuple[tuple[date | None, date | None], ...] = ()

    def q(self, *, month: str = Grain.MONTH, day: str | None = Grain.DAY) -> Q | None:
        """The rows of these grains (`day` None: the month rows only)."""
        parts = []
        if self.months is not None:
            parts.append(Q(grain=month, **_between(*self.months)))
        if day is not None:
            parts += [Q(grain=day, **_between(a, b)) for a, b in self.days]
        return reduce(or_, parts) if parts else None


def _between(first: date | None, last: date | None) -> dict:
    bounds = {"start__gte": first, "start__lte": last}
    return {k: v for k, v in bounds.items() if v is not None}


def _check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(
            _("The start date is after the end date."), errors={"from": [_("Check the dates.")]}
        )


def sales_span(*, actor: Actor, date_from: date | None, date_to: date | None) -> Span:
    """The rows for a range: whole months by month, the rest by day. A partly covered month
    counts whole when the company has no sales on its days outside the range (one small
    query on the day rows)."""
    _check_range(date_from, date_to)
    from_cut = date_from is not None and date_from.day != 1
    to_cut = date_to is not None and date_to != month_end(date_to)
    gaps = []
    if from_cut:
        gaps.append(Q(start__gte=month_start(date_from), start__lt=date_from))
    if to_cut:
        gaps.append(Q(start__gt=date_to, start__lte=month_end(date_to)))
    if gaps:
        found = (
            SalesRollup.objects.filter(company_id=actor.company_id, grain=Grain.DAY)
            .filter(reduce(or_, gaps))
            .aggregate(first=Min("start"), last=Max("start"))
        )
        if from_cut and not (found["first"] and found["first"] < date_from):
            from_cut = False
        if to_cut and not (found["last"] and found["last"] > date_to):
            to_cut = False
    first = None
    if date_from is not None:
        first = next_month(date_from) if from_cut else month_start(date_from)
    last = None  # the first day of the last whole month
    if date_to is not None:
        last = month_start(date_to)
        if to_cut:
            last = month_start(last - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return Span(months=None, days=((date_from, date_to),))
    days = []
    if date_from is not None and first is not None and date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if date_to is not None and last is not None and date_to > month_end(last):
        days.append((next_month(last), date_to))
    return Span(months=(first, last), days=tuple(days))


def _day_span(date_from: date | None, date_to: date | None) -> Span:
    """Day rows only (periods by day or week)."""
    _check_range(date_from, date_to)
    return Span(months=None, days=((date_from, date_to),))


def _restricted(actor: Actor, owner_id: int | None) -> bool:
    return bool(owner_id) or actor.role == Role.MANAGER or actor.sees_own_records_only


def _rows(
    model, *, actor: Actor, span: Span, owner_id: int | None, everyone: bool = False, days=True
):
    """The actor's rollup rows of the span: every owner's sums, or per-owner rows through the
    record rules (and the owner filter); `days` False: month rows only."""
    if everyone:
        q = span.q(month=Grain.ALL_MONTH, day=Grain.ALL_DAY if days else None)
    else:
        q = span.q(month=Grain.MONTH, day=Grain.DAY if days else None)
    if q is None:
        return model.objects.none()
    if everyone:
        rows = model.objects.filter(company_id=actor.company_id)
    else:
        rows = scope_records(model.objects.all(), actor=actor)
        if owner_id:
            rows = rows.filter(owner_id=owner_id)
    return rows.filter(q)


def _cents(value) -> Decimal:
    """Integer cents as an amount (exact: a shift of the exponent, no division)."""
    return Decimal(value or 0).scaleb(-2)


# --- queries ------------------------------------------------------------------------------------
def counted_orders(
    *,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    owner_id: int | None = None,
) -> QuerySet[SalesOrder]:
    """The orders that count as sales, within the actor's record rules (from the orders
    themselves, not the rollups)."""
    _check_range(date_from, date_to)
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
    span = sales_span(actor=actor, date_from=date_from, date_to=date_to)
    rows = (
        _rows(SalesRollup, actor=actor, span=span, owner_id=owner_id)
        .values("currency")
        .annotate(n=Sum("orders"), cents=Sum("amount_cents"))
        .order_by("currency")
    )
    return [SalesTotal(r["currency"], r["n"], _cents(r["cents"])) for r in rows]


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
    if group_by == "period" and interval in ("day", "week"):
        span = _day_span(date_from, date_to)
    else:
        span = sales_span(actor=actor, date_from=date_from, date_to=date_to)
    scope = {"actor": actor, "span": span, "owner_id": owner_id}
    rows = {
        "period": lambda: _by_period(interval=interval, **scope),
        "owner": lambda: _by_owner(**scope),
        "product": lambda: _by_product(limit=limit, **scope),
        "grade": lambda: _by_grade(**scope),
        "region": lambda: _by_region(**scope),
    }[group_by]()
    if limit and group_by != "period":
        kept: dict[str, int] = {}
        limited = []
        for row in rows:
            kept[row.currency] = kept.get(row.currency, 0) + 1
            if kept[row.currency] <= limit:
                limited.append(row)
        rows = limited
    return rows


def _by_period(*, actor: Actor, span: Span, owner_id, interval: str) -> list[SalesRow]:
    trunc = INTERVALS[interval]
    rows = (
        _rows(SalesRollup, actor=actor, span=span, owner_id=owner_id)
        .values("start", "currency")
        .annotate(n=Sum("orders"), cents=Sum("amount_cents"))
        .order_by()
    )
    sums: dict[tuple[date, str], list] = {}
    for r in rows:
        entry = sums.setdefault((trunc(r["start"]), r["currency"]), [0, 0])
        entry[0] += r["n"]
        entry[1] += int(r["cents"] or 0)
    return [
        SalesRow(
            key=start.isoformat(),
            label=period_label(start, interval),
            currency=currency,
            orders=n,
            amount=_cents(cents),
        )
        for (start, currency), (n, cents) in sorted(sums.items())
    ]


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


def _by_owner(*, actor: Actor, span: Span, owner_id) -> list[SalesRow]:
    rows = (
        _rows(SalesRollup, actor=actor, span=span, owner_id=owner_id)
        .values("owner_id", "currency")
        .annotate(
            n=Sum("orders"),
            cents=Sum("amount_cents"),
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
                amount=_cents(r["cents"]),
            )
            for r in rows
        ]
    )


def _by_grade(*, actor: Actor, span: Span, owner_id) -> list[SalesRow]:
    rows = (
        _rows(SalesGradeRollup, actor=actor, span=span, owner_id=owner_id)
        .values("grade_id", "currency")
        .annotate(
            n=Sum("orders"),
            cents=Sum("amount_cents"),
            name=F("grade__name"),
            rank=F("grade__rank"),
        )
        .order_by()
    )
    result = [
        (
            r["rank"] if r["rank"] is not None else 10_000,
            SalesRow(
                key=str(r["grade_id"] or ""),
                label=r["name"] or _("No grade"),
                currency=r["currency"],
                orders=r["n"],
                amount=_cents(r["cents"]),
            ),
        )
        for r in rows
    ]
    return [row for _rank, row in sorted(result, key=lambda x: (x[1].currency, x[0], x[1].label))]


class _Sums:
    """Rows of one grouping summed by (key, currency) — orders, cents, thousandths — from
    several parts: rollup rows, and the orders of the days no per-owner row holds."""

    def __init__(self) -> None:
        self.rows: dict[tuple, list[int]] = {}

    def add(self, key, currency: str, n: int, cents, milli=0) -> None:
        row = self.rows.get((key, currency))
        if row is None:
            self.rows[(key, currency)] = [n, int(cents or 0), int(milli or 0)]
        else:
            row[0] += n
            row[1] += int(cents or 0)
            row[2] += int(milli or 0)

    def keep_top(self, limit: int) -> None:
        """Only the `limit` biggest amounts of each currency, and any tied with the last (the
        final order breaks ties by label)."""
        amounts: dict[str, list[int]] = {}
        for (_key, currency), (_n, cents, _milli) in self.rows.items():
            amounts.setdefault(currency, []).append(cents)
        floor = {
            currency: sorted(values, reverse=True)[limit - 1]
            for currency, values in amounts.items()
            if len(values) > limit
        }
        self.rows = {
            (key, currency): row
            for (key, currency), row in self.rows.items()
            if currency not in floor or row[1] >= floor[currency]
        }


def _scaled(value, places: int) -> int:
    """A decimal sum from the orders as an integer of 1/10**places (cents, thousandths)."""
    return int(Decimal(value or 0).scaleb(places).quantize(Decimal(1)))


def _by_region(*, actor: Actor, span: Span, owner_id) -> list[SalesRow]:
    sums = _Sums()
    restricted = _restricted(actor, owner_id)
    rows = _rows(
        SalesRegionRollup,
        actor=actor,
        span=span,
        owner_id=owner_id,
        everyone=not restricted,
        days=not restricted,
    )
    for r in (
        rows.values_list("province", "city", "currency")
        .annotate(n=Sum("orders"), cents=Sum("amount_cents"))
        .order_by()
    ):
        sums.add((r[0], r[1]), r[2], r[3], r[4])
    if restricted:  # per-owner rows are by month: the cut months' days from the orders
        for date_from, date_to in span.days:
            orders = counted_orders(
                actor=actor, date_from=date_from, date_to=date_to, owner_id=owner_id
            )
            for r in (
                orders.values_list("sales_snapshot__province", "sales_snapshot__city", "currency")
                .annotate(n=Count("id"), amount=Sum("total"))
                .order_by()
            ):
                sums.add((r[0] or "", r[1] or ""), r[2], r[3], _scaled(r[4], 2))
    result = []
    for ((province, city), currency), (n, cents, _milli) in sums.rows.items():
        label = " ".join(dict.fromkeys(p for p in (province, city) if p)) or _("No region")
        result.append(
            SalesRow(
                key=f"{province}/{city}" if province or city else "",
                label=label,
                currency=currency,
                orders=n,
                amount=_cents(cents),
                extra=province,
            )
        )
    return _sorted(result)


def _by_product(*, actor: Actor, span: Span, owner_id, limit: int | None = None) -> list[SalesRow]:
    """Summed by (product, currency) first; names and SKUs in one query after (joining the
    products before grouping costs a lookup per rollup row) — with `limit`, only for the
    biggest rows of each currency (and those tied with the last)."""
    sums = _Sums()
    restricted = _restricted(actor, owner_id)
    rows = _rows(
        SalesProductRollup,
        actor=actor,
        span=span,
        owner_id=owner_id,
        everyone=not restricted,
        days=not restricted,
    )
    for r in (
        rows.values_list("product_id", "currency")
        .annotate(n=Sum("orders"), cents=Sum("amount_cents"), milli=Sum("quantity_milli"))
        .order_by()
    ):
        sums.add(*r)
    if restricted:  # per-owner rows are by month: the cut months' days from the lines
        for date_from, date_to in span.days:
            lines = _counted_lines(
                actor=actor, date_from=date_from, date_to=date_to, owner_id=owner_id
            )
            for r in (
                lines.values_list("product_id", "order__currency")
                .annotate(
                    n=Count("order_id", distinct=True),
                    amount=Sum("line_total"),
                    quantity=Sum("quantity"),
                )
                .order_by()
            ):
                sums.add(r[0], r[1], r[2], _scaled(r[3], 2), _scaled(r[4], 3))
    if limit:
        sums.keep_top(limit)
    ids = {product_id for product_id, _currency in sums.rows if product_id}
    names = {
        pk: (name, sku)
        for pk, name, sku in Product.all_objects.filter(
            company_id=actor.company_id, pk__in=ids
        ).values_list("pk", "name", "sku")
    }
    no_product = _("Lines without a product")
    result = []
    for (product_id, currency), (n, cents, milli) in sums.rows.items():
        name, sku = names.get(product_id, ("", ""))
        result.append(
            SalesRow(
                key=str(product_id or ""),
                label=name or no_product,
                currency=currency,
                orders=n,
                amount=_cents(cents),
                quantity=Decimal(milli).scaleb(-3),
                extra=sku or "",
            )
        )
    return _sorted(result)


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
