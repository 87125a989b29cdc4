"""Writes of the analytics app: keeping the sales rollups (`models`, `rollup`) right.

`sales_rollup_refresh` recomputes the rows of the days (and their months) whose counted orders
changed; the orders app calls it through `orders.services.SALES_CHANGED_HOOKS` — after commit
when an order is created confirmed, confirmed or cancelled, inside the import's transaction for
an order-history import. `sales_rollup_rebuild` recomputes a company from scratch (the
`rebuild_sales_rollup` command, the benchmark generator, the initial migration).

Refreshes of one company are serialised by a row lock (`SalesRollupState`), so two refreshes of
the same day cannot both insert its rows; each reads the orders committed when it runs, so the
last one to run is right.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from . import rollup
from .models import SalesRollupState


def _lock(company_id: int) -> None:
    SalesRollupState.objects.bulk_create(
        [SalesRollupState(company_id=company_id)], ignore_conflicts=True
    )
    list(SalesRollupState.objects.select_for_update().filter(company_id=company_id).values("pk"))


def sales_rollup_refresh(
    *, company_id: int, days: Iterable[date | None], owner_ids: Iterable[int | None] | None = None
) -> None:
    """Recompute the company's rollup rows of these order dates (and their months); the
    per-owner month rows only for `owner_ids` (None: every owner)."""
    ranges = rollup.day_ranges(d for d in days if d is not None)
    if not ranges:
        return
    owners = None if owner_ids is None else set(owner_ids)
    with transaction.atomic():
        _lock(company_id)
        rollup.refresh(company_id=company_id, ranges=ranges, owner_ids=owners)
        SalesRollupState.objects.filter(company_id=company_id).update(refreshed_at=timezone.now())


def rollup_company_ids() -> list[int]:
    """The companies with orders, or with rollup rows (what a full rebuild goes through; the
    many companies that never sold anything are skipped)."""
    from shangyou.orders.models import SalesOrder

    from .models import SalesRollup

    with_orders = SalesOrder.all_objects.values_list("company_id", flat=True).distinct()
    with_rows = SalesRollup.objects.values_list("company_id", flat=True).distinct()
    return sorted(set(with_orders.order_by()) | set(with_rows.order_by()))


def sales_rollup_rebuild(*, company_id: int) -> None:
    """Every rollup row of the company from the orders (idempotent)."""
    with transaction.atomic():
        _lock(company_id)
        rollup.rebuild(company_id=company_id)
        now = timezone.now()
        SalesRollupState.objects.filter(company_id=company_id).update(
            refreshed_at=now, rebuilt_at=now
        )
