"""Reading an upload into validated rows: row numbers as in the file, per-row errors, the
duplicate keys and the search columns a new customer and its contact will get.

Big files (`PARALLEL_FROM` rows or more) are validated in worker processes, in chunks, as
`bench generate` builds its rows: the work per row (validation, pinyin of the names for the
duplicate key and the search columns) is pure Python and the chunks are independent. The
results are the same as in one process, in file order.
"""

import json
import multiprocessing
import os
import threading
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import ValidationFailed
from shangyou.core.search import pinyin_tables_load, search_fields

from ..dedup import dedup_keys
from ..exporting import FORMULA_PREFIXES
from ..importers import headers as header_rules
from ..importers.tabular import read_table
from ..importers.vcard import parse_vcards
from ..models import Contact, Customer, Grade

CUSTOMER_KEYS = (
    "code", "name", "kind", "stage", "phone", "email", "website", "country", "province", "city",
    "address", "industry", "source", "birthday", "notes",
)  # fmt: skip
DATE_KEYS = frozenset({"birthday", "founded_on"})
#: Files with at least this many rows are validated in worker processes.
PARALLEL_FROM = 50_000
#: Rows per chunk handed to a worker process.
CHUNK_ROWS = 10_000


@dataclass(slots=True)
class ImportRow:
    number: int
    customer: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    grade_id: int | None = None
    owner_id: int | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: tuple[str, str, str] = ("", "", "")
    #: (search_text, search_grams) of the new customer and of its contact: what
    #: `refresh_search()` gives them, computed with the validation (valid rows only).
    search: tuple[str, str] | None = None
    contact_search: tuple[str, str] | None = None

    def dump(self) -> list:
        """A JSON-able list (for the worker processes and the prepared file); `load` reverses."""
        return [
            self.number,
            _dates_out(self.customer),
            _dates_out(self.contact),
            self.tags,
            self.grade_id,
            self.owner_id,
            self.errors,
            list(self.keys),
            list(self.search) if self.search else None,
            list(self.contact_search) if self.contact_search else None,
        ]

    def json_line(self) -> str:
        return json.dumps(self.dump(), ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def load(cls, item: Sequence) -> "ImportRow":
        number, customer, contact, tags, grade_id, owner_id, errors, keys, search, c_search = item
        return cls(
            number=number,
            customer=_dates_in(customer),
            contact=_dates_in(contact),
            tags=tags,
            grade_id=grade_id,
            owner_id=owner_id,
            errors=errors,
            keys=tuple(keys),
            search=tuple(search) if search else None,
            contact_search=tuple(c_search) if c_search else None,
        )


def _dates_out(values: dict[str, Any]) -> dict[str, Any]:
    if DATE_KEYS.isdisjoint(values):
        return values
    return {k: v.isoformat() if k in DATE_KEYS and v else v for k, v in values.items()}


def _dates_in(values: dict[str, Any]) -> dict[str, Any]:
    if DATE_KEYS.isdisjoint(values):
        return values
    return {
        k: date.fromisoformat(v) if k in DATE_KEYS and isinstance(v, str) else v
        for k, v in values.items()
    }


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    problems: list[str]  # about the file as a whole (unknown columns, unmapped vCard data)
    format: str


# --- reading --------------------------------------------------------------------------------
def _extra_synonyms() -> dict[str, list[str]]:
    """Our own export headers in every language, so an export always imports back."""
    from ..exporting import COLUMNS

    extra: dict[str, list[str]] = {"stage": ["阶段", "客户阶段", "Stage", "Lifecycle stage"]}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for key, label in COLUMNS:
                if key in header_rules.FIELD_KEYS or key == "stage":
                    extra.setdefault(key, []).append(str(label))
    return extra


def _choice_lookup(choices) -> dict[str, str]:
    """Values and labels (in every language) of a TextChoices → value."""
    lookup = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                lookup[header_rules.normalise_header(str(label))] = value
                lookup[header_rules.normalise_header(value)] = value
    return lookup


class Context:
    """What validation needs from the database, loaded once per file (plain dicts: it is
    handed to the worker processes)."""

    def __init__(self, actor: Actor) -> None:
        self.grades: dict[str, int] = {}
        for grade in Grade.objects.filter(company_id=actor.company_id):
            self.grades[grade.code.strip().lower()] = grade.pk
            self.grades[grade.name.strip().lower()] = grade.pk
        self.owners: dict[str, int] = {}
        for m in Membership.objects.filter(
            company_id=actor.company_id, is_active=True
        ).select_related("user"):
            self.owners[m.user.email.lower()] = m.user_id
            if m.user.full_name:
                self.owners[m.user.full_name.strip().lower()] = m.user_id
        self.stages = _choice_lookup(Customer.Stage)
        self.sources = _choice_lookup(Customer.Source)

    def fingerprint(self) -> list:
        """What the validation of a row depends on besides the row (JSON-able, comparable)."""
        return [
            sorted(self.grades.items()),
            sorted(self.owners.items()),
            sorted(self.stages.items()),
            sorted(self.sources.items()),
        ]


def validate(row: ImportRow, raw: dict[str, str], ctx: Context) -> None:
    c = row.customer
    for key in CUSTOMER_KEYS:
        value = (raw.get(key) or "").strip()
        if value and key not in {"kind", "stage", "source", "birthday"}:
            c[key] = value
    if not c.get("name"):
        if raw.get("contact"):
            c["name"] = raw["contact"].strip()
            c["kind"] = Customer.Kind.PERSON
        else:
            row.errors.append(_("The name is missing."))
    try:
        kind = header_rules.parse_kind(raw.get("kind"))
        if kind:
            c["kind"] = kind
    except ValueError as exc:
        row.errors.append(str(exc))
    if raw.get("stage"):
        stage = ctx.stages.get(header_rules.normalise_header(raw["stage"]))
        if stage:
            c["stage"] = stage
        else:
            row.errors.append(_("Unknown stage “%(value)s”.") % {"value": raw["stage"]})
    if raw.get("source"):
        source = ctx.sources.get(header_rules.normalise_header(raw["source"]))
        if source:
            c["source"] = source
        else:  # keep what the file said rather than drop it
            c["source"] = Customer.Source.OTHER
            row.notes.append(_("Source: %(value)s") % {"value": raw["source"]})
    if raw.get("birthday"):
        try:
            day = header_rules.parse_date(raw["birthday"])
            if day:
                c["birthday" if c.get("kind") == Customer.Kind.PERSON else "founded_on"] = day
        except ValueError as exc:
            row.errors.append(str(exc))
    if c.get("email"):
        c["email"] = c["email"].lower()
        try:
            validate_email(c["email"])
        except ValidationError:
            row.errors.append(_("“%(value)s” is not an email address.") % {"value": c["email"]})
    for key, limit in (("name", 200), ("phone", 40), ("code", 40), ("city", 60), ("province", 40)):
        if len(c.get(key, "")) > limit:
            row.errors.append(
                _("%(field)s is longer than %(max)d characters.") % {"field": key, "max": limit}
            )
    if raw.get("grade"):
        grade_id = ctx.grades.get(raw["grade"].strip().lower())
        if grade_id is None:
            row.errors.append(
                _("Unknown grade “%(value)s”: define it under Grades first.")
                % {"value": raw["grade"]}
            )
        row.grade_id = grade_id
    if raw.get("owner"):
        owner_id = ctx.owners.get(raw["owner"].strip().lower())
        if owner_id is None:
            row.errors.append(
                _("“%(value)s” is not a member of this company.") % {"value": raw["owner"]}
            )
        row.owner_id = owner_id
    row.tags = header_rules.split_tags(raw.get("tags")) if raw.get("tags") else []
    contact = {k: (raw.get(k) or "").strip() for k in ("title", "wechat", "qq")}
    if raw.get("contact") and raw["contact"].strip() != c.get("name"):
        row.contact = {"name": raw["contact"].strip(), **{k: v for k, v in contact.items() if v}}
    elif any(contact.values()) and c.get("name"):
        row.contact = {"name": c["name"], **{k: v for k, v in contact.items() if v}}
    if row.notes:
        c["notes"] = "\n".join([c.get("notes", ""), *row.notes]).strip()
    row.keys = dedup_keys(
        name=c.get("name", ""), phone=c.get("phone", ""), email=c.get("email", "")
    )


# --- the columns a valid row will be written with ---------------------------------------------
class _Values:
    """Stands in for a model instance in the model's own `search_parts()`: the attributes
    given, "" for any other (a new row's text fields are blank)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> str:
        return ""


def contact_values(contact: dict[str, Any]) -> dict[str, Any]:
    """The text fields of a row's new contact, cut to the column sizes."""
    return {
        "name": contact["name"][:100],
        "title": contact.get("title", "")[:100],
        "wechat": contact.get("wechat", "")[:60],
        "qq": contact.get("qq", "")[:20],
    }


def prepare_search(row: ImportRow) -> None:
    """The search columns of the row's customer and contact, from the models' own
    `search_parts()` (so they are what `refresh_search()` gives); the duplicate keys are
    already in `row.keys`."""
    if row.errors:
        return
    fields = search_fields(**Customer.search_parts(_Values(row.customer)))
    row.search = (fields["search_text"], fields["search_grams"])
    if row.contact:
        values = contact_values(row.contact)
        row.contact_search = _contact_search(tuple(values.items()))


@lru_cache(maxsize=65536)
def _contact_search(values: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """Contacts' search columns, cached: a list of a million customers names the same few
    hundred thousand people (张伟 …) with nothing else that is searched."""
    fields = search_fields(**Contact.search_parts(_Values(dict(values))))
    return fields["search_text"], fields["search_grams"]


def _unneutralise(value: str) -> str:
    """Undo our export's formula guard ('=… → =…): the value is data, never run here."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _validate_records(mapping: Sequence[tuple[str, int]], records: Iterable, ctx: Context):
    """Validated rows of (number, cell values) records."""
    out = []
    for number, values in records:
        width = len(values)
        raw = {key: _unneutralise(values[i]) if i < width else "" for key, i in mapping}
        row = ImportRow(number=number)
        validate(row, raw, ctx)
        prepare_search(row)
        out.append(row)
    return out


def _light(row: ImportRow) -> ImportRow:
    """What the preview needs of a row whose whole dump went to the prepared file: its
    number, errors, duplicate keys and customer number."""
    code = row.customer.get("code")
    return ImportRow(
        number=row.number, customer={"code": code} if code else {}, errors=row.errors, keys=row.keys
    )


def _table_chunk(args: tuple):
    """A chunk of records (in a worker process, in the language of the upload's request):
    the rows' dumps, or (with `lines`) their prepared-file lines and light rows — whole for
    the first `full` rows."""
    mapping, records, ctx, language, lines, full = args
    with translation.override(language):
        rows = _validate_records(mapping, records, ctx)
    if not lines:
        return [row.dump() for row in rows]
    text = "".join(row.json_line() for row in rows)
    return text, [row.dump() if i < full else _light(row).dump() for i, row in enumerate(rows)]


def _workers() -> int:
    """Worker processes for a big file; 0: validate in this process. Forking a process with
    other threads running (a threaded web server) could copy a lock that one of them holds,
    so only a single-threaded process (the CLI, the benchmark, a sync web worker) forks."""
    if threading.active_count() > 1:
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, 4) if (cpus or 1) > 1 else 0


#: Rows of a preview kept whole (the report's sample); the others are light when the prepared
#: file holds them.
SAMPLE_ROWS = 20


def _validated_rows(mapping: dict[str, int], table_rows: list, ctx: Context, sink) -> list:
    """The rows, validated, in file order; with a `sink` (prepared file), chunk by chunk their
    lines go there and the rows after the first SAMPLE_ROWS come back light."""
    items = sorted(mapping.items(), key=lambda item: item[1])
    records = [(r.number, r.values) for r in table_rows]
    workers = _workers() if len(records) >= PARALLEL_FROM else 0
    if not workers and sink is None:
        return _validate_records(items, records, ctx)
    language = translation.get_language()
    lines = sink is not None
    chunks = [
        (items, records[start : start + CHUNK_ROWS], ctx, language, lines, SAMPLE_ROWS - start)
        for start in range(0, len(records), CHUNK_ROWS)
    ]
    del records
    rows: list[ImportRow] = []
    with ExitStack() as stack:
        if workers:
            pinyin_tables_load()  # once, shared by the forked workers
            # The children only compute (no database, no files): the parent's open connection
            # is not touched by them, and the pool is closed before the parent goes on.
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
            results = pool.imap(_table_chunk, chunks)
        else:
            results = map(_table_chunk, chunks)
        for result in results:
            if sink is None:
                rows.extend(ImportRow.load(item) for item in result)
            else:
                text, dumps = result
                sink.add_lines(text)
                rows.extend(ImportRow.load(item) for item in dumps)
    return rows


def _rows_from_table(filename: str, data: bytes, ctx: Context, sink=None) -> ParsedFile:
    table = read_table(
        filename, data, max_rows=settings.IMPORT_MAX_ROWS, max_bytes=settings.IMPORT_MAX_BYTES
    )
    match = header_rules.match_headers(table.headers, extra=_extra_synonyms())
    if not match.ok:
        raise ValidationFailed(" ".join(match.errors()))
    if "name" not in match.mapping and "contact" not in match.mapping:
        raise ValidationFailed(
            _("No name column was found. Name a column 客户名称 or Name (see the template).")
        )
    problems = match.unknown_messages() + [str(w) for w in table.warnings]
    rows = _validated_rows(match.mapping, table.rows, ctx, sink)
    return ParsedFile(rows=rows, problems=problems, format=table.format)


def _rows_from_vcards(data: bytes, ctx: Context, sink=None) -> ParsedFile:
    parsed = parse_vcards(data)
    problems = [str(w) for w in parsed.warnings]
    rows = []
    for card in parsed.cards:
        raw: dict[str, str] = {
            "phone": card.phones[0].value if card.phones else "",
            "email": card.emails[0].value if card.emails else "",
            "website": card.urls[0].value if card.urls else "",
            "notes": card.note,
            "tags": ", ".join(card.categories),
        }
        if card.addresses:
            address = card.addresses[0]
            raw.update(
                country=address.country,
                province=address.region,
                city=address.city,
                address=" ".join(
                    p for p in (address.street, address.extended, address.po_box) if p
                ),
            )
        if card.organisation and card.full_name:
            raw.update(
                name=card.organisation, kind="company", contact=card.full_name, title=card.title
            )
        else:
            raw.update(name=card.display_name, kind="company" if card.organisation else "person")
            if card.birthday and card.birthday.as_date():
                raw["birthday"] = card.birthday.as_date().isoformat()
        for im in card.ims:
            if im.service in {"wechat", "qq"}:
                raw[im.service] = im.handle
        row = ImportRow(number=card.line)
        validate(row, raw, ctx)
        extra = []
        if len(card.phones) > 1 or len(card.emails) > 1:
            extra.append(
                _("Other phones/emails: %(values)s")
                % {
                    "values": ", ".join(
                        [p.value for p in card.phones[1:]] + [e.value for e in card.emails[1:]]
                    )
                }
            )
        if card.birthday and card.organisation and card.full_name:
            row.contact["birthday"] = card.birthday.as_date()
        if extra:
            row.customer["notes"] = "\n".join([row.customer.get("notes", ""), *extra]).strip()
        prepare_search(row)
        for prop, preview in card.unmapped:
            problems.append(
                _("Card at line %(line)d (%(name)s): %(prop)s was not imported (%(value)s).")
                % {"line": card.line, "name": card.display_name, "prop": prop, "value": preview}
            )
        problems.extend(str(w) for w in card.warnings)
        rows.append(row)
    if sink is not None:
        sink.add_lines("".join(row.json_line() for row in rows))
    return ParsedFile(rows=rows, problems=problems, format="vcf")


def parse_upload(
    *, actor: Actor, filename: str, data: bytes, ctx: Context | None = None, sink=None
) -> ParsedFile:
    """Read and validate an upload. With a `sink` (`prepared.Writer`) every row's dump goes
    there as it is validated, and the rows returned after the first SAMPLE_ROWS may be light
    (number, errors, keys, customer number: what the preview's report needs)."""
    ctx = ctx or Context(actor)
    if filename.lower().endswith((".vcf", ".vcard")):
        parsed = _rows_from_vcards(data, ctx, sink)
    else:
        parsed = _rows_from_table(filename, data, ctx, sink)
    check_codes(actor, parsed.rows)
    return parsed


def check_codes(actor: Actor, rows: list[ImportRow]) -> None:
    """Customer numbers must be new: not used by a customer, nor by an earlier row."""
    coded = [r for r in rows if r.customer.get("code")]
    codes = sorted({r.customer["code"] for r in coded})
    taken = set()
    for start in range(0, len(codes), 500):
        taken |= set(
            Customer.objects.filter(
                company_id=actor.company_id, code__in=codes[start : start + 500]
            ).values_list("code", flat=True)
        )
    first_row: dict[str, int] = {}
    for row in coded:
        code = row.customer["code"]
        if code in taken:
            row.errors.append(_("Customer number %(code)s is already used.") % {"code": code})
        elif code in first_row:
            row.errors.append(
                _("Customer number %(code)s is also on row %(row)d.")
                % {"code": code, "row": first_row[code]}
            )
        else:
            first_row[code] = row.number
