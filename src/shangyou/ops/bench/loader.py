"""Bulk loading for generated rows: PostgreSQL COPY, SQLite executemany in large transactions.

Table generators produce rows as tuples in a fixed column order. `encode_copy()` turns a batch
into COPY text (done in the worker processes, so the parent only streams bytes);
`BulkLoader.load()` writes batches through the fastest path of the current database.

For very large loads on PostgreSQL the table's secondary indexes (B-tree, trigram GIN, grams GIN)
are dropped first and rebuilt afterwards — building an index once is far cheaper than updating it
a million times — then the table is ANALYZEd. On SQLite the FTS5 tables are kept by the search
triggers during the load.
"""

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, connections, transaction

COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)


def encode_copy(rows: Iterable[Sequence]) -> bytes:
    """Rows → PostgreSQL COPY text format."""
    return "".join("\t".join(map(copy_value, row)) + "\n" for row in rows).encode()


def sqlite_value(value):
    if isinstance(value, datetime):
        # What Django's SQLite backend stores for an aware datetime with USE_TZ: naive UTC.
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return value


def encode_sqlite(rows: Iterable[Sequence]) -> list[tuple]:
    return [tuple(map(sqlite_value, row)) for row in rows]


class BulkLoader:
    """Writes batches of rows to one table through the database's bulk path."""

    #: SQLite: commit every this many rows (one transaction per batch group).
    SQLITE_TXN_ROWS = 100_000

    def __init__(self, *, vendor: str | None = None) -> None:
        self.vendor = vendor or connection.vendor
        if self.vendor not in {"postgresql", "sqlite"}:
            raise RuntimeError(f"bench generate supports PostgreSQL and SQLite, not {self.vendor}")

    @property
    def encoder(self) -> Callable[[Iterable[Sequence]], object]:
        return encode_copy if self.vendor == "postgresql" else encode_sqlite

    def load(
        self,
        table: str,
        columns: Sequence[str],
        batches: Iterable[tuple[int, object]],
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Load encoded `batches` of (row count, payload); returns the number of rows."""
        if self.vendor == "postgresql":
            return self._load_postgresql(table, columns, batches, on_batch)
        return self._load_sqlite(table, columns, batches, on_batch)

    def _load_postgresql(self, table, columns, batches, on_batch) -> int:
        total = 0
        cols = ", ".join(columns)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Generated rows reference rows that exist (read back from this database), so the
            # per-row foreign-key triggers (deferred: millions of queued events) are skipped,
            # as pg_restore --disable-triggers does. Needs a superuser; else they run.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for count, payload in batches:
                    copy.write(payload)
                    total += count
                    if on_batch:
                        on_batch(count)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        return total

    def _load_sqlite(self, table, columns, batches, on_batch) -> int:
        total = 0
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from models
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        batches = iter(batches)
        with sqlite_bulk_pragmas():
            while True:
                in_txn = 0
                with transaction.atomic():
                    connection.ensure_connection()
                    raw = connection.connection.cursor()
                    for count, payload in batches:
                        raw.executemany(sql, payload)
                        total += count
                        in_txn += count
                        if on_batch:
                            on_batch(count)
                        if in_txn >= self.SQLITE_TXN_ROWS:
                            break
                    raw.close()
                if in_txn < self.SQLITE_TXN_ROWS:
                    return total


@contextmanager
def sqlite_bulk_pragmas():
    """Faster, less durable writes for the length of a bulk load (a crash means regenerate).

    `synchronous` and `temp_store` cannot change inside a transaction, so inside one (tests)
    only the cache size is touched."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
        outside = not connection.in_atomic_block
        if outside:
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        if outside:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = NORMAL")


# --- PostgreSQL: drop and rebuild secondary indexes around a big load ---------------------------
def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY pg_relation_size(i.oid) DESC, i.relname
            """,
            [table],
        )
        return list(cursor.fetchall())


def _build(statements: list[tuple[str, str]], log: Callable[[str], None], work_mem: str) -> None:
    conn = connections["default"]
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SET maintenance_work_mem = '{work_mem}'")
            for name, sql in statements:
                started = time.perf_counter()
                cursor.execute(sql)
                log(f"  index {name} rebuilt in {time.perf_counter() - started:.1f} s")
    finally:
        conn.close()


@contextmanager
def indexes_dropped(table: str, *, log: Callable[[str], None], parallel: int = 2):
    """Drop the secondary indexes of `table` for the duration of the block, then rebuild them
    (on `parallel` connections; the biggest index first) and ANALYZE. The rebuild also runs when
    the block fails, so an interrupted load never leaves the table without its indexes."""
    # GIN builds are the slow ones: start them first, on different connections.
    indexes = sorted(secondary_indexes(table), key=lambda item: "USING gin" not in item[1])
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    log(f"  dropped {len(indexes)} indexes of {table} for the load")
    try:
        yield indexes
    finally:
        started = time.perf_counter()
        # Greedy split: each connection takes the next index, biggest first.
        lanes: list[list[tuple[str, str]]] = [[] for _ in range(max(1, parallel))]
        for i, item in enumerate(indexes):
            lanes[i % len(lanes)].append(item)
        work_mem = "512MB" if parallel > 1 else "1GB"
        threads = [
            threading.Thread(target=_build, args=(lane, log, work_mem), daemon=True)
            for lane in lanes
            if lane
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        missing = {name for name, _ in indexes} - {name for name, _ in secondary_indexes(table)}
        if missing:
            raise RuntimeError(f"indexes not rebuilt: {sorted(missing)}")
        log(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.1f} s")


def sequence_past_max(table: str, column: str = "id") -> None:
    """PostgreSQL: after rows were loaded with explicit ids, the next id follows the largest."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - names from models
            f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)",
            [table, column],
        )


def analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


# --- SQLite: FTS5 search tables ---------------------------------------------------------------
def sqlite_fts_check(table: str, *, log: Callable[[str], None]) -> None:
    """The search triggers keep `<table>_fts` / `<table>_grams` current during the load. If a
    table's FTS tables exist but its insert triggers do not (a later migration that remade the
    table drops them), rebuild the FTS tables after the load and say so loudly."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, type FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            [f"{table}_fts", f"{table}_grams", f"{table}_fts_ai", f"{table}_grams_ai"],
        )
        found = dict(cursor.fetchall())
        for suffix in ("fts", "grams"):
            fts = f"{table}_{suffix}"
            if fts in found and f"{fts}_ai" not in found:
                started = time.perf_counter()
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
                log(
                    f"  WARNING: trigger {fts}_ai is missing, so rows written by the app are not "
                    f"search-indexed on SQLite; rebuilt {fts} after the load "
                    f"({time.perf_counter() - started:.1f} s)"
                )
