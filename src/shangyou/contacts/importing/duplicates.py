"""Duplicates of an import's rows: against the company's customers and earlier rows of the file."""

from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor

from ..models import Customer
from .rows import ImportRow

_KEY_FIELDS = ("dedup_name", "dedup_phone", "dedup_email")


def _existing(actor: Actor, field_name: str, values: set[str]):
    """(pk, name, key) of the company's customers whose `field_name` is one of `values`.
    PostgreSQL takes a chunk as one array parameter (SQLite: at most 500 parameters)."""
    customers = Customer.objects.filter(company_id=actor.company_id)
    ordered = sorted(values)
    size = 20_000 if connection.vendor == "postgresql" else 500
    for start in range(0, len(ordered), size):
        chunk = ordered[start : start + size]
        if connection.vendor == "postgresql":
            rule = {f"{field_name}__in": RawSQL("SELECT unnest(%s::text[])", (chunk,))}
        else:
            rule = {f"{field_name}__in": chunk}
        yield from customers.filter(**rule).values_list("pk", "name", field_name)


def find_duplicates(*, actor: Actor, rows: list[ImportRow]) -> dict[int, dict[str, Any]]:
    """{row number: {"existing_id", "existing_name", "reasons"} or {"same_as_row": n, …}}."""
    names, phones, emails = set(), set(), set()
    for row in rows:
        if not row.errors:
            names.add(row.keys[0])
            phones.add(row.keys[1])
            emails.add(row.keys[2])
    names.discard("")
    phones = {p for p in phones if len(p) >= 6}
    emails.discard("")
    by_key: dict[tuple[int, str], tuple[int, str]] = {}
    for field_index, values in enumerate((names, phones, emails)):
        for pk, name, key in _existing(actor, _KEY_FIELDS[field_index], values):
            by_key.setdefault((field_index, key), (pk, name))
    reasons_text = (_("same name"), _("same phone"), _("same email"))
    seen_in_file: dict[tuple[int, str], int] = {}
    duplicates: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row.errors:
            continue
        found = None
        reasons = []
        for index, key in enumerate(row.keys):
            if not key or (index == 1 and len(key) < 6):
                continue
            hit = by_key.get((index, key))
            if hit:
                found = found or {"existing_id": hit[0], "existing_name": hit[1]}
                reasons.append(str(reasons_text[index]))
            elif (index, key) in seen_in_file and not found:
                found = {"same_as_row": seen_in_file[(index, key)]}
                reasons.append(str(reasons_text[index]))
        if found:
            duplicates[row.number] = {**found, "reasons": reasons}
        for index, key in enumerate(row.keys):
            if key:
                seen_in_file.setdefault((index, key), row.number)
    return duplicates
