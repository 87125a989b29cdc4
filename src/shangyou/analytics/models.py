"""Rollups of the sales statistics (S5): pre-aggregated sums that `selectors` read instead of
the order lines.

Four small tables, one per grouping, instead of one wide one (cardinality: a row per product
and owner and day would be nearly as many rows as order lines):

* `SalesRollup` — per owner and team: orders and amount (order totals). Periods, salespeople
  and the totals.
* `SalesGradeRollup` — the same per customer grade.
* `SalesRegionRollup` — per province and city.
* `SalesProductRollup` — per product: orders with the product, line totals, quantities.

Each row is one `grain`: a day (`start` is the day) or a month (`start` is its first day),
for one owner and team, or for every owner (`ALL_…`). `sales` and `grade` keep per-owner day
and month rows; `region` and `product` keep every owner's day and month rows (what owners and
administrators read) and per-owner month rows (the record rules and the owner filter; per owner
and day they would be nearly one row per order line). Month rows are sums of day rows, or, for
per-owner rows without day rows, of the source. How they are refreshed and read:
`rollup.ROLLUPS` and `selectors`. Amounts are integer cents and quantities thousandths (exact
sums on every database, and integer sums are cheaper than decimal ones).

`OrderSnapshot` freezes, per counted order, the customer's grade and region at the moment the
order first counted as a sale (so a regrading does not move past sales between grades).

The rows are derived data: recomputed from the orders by `services.sales_rollup_refresh` /
`sales_rollup_rebuild` (never edited), so the foreign keys to users, teams, grades and products
carry no database constraint (a bulk delete of a company's data need not order its DELETEs),
and mirror the source's on_delete.
"""

from django.conf import settings
from django.db import models


class Grain(models.TextChoices):
    """Internal (never shown): a day or a month, per owner or for every owner."""

    DAY = "day"
    MONTH = "month"
    ALL_DAY = "all_day"
    ALL_MONTH = "all_month"


PER_OWNER = (Grain.DAY, Grain.MONTH)


class RollupRow(models.Model):
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grain = models.CharField(max_length=9, choices=Grain.choices)
    start = models.DateField()  # the day, or the first day of the month
    currency = models.CharField(max_length=3)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    orders = models.PositiveIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["company", "grain", "start"]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.currency} {self.orders} {self.amount_cents}"


def _indexes(prefix: str) -> list[models.Index]:
    """Led by the company: the rows of a grain and period; one owner's and one team's per-owner
    rows (the record rules, the owner filter)."""
    per_owner = models.Q(grain__in=PER_OWNER)
    return [
        models.Index(fields=["company", "grain", "start"], name=f"{prefix}_period"),
        models.Index(
            fields=["company", "owner", "grain", "start"],
            name=f"{prefix}_owner",
            condition=per_owner,
        ),
        models.Index(
            fields=["company", "team", "grain", "start"], name=f"{prefix}_team", condition=per_owner
        ),
    ]


class SalesRollup(RollupRow):
    """Counted orders per day or month, currency, owner and team."""

    class Meta(RollupRow.Meta):
        indexes = _indexes("sales_rollup")

    def __str__(self) -> str:
        return super().__str__()


class SalesGradeRollup(RollupRow):
    grade = models.ForeignKey(
        "contacts.Grade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta(RollupRow.Meta):
        indexes = _indexes("sales_grade_rollup")

    def __str__(self) -> str:
        return super().__str__()


class SalesRegionRollup(RollupRow):
    province = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=60, blank=True)

    class Meta(RollupRow.Meta):
        indexes = _indexes("sales_region_rollup")

    def __str__(self) -> str:
        return super().__str__()


class SalesProductRollup(RollupRow):
    """`orders` counts the orders with the product (an order with three products counts once
    for each); the amount is the sum of its line totals."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.DO_NOTHING,  # order lines protect their products
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    quantity_milli = models.BigIntegerField(default=0)  # thousandths

    class Meta(RollupRow.Meta):
        indexes = _indexes("sales_product_rollup")

    def __str__(self) -> str:
        return super().__str__()


class OrderSnapshot(models.Model):
    """The customer's grade and region when the order first counted as a sale."""

    order = models.OneToOneField(
        "orders.SalesOrder",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sales_snapshot",
        db_constraint=False,
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    grade = models.ForeignKey(
        "contacts.Grade",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    province = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.grade_id} {self.province} {self.city}"


class SalesRollupState(models.Model):
    """One row per company: its row lock serialises the refreshes of the company's rollups."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company"]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.refreshed_at}"
