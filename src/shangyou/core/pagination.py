"""Pagination that never counts a million rows.

`BoundedPaginator` counts at most `cap` rows past the requested page (`qs[:n].count()` stops
early), so a list of a million customers says "10,000+" instead of scanning them all; and it
fetches a page in two steps — the ids first (an index-only scan for indexed orderings), then
those rows — so deep pages do not drag whole rows through OFFSET.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000


def bounded_count(queryset: QuerySet, *, cap: int = DEFAULT_CAP) -> tuple[int, bool]:
    """(count, exact): the number of rows, or cap + 1 and False when there are more."""
    n = queryset.order_by()[: cap + 1].count()
    return n, n <= cap


def page_rows(queryset: QuerySet, offset: int, limit: int) -> list:
    """Rows [offset, offset+limit) of an ordered queryset, fetched ids-first."""
    if offset < 200:  # shallow pages: one query is cheaper
        return list(queryset[offset : offset + limit])
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    # same filters and select/prefetch_related, no ORDER BY: the ids give the order
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = DEFAULT_CAP, page_hint=1, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            hint = max(1, int(page_hint or 1))
        except (TypeError, ValueError):
            hint = 1
        self.cap = max(cap, (hint + 1) * per_page)
        self.count_is_exact = True

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        n, exact = bounded_count(self.object_list, cap=self.cap)
        self.count_is_exact = exact
        return n

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if isinstance(self.object_list, QuerySet):
            return self._get_page(page_rows(self.object_list, bottom, top - bottom), number, self)
        return self._get_page(self.object_list[bottom:top], number, self)
