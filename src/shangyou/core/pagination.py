"""Pagination that never counts a million rows.

`BoundedPaginator` counts at most `cap` rows past the requested page (`qs[:n].count()` stops
early), so a list of a million customers says "10,000+" instead of scanning them all; and it
fetches a page in two steps — the ids first (an index-only scan for indexed orderings), then
those rows — so deep pages do not drag whole rows through OFFSET.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000
#: A search counts at most this many matches ("1,000+"): `matches_page` then reads them once.
SEARCH_CAP = 10_000


#: Seconds a capped count is remembered (see `bounded_count`).
CAPPED_COUNT_SECONDS = 60


def bounded_count(queryset: QuerySet, *, cap: int = DEFAULT_CAP) -> tuple[int, bool]:
    """(count, exact): the number of rows, or cap + 1 and False when there are more.

    A capped count ("more than 10,000") is remembered for `CAPPED_COUNT_SECONDS`, keyed by its
    statement and parameters (the company's id among them): it says no more than that there
    were more rows than the cap, which stays true while someone pages, sorts and comes back to
    a big list — and counting to the cap read 10,001 index entries (4–11 ms) on every page of
    it. Exact counts are never remembered, so a small list's total is always current; after a
    mass delete a list that fell below the cap says "more than" for up to a minute."""
    counted = queryset.order_by()[: cap + 1]
    key = _capped_key(counted)
    if key is not None and cache.get(key):
        return cap + 1, False
    n = counted.count()
    if n > cap and key is not None:
        cache.set(key, True, CAPPED_COUNT_SECONDS)
    return n, n <= cap


def _capped_key(counted: QuerySet) -> str | None:
    try:
        sql, params = counted.query.sql_with_params()
    except EmptyResultSet:  # matches nothing (`pk__in=[]`): counted without a statement
        return None
    text = repr((counted.db, sql, tuple(params)))
    return "capped-count:" + hashlib.sha256(text.encode()).hexdigest()


#: `page_rows(walk=True)` walks the order's index for pages that end at most this deep.
WALK_DEPTH = 100


def page_rows(queryset: QuerySet, offset: int, limit: int, *, walk: bool = False) -> list:
    """Rows [offset, offset+limit) of an ordered queryset, fetched ids-first.

    `walk`: the caller knows the queryset matches many rows — more than a search's cap, out of
    a table it knows to be at most ~100 times larger — so the page lies within the first
    ~100 × (offset + limit) entries of the order's index. On PostgreSQL the page is then read
    by walking that index (sorting and parallel workers switched off for the one statement):
    the planner, which takes a phrase's bigrams for independent (连接器: 13 rows expected,
    3,905 real), would otherwise fetch and sort every match (17 ms instead of 1.5)."""
    if offset < 200:  # shallow pages: one query is cheaper …
        if walk and offset + limit <= WALK_DEPTH:
            return _walked(queryset[offset : offset + limit])
        if len(_joinable(queryset.model, queryset._prefetch_related_lookups)[0]) < 2:
            return list(queryset[offset : offset + limit])
        # … unless the rows' parents are prefetched, one query each (a search keeps joins out
        # of its matching): the ids, then the rows joined to them, take fewer statements
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    return rows_by_ids(queryset, ids)


#: What `page_rows(walk=True)` sets for its statement on PostgreSQL.
WALK_SETTINGS = {"enable_sort": "off", "max_parallel_workers_per_gather": "0"}


def _set_locally(cursor, settings: dict[str, str]) -> None:
    calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
    cursor.execute(f"SELECT {calls}", [x for pair in settings.items() for x in pair])


def _walked(queryset: QuerySet) -> list:
    # The rows' parents are joined: the walk's nested loop looks each up for the page's rows
    # only. The other prefetches are read by id, outside the settings below.
    queryset = _join_parents(queryset, queryset._prefetch_related_lookups)
    lookups = queryset._prefetch_related_lookups
    queryset = queryset.prefetch_related(None)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        rows = list(queryset)
    else:
        rows = _with_walk_settings(connection, queryset)
    if lookups:
        prefetch_related_objects(rows, *lookups)
    return rows


def _with_walk_settings(connection, queryset: QuerySet) -> list:
    # Local to the transaction. When it is a caller's, they are put back afterwards (a failed
    # statement rolls back to the savepoint, which undoes them too); our own ends with them.
    nested = connection.in_atomic_block
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        if nested:
            names = list(WALK_SETTINGS)
            cursor.execute(f"SELECT {', '.join('current_setting(%s)' for _ in names)}", names)
            before = dict(zip(names, cursor.fetchone(), strict=True))
        _set_locally(cursor, WALK_SETTINGS)
        rows = list(queryset)
        if nested:
            _set_locally(cursor, before)
    return rows


@dataclass
class Matches:
    """What `matches_page` found: the page's rows (None when there were more than `cap`
    matches: the caller reads the page in the queryset's own order) and the bounded count."""

    rows: list | None
    count: int
    exact: bool


def matches_page(queryset: QuerySet, *, offset: int, limit: int, cap: int) -> Matches | None:
    """The page and the bounded count of a search in ONE pass over its matches.

    Paging a search the plain way reads the matches twice — once to count them (at most
    `cap + 1`, `bounded_count`), once to sort them for the page — and for a text-index search
    each read repeats the index scan (a common pinyin trigram: most of the time). Here the
    database reads the first `cap + 1` matches (their ids and sort keys) once into a CTE, counts
    them and sorts them; when they were all (`cap` or fewer) the page is exact, and its rows
    are read by primary key. With more matches the count says "cap+" and `rows` is None: the
    queryset's ordered index walk stops after a page of a common word.

    None when the queryset's order is not plain columns of its model (the caller pages the
    usual way), or the page lies beyond `cap`."""
    order = list(queryset.query.order_by)
    if not order or offset + limit > cap:
        return None
    if any(not isinstance(o, str) or "__" in o or o.lstrip("-") in ("", "?") for o in order):
        return None
    pk_name = queryset.model._meta.pk.name
    columns = ["pk"]
    for term in order:
        name = term.lstrip("-")
        if name not in ("pk", pk_name) and name not in columns:
            columns.append(name)
    positions = []
    for term in order:
        name = term.lstrip("-")
        position = 1 if name in ("pk", pk_name) else columns.index(name) + 1
        positions.append(f"{position} {'DESC' if term.startswith('-') else 'ASC'}")
    inner = queryset.order_by().select_related(None).values_list(*columns)[: cap + 1]
    sql, params = inner.query.sql_with_params()
    connection = connections[queryset.db]
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    width = len(columns)
    statement = (
        f"WITH m AS {materialized}({sql}) "  # noqa: S608 - Django's SQL for `inner`, its params
        f"SELECT m.*, (SELECT count(*) FROM m) FROM m ORDER BY {', '.join(positions)} "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, limit, offset))
        found = cursor.fetchall()
    if found:
        count = found[0][width]
    elif offset == 0:
        count = 0
    else:  # past the last match: how many there are is not on the page
        count, exact = bounded_count(queryset, cap=cap)
        return Matches([] if exact else None, count, exact)
    if count > cap:
        return Matches(None, cap + 1, False)
    return Matches(rows_by_ids(queryset, [row[0] for row in found]), count, True)


def rows_by_ids(queryset: QuerySet, ids: list) -> list:
    """The rows with these primary keys, in this order, loaded as `queryset` loads them (its
    select/prefetch_related and deferred fields) — without its filters: the ids are known
    matches, and repeating a text search's conditions could take its index again."""
    if queryset.query.annotations or queryset.query.distinct_fields:
        fetch = queryset.order_by().filter(pk__in=ids)
    else:
        fetch = queryset.model._base_manager.db_manager(queryset.db).filter(pk__in=ids)
        fetch.query.select_related = queryset.query.select_related
        fetch.query.deferred_loading = queryset.query.deferred_loading
        fetch = _join_parents(fetch, queryset._prefetch_related_lookups)
    rows = {row.pk: row for row in fetch}
    return [rows[pk] for pk in ids if pk in rows]


def _join_parents(queryset: QuerySet, lookups) -> QuerySet:
    """`queryset` joining the plain foreign keys among the prefetch `lookups` and prefetching
    the rest: for a page of rows, the parents they point to come in the same query."""
    joined = []
    if queryset.query.select_related is not True:  # (True: every relation joined already)
        joined, lookups = _joinable(queryset.model, lookups)
    if joined:
        queryset = queryset.select_related(*joined)
    queryset = queryset.prefetch_related(None)
    queryset._prefetch_related_lookups = tuple(lookups)
    return queryset


def _joinable(model, lookups) -> tuple[list[str], list]:
    """Split prefetch lookups into plain forward foreign keys (a join is cheaper for a page of
    rows read by id — a search prefetches them so that matching never joins) and the rest."""
    joined, prefetched = [], []
    for lookup in lookups:
        field = None
        if isinstance(lookup, str) and "__" not in lookup:
            try:
                field = model._meta.get_field(lookup)
            except FieldDoesNotExist:
                field = None
        if field is not None and field.concrete and (field.many_to_one or field.one_to_one):
            joined.append(lookup)
        else:
            prefetched.append(lookup)
    return joined, prefetched


class BoundedPaginator(Paginator):
    """`search=True`: the list is a search, counted to `cap` (default `SEARCH_CAP`) and paged
    through `matches_page` (one pass over the matches for the page asked for)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        page_hint=1,
        search=False,
        walk_when_capped=False,
        **kw,
    ):
        super().__init__(object_list, per_page, **kw)
        self.walk_when_capped = walk_when_capped
        try:
            hint = max(1, int(page_hint or 1))
        except (TypeError, ValueError):
            hint = 1
        self.hint = hint
        self.search = search and isinstance(object_list, QuerySet)
        if cap is None:
            cap = SEARCH_CAP if search else DEFAULT_CAP
        self.cap = max(cap, (hint + 1) * per_page)
        self.count_is_exact = True
        self._matches: Matches | None = None

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        if self.search:
            offset = (self.hint - 1) * self.per_page
            self._matches = matches_page(
                self.object_list, offset=offset, limit=self.per_page, cap=self.cap
            )
            if self._matches is not None:
                self.count_is_exact = self._matches.exact
                return self._matches.count
        n, exact = bounded_count(self.object_list, cap=self.cap)
        self.count_is_exact = exact
        return n

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        matched = self._matches
        if matched is not None and matched.rows is not None and number == self.hint:
            return self._get_page(matched.rows[: top - bottom], number, self)
        if isinstance(self.object_list, QuerySet):
            walk = self.walk_when_capped and matched is not None and not matched.exact
            rows = page_rows(self.object_list, bottom, top - bottom, walk=walk)
            return self._get_page(rows, number, self)
        return self._get_page(self.object_list[bottom:top], number, self)


class PeekPage:
    """A page of a list read with one row more than it shows — whether there is a next page,
    without counting: for "load more" lists (a customer's timeline) that never show a total."""

    def __init__(self, queryset: QuerySet, number, per_page: int):
        try:
            self.number = max(1, int(number or 1))
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
