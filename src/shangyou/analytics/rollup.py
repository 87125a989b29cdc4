"""How the sales rollups (`models`) are computed from the orders: the SQL of the refresh and of
the rebuild, one statement per table and level (DELETE, then INSERT … SELECT … GROUP BY from
the source rows), so a refresh is idempotent and never adds to a counter.

What counts is what `selectors` documents: orders in `COUNTED_STATUSES`, not in the trash, by
order date; grade and region from the order's `OrderSnapshot`. Per table (`ROLLUPS`):

* `sales` and `grade` (few rows a day: owners × currencies × grades): per-owner day rows, and
  month rows summed from them.
* `region` and `product` (a row per owner, product and day would be nearly one per line):
  day and month rows over every owner (`ALL_DAY`, `ALL_MONTH`), and per-owner month rows
  computed from the source by (month, owner) — what the record rules and the owner filter read.

Amounts are summed as integer cents and quantities as thousandths (rounded per order or line,
where the source has two or three decimals, so nothing is lost).

Callers hold the company's lock (`services`); nothing here commits.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, models

from shangyou.contacts.models import Customer
from shangyou.orders.models import OrderLine, SalesOrder
from shangyou.orders.selectors import COUNTED_STATUSES

from .models import (
    Grain,
    OrderSnapshot,
    SalesGradeRollup,
    SalesProductRollup,
    SalesRegionRollup,
    SalesRollup,
)

DAY, MONTH = Grain.DAY.value, Grain.MONTH.value
ALL_DAY, ALL_MONTH = Grain.ALL_DAY.value, Grain.ALL_MONTH.value
START = '"start"'  # quoted: a keyword in SQL

#: More separate day ranges than this are recomputed as one span (first to last day).
MAX_RANGES = 24

DateRange = tuple[date, date]


@dataclass(frozen=True)
class Rollup:
    model: type[models.Model]
    dims: tuple[str, ...] = ()  # the table's own key columns
    source: tuple[str, ...] = ()  # their SQL in the source query (o: order, l: line, s: snapshot)
    lines: bool = False  # from the order lines (product figures) rather than the orders
    snapshot: bool = False  # needs the order's snapshot (grade, region)
    everyone_days: bool = False  # day rows over every owner; per-owner rows by month only

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def measures(self) -> tuple[str, ...]:
        if self.lines:
            return ("orders", "amount_cents", "quantity_milli")
        return ("orders", "amount_cents")

    @property
    def columns(self) -> tuple[str, ...]:
        common = ("company_id", "grain", "start", "currency", "owner_id", "team_id")
        return common + self.dims + self.measures


ROLLUPS: dict[str, Rollup] = {
    "sales": Rollup(SalesRollup),
    "grade": Rollup(SalesGradeRollup, ("grade_id",), ("s.grade_id",), snapshot=True),
    "region": Rollup(
        SalesRegionRollup,
        ("province", "city"),
        ("s.province", "s.city"),
        snapshot=True,
        everyone_days=True,
    ),
    "product": Rollup(
        SalesProductRollup, ("product_id",), ("l.product_id",), lines=True, everyone_days=True
    ),
}


# --- dates -----------------------------------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return next_month(day) - timedelta(days=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def day_ranges(days: Iterable[date]) -> list[DateRange]:
    """Sorted, merged ranges of consecutive days (one span when there would be too many)."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and day - ranges[-1][1] <= timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    if len(ranges) > MAX_RANGES:
        return [(ranges[0][0], ranges[-1][1])]
    return [(a, b) for a, b in ranges]


def month_ranges(ranges: Sequence[DateRange]) -> list[DateRange]:
    """The whole months the day ranges touch, as merged day ranges."""
    return day_ranges_merge([(month_start(a), month_end(b)) for a, b in ranges])


def day_ranges_merge(ranges: Sequence[DateRange]) -> list[DateRange]:
    merged: list[list[date]] = []
    for a, b in sorted(ranges):
        if merged and a - merged[-1][1] <= timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


# --- SQL pieces ------------------------------------------------------------------------------
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS date)"
    return f"DATE({column}, 'start of month')"


def _in_ranges(column: str, ranges: Sequence[DateRange] | None) -> tuple[str, list]:
    if ranges is None:
        return "", []
    if not ranges:
        return " AND 1 = 0", []
    sql = " OR ".join(f"{column} BETWEEN %s AND %s" for _r in ranges)
    return f" AND ({sql})", [d for r in ranges for d in r]


def _owners(column: str, owner_ids: Iterable[int | None] | None) -> tuple[str, list]:
    if owner_ids is None:
        return "", []
    owner_ids = set(owner_ids)
    ids = sorted(o for o in owner_ids if o is not None)
    parts = []
    if ids:
        parts.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
    if None in owner_ids:
        parts.append(f"{column} IS NULL")
    if not parts:
        return " AND 1 = 0", []
    return f" AND ({' OR '.join(parts)})", ids


def _counted(company_id: int) -> tuple[str, list]:
    statuses = ", ".join(["%s"] * len(COUNTED_STATUSES))
    return (
        f"o.company_id = %s AND o.status IN ({statuses}) AND o.deleted_at IS NULL",
        [company_id, *COUNTED_STATUSES],
    )


def _cents(column: str, places: int = 100) -> str:
    return f"SUM(CAST(ROUND({column} * {places}) AS BIGINT))"


def _source_sql(
    rollup: Rollup,
    *,
    company_id: int,
    grain: str,
    ranges: Sequence[DateRange] | None,
    owner_ids: Iterable[int | None] | None = None,
) -> tuple[str, list]:
    """SELECT the rollup's rows of a grain (in `columns` order) from the counted orders."""
    period = "o.order_date" if grain in (DAY, ALL_DAY) else _month("o.order_date")
    everyone = grain in (ALL_DAY, ALL_MONTH)
    owner = "NULL, NULL" if everyone else "o.owner_id, o.team_id"
    if rollup.lines:
        measures = f"COUNT(DISTINCT o.id), {_cents('l.line_total')}, {_cents('l.quantity', 1000)}"
        # Lines are reached through their order id only — no condition on the lines' company,
        # not even `l.company_id = o.company_id` (PostgreSQL would derive the constant from it):
        # when the statistics do not know the company yet (its first import, inside the
        # import's transaction), a condition on the lines' company lets the planner scan all of
        # the company's lines once per order.
        source = (
            f"{_q(OrderLine._meta.db_table)} l "
            f"INNER JOIN {_q(SalesOrder._meta.db_table)} o ON o.id = l.order_id"
        )
    else:
        measures = f"COUNT(*), {_cents('o.total')}"
        source = f"{_q(SalesOrder._meta.db_table)} o"
    if rollup.snapshot:
        source += f" INNER JOIN {_q(OrderSnapshot._meta.db_table)} s ON s.order_id = o.id"
    dims = "".join(f", {d}" for d in rollup.source)
    where, params = _counted(company_id)
    days_sql, days_params = _in_ranges("o.order_date", ranges)
    owners_sql, owners_params = _owners("o.owner_id", owner_ids)
    group = f"o.company_id, {period}, o.currency"
    if not everyone:
        group += ", o.owner_id, o.team_id"
    sql = (
        f"SELECT o.company_id, %s, {period}, o.currency, {owner}{dims}, {measures} "  # noqa: S608
        f"FROM {source} WHERE {where}{days_sql}{owners_sql} GROUP BY {group}{dims}"
    )
    return sql, [grain, *params, *days_params, *owners_params]


def _insert(rollup: Rollup, select: str, params: list) -> int:
    columns = ", ".join(_q(c) for c in rollup.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_q(rollup.table)} ({columns}) {select}", params)
        return cursor.rowcount


def _delete(
    rollup: Rollup,
    *,
    company_id: int,
    grain: str,
    ranges: Sequence[DateRange] | None,
    owner_ids: Iterable[int | None] | None = None,
) -> None:
    starts_sql, starts_params = _in_ranges(START, ranges)
    owners_sql, owners_params = _owners("owner_id", owner_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_q(rollup.table)} WHERE company_id = %s "  # noqa: S608
            f"AND grain = %s{starts_sql}{owners_sql}",
            [company_id, grain, *starts_params, *owners_params],
        )


def _from_source(rollup: Rollup, **scope) -> None:
    _delete(rollup, **scope)
    _insert(rollup, *_source_sql(rollup, **scope))


def _months_from_days(
    rollup: Rollup, *, company_id: int, days: str, ranges: Sequence[DateRange] | None
) -> None:
    """Month rows as the sums of the day rows (`DAY` → `MONTH`, `ALL_DAY` → `ALL_MONTH`); each
    order lies in one day, so the order counts add up."""
    months = MONTH if days == DAY else ALL_MONTH
    _delete(rollup, company_id=company_id, grain=months, ranges=ranges)
    keys = f"company_id, {_month(START)}, currency, owner_id, team_id"
    keys += "".join(f", {_q(d)}" for d in rollup.dims)
    sums = ", ".join(f"SUM({_q(m)})" for m in rollup.measures)
    starts_sql, starts_params = _in_ranges(START, ranges)
    select = (
        f"SELECT company_id, %s, {_month(START)}, currency, owner_id, team_id"  # noqa: S608
        + "".join(f", {_q(d)}" for d in rollup.dims)
        + f", {sums} FROM {_q(rollup.table)} "
        f"WHERE company_id = %s AND grain = %s{starts_sql} GROUP BY {keys}"
    )
    _insert(rollup, select, [months, company_id, days, *starts_params])


# --- snapshots and refresh ---------------------------------------------------------------------
def snapshot_missing(*, company_id: int, ranges: Sequence[DateRange] | None) -> int:
    """Freeze the grade and region of counted orders that have no snapshot yet (they are
    counting for the first time)."""
    where, params = _counted(company_id)
    days_sql, days_params = _in_ranges("o.order_date", ranges)
    snapshots = _q(OrderSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {snapshots} (order_id, company_id, grade_id, province, city) "  # noqa: S608
            f"SELECT o.id, o.company_id, c.grade_id, c.province, c.city "
            f"FROM {_q(SalesOrder._meta.db_table)} o "
            f"INNER JOIN {_q(Customer._meta.db_table)} c ON c.id = o.customer_id "
            f"WHERE {where}{days_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {snapshots} x WHERE x.order_id = o.id)",
            [*params, *days_params],
        )
        return cursor.rowcount


def refresh(
    *,
    company_id: int,
    ranges: Sequence[DateRange] | None,
    owner_ids: Iterable[int | None] | None = None,
) -> None:
    """Recompute the company's rows of these days (None: all) — day rows, the month rows of
    their months, and the per-owner month rows of `owner_ids` (None: every owner)."""
    months = None if ranges is None else month_ranges(ranges)
    snapshot_missing(company_id=company_id, ranges=ranges)
    for rollup in ROLLUPS.values():
        days = ALL_DAY if rollup.everyone_days else DAY
        _from_source(rollup, company_id=company_id, grain=days, ranges=ranges)
        _months_from_days(rollup, company_id=company_id, days=days, ranges=months)
        if rollup.everyone_days:
            _from_source(
                rollup, company_id=company_id, grain=MONTH, ranges=months, owner_ids=owner_ids
            )


def rebuild(*, company_id: int) -> None:
    """Every row of the company from scratch (snapshots already taken are kept)."""
    with connection.cursor() as cursor:
        for rollup in ROLLUPS.values():
            cursor.execute(
                f"DELETE FROM {_q(rollup.table)} WHERE company_id = %s",  # noqa: S608
                [company_id],
            )
    refresh(company_id=company_id, ranges=None)
