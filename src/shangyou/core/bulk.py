"""Bulk writes shared by the imports."""

from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def references_locked(references: list[tuple[Any, set]]):
    """PostgreSQL: lock the existing rows that new rows reference (as the foreign-key checks
    would, once per row: FOR KEY SHARE — none of them can be deleted before the import
    commits), then write without the per-row foreign-key triggers
    (`session_replication_role = replica`, as `pg_restore --disable-triggers`; tables written
    by an import have no other triggers). Every reference is then one the import made itself
    or one checked here. A million rows queue ~12 million trigger events otherwise, run one by
    one at commit. Needs a superuser; for another role (or if a referenced row is gone) the
    triggers run as usual."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        usable = cursor.fetchone()[0]
        for model, ids in references if usable else ():
            if not ids:
                continue
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {pk} = ANY(%s) "  # noqa: S608
                "FOR KEY SHARE) AS locked",
                [sorted(ids)],
            )
            usable = cursor.fetchone()[0] == len(ids)
            if not usable:
                break
        if usable:
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if usable:  # not after a failure: the transaction is rolled back, and the setting with it
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
