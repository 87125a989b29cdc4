"""Writing an import's new customers (with their contact, tags and audit entry) in bulk, and
merging rows into existing customers.

New rows are built as tuples straight from the validated rows — the search columns and
duplicate keys were computed with the validation — with the constant columns (company, author,
time stamps, the models' defaults) encoded once per import. PostgreSQL: the customers' ids are
taken from the sequence first, then customers, audit entries, tag links and contacts are
streamed with one COPY each while the server inserts and indexes the previous lines. SQLite:
the ids follow the table's largest (the import's transaction holds the write lock), rows go in
with executemany. Everything runs in the caller's transaction: a failure changes nothing.
"""

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext as _

from shangyou.accounts.models import Company, Team, User
from shangyou.core.actor import Actor
from shangyou.core.bulk import references_locked
from shangyou.core.models import AuditEntry
from shangyou.core.search import search_index_names
from shangyou.core.services import audit_log

from ..models import Contact, Customer, Grade, ImportJob, Tag
from .rows import CUSTOMER_KEYS, ImportRow, contact_values

#: Rows per batch: a COPY flush or an executemany, and a progress step.
BATCH_ROWS = 5000
#: The customer columns an import row may fill (its `customer` dict), in the order written.
CUSTOMER_COLUMNS = (
    "code", "name", "kind", "stage", "source", "phone", "email", "website", "country",
    "province", "city", "address", "industry", "birthday", "founded_on", "notes",
)  # fmt: skip
#: PostgreSQL, during an import (kB): the search (GIN) indexes collect new entries in their
#: pending list up to this size before the import's own connection merges them into the index
#: (in one sorted pass) — while a `SearchIndexMerger` runs, it does that merging on the other
#: connection, so the limit is only reached when the merger falls behind.
GIN_PENDING_LIMIT_KB = 256 * 1024
#: Memory for one merge of a pending list (kB): work_mem for a merge by an inserting
#: connection, maintenance_work_mem for gin_clean_pending_list().
GIN_MERGE_MEMORY_KB = 256 * 1024
#: New rows from which an import merges the search indexes' pending lists concurrently.
CONCURRENT_MERGE_FROM = 20_000

logger = logging.getLogger(__name__)

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A Python value in PostgreSQL's COPY text format."""
    if value.__class__ is str:  # most values: escaped only when they need it (rarely)
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)


def _sqlite_value(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


class RowTemplate:
    """New rows of one model: the `variable` columns given per row, every other concrete
    column a constant (given, or the field's default; `now` for auto_now(_add))."""

    def __init__(self, model, variable: Sequence[str], constants: dict, now) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = (set(variable) | set(constants)) - set(fields)
        if unknown:
            raise KeyError(f"not columns of {model.__name__}: {sorted(unknown)}")
        self.model = model
        self.variable = list(variable)
        fixed = []
        for attname, f in fields.items():
            if attname in self.variable or (f.primary_key and attname not in constants):
                continue
            if attname in constants:
                value = constants[attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            fixed.append((f, value))
        self.columns = [fields[a].column for a in self.variable] + [f.column for f, _v in fixed]
        if connection.vendor == "postgresql":
            self.suffix = "".join("\t" + copy_text(v) for _f, v in fixed) + "\n"
        else:
            self.fixed = tuple(f.get_db_prep_save(v, connection) for f, v in fixed)

    def write(self, rows: Iterable[Sequence], *, on_batch: Callable[[int], None] | None = None):
        """Insert `rows` (tuples of the variable columns, in order)."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if connection.vendor == "postgresql":
            suffix = self.suffix
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for batch in _batches(rows):
                    copy.write(
                        "".join(["\t".join(map(copy_text, r)) + suffix for r in batch]).encode()
                    )
                    if on_batch:
                        on_batch(len(batch))
            return
        fixed = self.fixed
        sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )
        with connection.cursor() as cursor:
            for batch in _batches(rows):
                cursor.executemany(sql, [tuple(map(_sqlite_value, r)) + fixed for r in batch])
                if on_batch:
                    on_batch(len(batch))


def _batches(rows: Iterable[Sequence]) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def reserve_ids(model, n: int) -> list[int]:
    """Ids for n new rows, so that other rows can name them before they are written.
    PostgreSQL: from the table's sequence. SQLite: after the largest id ever given (the
    import's transaction holds the database's write lock)."""
    if not n:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, n],
            )
            return [pk for (pk,) in cursor.fetchall()]
        table = connection.ops.quote_name(meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX({meta.pk.column}), 0) FROM {table}")  # noqa: S608
        largest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        seq = cursor.fetchone()
        start = max(largest, seq[0] if seq else 0) + 1
        return list(range(start, start + n))


def bulk_settings() -> None:
    """PostgreSQL, for the rest of the import's transaction: see GIN_PENDING_LIMIT_KB."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL gin_pending_list_limit = {int(GIN_PENDING_LIMIT_KB)}")
            # a merge by this connection (when the merger falls behind) sorts in work_mem
            cursor.execute(f"SET LOCAL work_mem = {int(GIN_MERGE_MEMORY_KB)}")


def _search_indexes(models) -> list[str]:
    return [name for m in models for name in search_index_names(m._meta.db_table)]


def _clean_pending_lists(cursor, indexes: list[str]) -> int:
    """Merge the indexes' pending lists into them now; the pending pages merged."""
    merged = 0
    for name in indexes:
        cursor.execute("SELECT gin_clean_pending_list(to_regclass(%s))", [name])
        merged += cursor.fetchone()[0] or 0
    return merged


def merge_pending_search_entries(models) -> None:
    """PostgreSQL, after the import committed: merge what its rows left in the search indexes'
    pending lists (what VACUUM would do), so that neither searches (which scan the pending
    list) nor the next insert by someone else (which would merge it) pay for it."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = {int(GIN_MERGE_MEMORY_KB)}")
        try:
            _clean_pending_lists(cursor, _search_indexes(models))
        finally:
            cursor.execute("RESET maintenance_work_mem")


class SearchIndexMerger:
    """PostgreSQL, while a big import inserts: a thread with a connection of its own merges
    the search indexes' pending lists into the indexes, over and over, until the import has
    written its rows (then once more, so that it commits with the lists merged).

    Adding a row to a GIN index through its pending list is cheap; merging the list into the
    index (sorting the entries, inserting them page by page) is most of the indexes' cost,
    and on the import's own connection it would be done by the same server process that
    inserts the rows and updates the b-tree indexes — one core. PostgreSQL lets any session
    that owns the index merge its pending list (`gin_clean_pending_list`, what VACUUM does)
    while others insert into it; the entries of uncommitted rows are moved like any others
    (an index entry is only a pointer: visibility is the table's). So the merging runs on the
    second core, beside the inserts. A failure here only loses the speed-up: the import's
    own connection merges whatever is left (the pending-list limit), so it is logged, not
    raised."""

    def __init__(self, models, *, interval: float = 0.2) -> None:
        self.indexes = _search_indexes(models)
        self.interval = interval
        self.merged_pages = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "SearchIndexMerger":
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(target=self._run, name="search-merge", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        from django.db import connections

        try:
            # A thread's own connection (Django's are per thread), outside the import's
            # transaction; closed at the end.
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = {int(GIN_MERGE_MEMORY_KB)}")
                while True:
                    last = self._stop.is_set()
                    merged = _clean_pending_lists(cursor, self.indexes)
                    self.merged_pages += merged
                    if last:
                        break
                    if not merged:
                        self._stop.wait(self.interval)
        except Exception as exc:  # the import's own connection merges what is left
            self.error = exc
            logger.warning("merging the search indexes during an import failed: %s", exc)
        finally:
            connections["default"].close()


class CustomerWriter:
    """Writes new customers with their contact, tags and audit entry."""

    def __init__(self, *, actor: Actor, job: ImportJob, now, teams, tag_ids) -> None:
        self.actor, self.teams, self.tag_ids = actor, teams, tag_ids
        self.content_type_id = ContentType.objects.get_for_model(Customer).pk
        user_id = actor.user_id
        tenant = {
            "company_id": actor.company_id,
            "created_by_id": user_id,
            "updated_by_id": user_id,
        }
        self.customers = RowTemplate(
            Customer,
            ["id", "owner_id", "team_id", "grade_id", "grade_locked", *CUSTOMER_COLUMNS]
            + ["search_text", "search_grams", "dedup_name", "dedup_phone", "dedup_email"],
            tenant,
            now,
        )
        self.defaults = {
            name: Customer._meta.get_field(name).get_default() for name in CUSTOMER_COLUMNS
        }
        self.defaults["source"] = Customer.Source.IMPORT.value
        self.contacts = RowTemplate(
            Contact,
            ["customer_id", "name", "title", "wechat", "qq", "birthday"]
            + ["search_text", "search_grams"],
            {**tenant, "is_primary": True},
            now,
        )
        self.audit = RowTemplate(
            AuditEntry,
            ["object_id", "object_repr"],
            {
                "company_id": actor.company_id,
                "user_id": user_id,
                "content_type_id": self.content_type_id,
                "action": AuditEntry.Action.CREATE,
                "note": (_("Imported from %(file)s") % {"file": job.filename})[:300],
            },
            now,
        )
        self.links = RowTemplate(Customer.tags.through, ["customer_id", "tag_id"], {}, now)

    def _customer_row(self, row: ImportRow, pk: int) -> tuple:
        values = row.customer
        if not values.keys() <= self.defaults.keys():
            raise KeyError(f"row {row.number}: not customer columns: {sorted(values)}")
        owner_id = row.owner_id or self.actor.user_id
        return (
            pk,
            owner_id,
            self.teams.get(owner_id),
            row.grade_id,
            row.grade_id is not None,
            *[values.get(name, default) for name, default in self.defaults.items()],
            *row.search,
            *row.keys,
        )

    def references(self, rows: list[ImportRow]) -> list[tuple[Any, set]]:
        """The existing rows that the new ones name (besides the new customers themselves)."""
        owners = {row.owner_id or self.actor.user_id for row in rows}
        return [
            (Company, {self.actor.company_id}),
            (User, owners | {self.actor.user_id}),
            (Team, {self.teams.get(pk) for pk in owners} - {None}),
            (Grade, {row.grade_id for row in rows} - {None}),
            (Tag, {self.tag_ids[tag_name(t)] for row in rows for t in row.tags}),
            (ContentType, {self.content_type_id}),
        ]

    def write(self, rows: list[ImportRow], *, on_batch=None) -> list[int]:
        """Insert the rows' customers (and what goes with them); returns their ids."""
        ids = reserve_ids(Customer, len(rows))
        with references_locked(self.references(rows)):
            self._write(rows, ids, on_batch)
        return ids

    def _write(self, rows: list[ImportRow], ids: list[int], on_batch) -> None:
        pairs = list(zip(rows, ids, strict=True))
        self.customers.write((self._customer_row(row, pk) for row, pk in pairs), on_batch=on_batch)
        self.audit.write((str(pk), row.customer["name"][:300]) for row, pk in pairs)
        tag_ids = self.tag_ids
        self.links.write(
            (pk, tag_id)
            for row, pk in pairs
            for tag_id in dict.fromkeys(tag_ids[tag_name(t)] for t in row.tags)
        )
        self.write_contacts(
            (pk, *contact_values(row.contact).values(), row.contact.get("birthday"))
            + row.contact_search
            for row, pk in pairs
            if row.contact
        )

    def write_contacts(self, rows: Iterable[tuple]) -> None:
        """The new customers' contacts (a method of its own: the rollback test fails it)."""
        self.contacts.write(rows)


# --- merging into existing customers ------------------------------------------------------------
def merge_row(actor: Actor, target: Customer, row: ImportRow, tag_ids, job) -> None:
    """Fill the existing customer's empty fields from the row; add its contact and tags."""
    changes = {}
    for key, value in row.customer.items():
        if key in CUSTOMER_KEYS and value and not getattr(target, key, None):
            changes[key] = [None, str(value)]
            setattr(target, key, value)
    if changes:
        target.refresh_search()
        target.version += 1
        target.updated_by = actor.user
        target.save()
        audit_log(
            actor=actor,
            instance=target,
            action=AuditEntry.Action.UPDATE,
            changes=changes,
            note=_("Merged from %(file)s row %(row)d") % {"file": job.filename, "row": row.number},
        )
    if row.contact and not target.contacts.filter(name=row.contact["name"]).exists():
        contact = Contact(
            company=actor.company,
            customer=target,
            created_by=actor.user,
            updated_by=actor.user,
            birthday=row.contact.get("birthday"),
            is_primary=True,
            **contact_values(row.contact),
        )
        contact.refresh_search()
        contact.save()
    target.tags.add(*[tag_ids[tag_name(t)] for t in row.tags])


def tag_name(name: str) -> str:
    return name.strip()[:50]


def tags_get_or_create(actor: Actor, names: Iterable[str]) -> dict[str, int]:
    names = {tag_name(n) for n in names if n.strip()}
    existing = dict(
        Tag.objects.filter(company_id=actor.company_id, name__in=names).values_list("name", "pk")
    )
    for name in sorted(names - set(existing)):
        existing[name] = Tag.objects.create(
            company=actor.company, name=name, created_by=actor.user, updated_by=actor.user
        ).pk
    return existing
