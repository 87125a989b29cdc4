"""Two-phase import of customers and their contacts from CSV, XLSX and vCard (C1).

1. `import_preview` reads the upload, validates every row (row numbers as in the file, the
   header being row 1; vCards by the line where the card begins), finds duplicates — against
   the company's customers and earlier rows of the same file — and stores the report with the
   file in an `ImportJob`. Nothing else is written.
2. `import_commit` records the user's choices (skip invalid rows? skip / merge / create each
   duplicate) and queues `run_import`, which applies the whole file in ONE transaction with
   progress: a failed import changes nothing, and a worker killed half-way leaves nothing behind
   — the task runs again from the start and, being idempotent, imports once.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.core.models import AuditEntry, TaskProgress
from shangyou.core.progress import Progress, progress_start
from shangyou.core.search import SearchableModel
from shangyou.core.services import audit_log, require_write

from .dedup import dedup_keys
from .importers import headers as header_rules
from .importers.tabular import read_table
from .importers.vcard import parse_vcards
from .models import Contact, Customer, Grade, ImportJob, Tag

DECISIONS = ("skip", "merge", "create")
MAX_STORED_PROBLEMS = 1000
CUSTOMER_KEYS = (
    "code", "name", "kind", "stage", "phone", "email", "website", "country", "province", "city",
    "address", "industry", "source", "birthday", "notes",
)  # fmt: skip


@dataclass
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


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    problems: list[str]  # about the file as a whole (unknown columns, unmapped vCard data)
    format: str


# --- reading --------------------------------------------------------------------------------
def _extra_synonyms() -> dict[str, list[str]]:
    """Our own export headers in every language, so an export always imports back."""
    from .exporting import COLUMNS

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


class _Context:
    """What validation needs from the database, loaded once per file."""

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


def _validate(row: ImportRow, raw: dict[str, str], ctx: _Context) -> None:
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


def _unneutralise(value: str) -> str:
    """Undo our export's formula guard ('=… → =…): the value is data, never run here."""
    from .exporting import FORMULA_PREFIXES

    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _rows_from_table(filename: str, data: bytes, ctx: _Context) -> ParsedFile:
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
    rows = []
    for source_row in table.rows:
        raw = {key: _unneutralise(source_row.get(index)) for key, index in match.mapping.items()}
        row = ImportRow(number=source_row.number)
        _validate(row, raw, ctx)
        rows.append(row)
    return ParsedFile(rows=rows, problems=problems, format=table.format)


def _rows_from_vcards(data: bytes, ctx: _Context) -> ParsedFile:
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
        _validate(row, raw, ctx)
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
        for prop, preview in card.unmapped:
            problems.append(
                _("Card at line %(line)d (%(name)s): %(prop)s was not imported (%(value)s).")
                % {"line": card.line, "name": card.display_name, "prop": prop, "value": preview}
            )
        problems.extend(str(w) for w in card.warnings)
        rows.append(row)
    return ParsedFile(rows=rows, problems=problems, format="vcf")


def parse_upload(*, actor: Actor, filename: str, data: bytes) -> ParsedFile:
    ctx = _Context(actor)
    if filename.lower().endswith((".vcf", ".vcard")):
        parsed = _rows_from_vcards(data, ctx)
    else:
        parsed = _rows_from_table(filename, data, ctx)
    _check_codes(actor, parsed.rows)
    return parsed


def _check_codes(actor: Actor, rows: list[ImportRow]) -> None:
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


# --- duplicates ---------------------------------------------------------------------------------
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
    company_customers = Customer.objects.filter(company_id=actor.company_id)
    for field_index, field_name, values in (
        (0, "dedup_name", names), (1, "dedup_phone", phones), (2, "dedup_email", emails),
    ):  # fmt: skip
        values = sorted(values)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            for pk, name, key in company_customers.filter(
                Q(**{f"{field_name}__in": chunk})
            ).values_list("pk", "name", field_name):
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


# --- phase 1: preview -----------------------------------------------------------------------------
def import_preview(*, actor: Actor, filename: str, data: bytes) -> ImportJob:
    require_write(actor)
    parsed = parse_upload(actor=actor, filename=filename, data=data)
    if not parsed.rows:
        raise ValidationFailed(_("The file has no rows to import."))
    duplicates = find_duplicates(actor=actor, rows=parsed.rows)
    errors = [{"row": r.number, "messages": r.errors} for r in parsed.rows if r.errors]
    report = {
        "format": parsed.format,
        "error_count": len(errors),
        "errors": errors[:MAX_STORED_PROBLEMS],
        "duplicate_count": len(duplicates),
        "duplicates": [{"row": n, **d} for n, d in list(duplicates.items())[:MAX_STORED_PROBLEMS]],
        "problems": parsed.problems[:MAX_STORED_PROBLEMS],
        "sample": [
            {
                "row": r.number,
                **{k: str(v) for k, v in r.customer.items()},
                "contact": r.contact.get("name", ""),
            }
            for r in parsed.rows[:20]
        ],
    }
    job = ImportJob(
        company=actor.company,
        created_by=actor.user,
        updated_by=actor.user,
        filename=filename[:200],
        total_rows=len(parsed.rows),
        valid_rows=len(parsed.rows) - len(errors),
        report=report,
    )
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    return job


# --- phase 2: commit ------------------------------------------------------------------------------
def import_commit(
    *,
    actor: Actor,
    job: ImportJob,
    skip_invalid: bool = False,
    duplicate_default: str = "skip",
    decisions: dict[str, str] | None = None,
) -> ImportJob:
    """Queue the import. With invalid rows it is refused unless `skip_invalid`."""
    require_write(actor)
    if job.status != ImportJob.Status.PREVIEWED:
        raise Conflict(_("This import was already started."))
    if job.report.get("error_count") and not skip_invalid:
        raise ValidationFailed(
            _("%(count)d rows have errors. Fix the file, or choose to skip the invalid rows.")
            % {"count": job.report["error_count"]}
        )
    decisions = {str(k): v for k, v in (decisions or {}).items()}
    if duplicate_default not in DECISIONS or any(v not in DECISIONS for v in decisions.values()):
        raise ValidationFailed(_("For duplicates choose skip, merge or create."))
    progress = progress_start(
        name=_("Import of %(file)s") % {"file": job.filename},
        company=actor.company,
        user=actor.user,
        total=job.total_rows,
    )
    job.options = {
        "skip_invalid": skip_invalid,
        "duplicate_default": duplicate_default,
        "decisions": decisions,
        "user_id": actor.user_id,
        "membership_id": actor.membership_id,
    }
    job.status = ImportJob.Status.QUEUED
    job.progress = progress
    job.save(update_fields=["options", "status", "progress", "updated_at"])
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def import_run(*, job_id: int, echo=None) -> dict[str, int]:
    """Apply an import (the task body). Safe to run again after a crash: it either finds the job
    done, or starts from the beginning inside one transaction."""
    from shangyou.accounts.selectors import actor_from_membership

    job = ImportJob.objects.select_related("company", "progress").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job.result
    membership = Membership.objects.select_related("user", "company").get(
        pk=job.options["membership_id"]
    )
    actor = actor_from_membership(membership)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    progress = Progress(job.progress_id, echo=echo) if job.progress_id else None
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        parsed = parse_upload(actor=actor, filename=job.filename, data=data)
        with transaction.atomic():
            result = _apply(actor=actor, job=job, parsed=parsed, progress=progress)
            job.status = ImportJob.Status.DONE
            job.result = result
            job.save(update_fields=["status", "result", "updated_at"])
            audit_log(
                actor=actor,
                instance=job,
                action=AuditEntry.Action.OTHER,
                note=_("Imported %(created)d, merged %(merged)d, skipped %(skipped)d") % result,
            )
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, result={"error": str(exc)[:1000]}
        )
        if progress:
            progress.fail(str(exc))
        raise
    if progress:
        progress.finish(
            result=result,
            message=_("Imported %(created)d, merged %(merged)d, skipped %(skipped)d") % result,
        )
    return result


def _apply(*, actor: Actor, job: ImportJob, parsed: ParsedFile, progress) -> dict[str, int]:
    options = job.options
    duplicates = find_duplicates(actor=actor, rows=parsed.rows)
    invalid = [r for r in parsed.rows if r.errors]
    if invalid and not options.get("skip_invalid"):
        raise ValidationFailed(_("The file has invalid rows."))
    now = timezone.now()
    tag_ids = _tags(actor, {t for r in parsed.rows if not r.errors for t in r.tags})
    teams = dict(
        Membership.objects.filter(company_id=actor.company_id).values_list("user_id", "team_id")
    )
    writer = _CustomerWriter(actor=actor, job=job, now=now, teams=teams, tag_ids=tag_ids)
    created = merged = skipped = 0
    pending: list[ImportRow] = []  # rows to create, written before the next merge or at the end
    # a row merged into an earlier row of the file → that row's customer id (only the rows that
    # a later row names: a million customers are not kept in memory)
    row_customer: dict[int, int] = {}
    named = {d["same_as_row"] for d in duplicates.values() if "same_as_row" in d}

    def write_pending() -> None:
        for row, pk in writer.write(pending, progress=progress):
            if row.number in named:
                row_customer[row.number] = pk
        pending.clear()

    for row in parsed.rows:
        if row.errors:
            skipped += 1
        else:
            duplicate = duplicates.get(row.number)
            decision = (
                options["decisions"].get(str(row.number), options["duplicate_default"])
                if duplicate
                else "create"
            )
            if decision == "skip":
                skipped += 1
            elif decision == "merge":
                write_pending()
                if "existing_id" in duplicate:
                    target = Customer.objects.get(pk=duplicate["existing_id"])
                else:
                    pk = row_customer.get(duplicate["same_as_row"])
                    target = Customer.objects.get(pk=pk) if pk else None
                if target is None:  # the earlier row was itself skipped
                    skipped += 1
                else:
                    _merge_row(actor, target, row, tag_ids, now, job)
                    if row.number in named:
                        row_customer[row.number] = target.pk
                    merged += 1
            else:
                pending.append(row)
                created += 1
                continue  # progress advances when the row is written
        if progress:
            progress.advance(1)
    write_pending()
    return {"created": created, "merged": merged, "skipped": skipped}


class _CustomerWriter:
    """Writes new customers with their contact, tags and audit entry.

    PostgreSQL: the customers' ids are taken from the sequence first, then the customers — and
    after them the audit entries and tag links — are streamed in ONE COPY each, built row by row
    while the server inserts and indexes the previous ones (two processes working at once).
    SQLite: `bulk_create` per BATCH_ROWS. Contacts go through `bulk_create` per BATCH_ROWS on
    both (fewer rows; the fault-injection point of the rollback test). All of it inside the
    caller's transaction: a failure changes nothing.
    """

    def __init__(self, *, actor: Actor, job: ImportJob, now, teams, tag_ids) -> None:
        from django.contrib.contenttypes.models import ContentType

        self.actor, self.job, self.now, self.teams, self.tag_ids = actor, job, now, teams, tag_ids
        self.audit_note = _("Imported from %(file)s") % {"file": job.filename}
        # Looked up now: no query may run on the connection while a COPY is open.
        self.customer_type = ContentType.objects.get_for_model(Customer)

    def write(self, rows: list[ImportRow], *, progress=None) -> list[tuple[ImportRow, int]]:
        if not rows:
            return []
        if connection.vendor != "postgresql":
            written = []
            for start in range(0, len(rows), BATCH_ROWS):
                batch = rows[start : start + BATCH_ROWS]
                customers = [_customer(self.actor, r, self.now, self.teams) for r in batch]
                Customer.objects.bulk_create(customers, batch_size=1000)
                self._dependents(list(zip(batch, customers, strict=True)))
                written += [(r, c.pk) for r, c in zip(batch, customers, strict=True)]
                if progress:
                    progress.advance(len(batch))
            return written
        ids = _reserve_ids(Customer, len(rows))
        written = []
        with _CopyStream(Customer, self.now) as stream:
            for row, pk in zip(rows, ids, strict=True):
                customer = _customer(self.actor, row, self.now, self.teams)
                customer.pk = pk
                stream.write(customer)
                written.append((row, pk, customer.name))
                if progress and len(written) % BATCH_ROWS == 0:
                    progress.advance(BATCH_ROWS)
        if progress and len(written) % BATCH_ROWS:
            progress.advance(len(written) % BATCH_ROWS)
        with _CopyStream(AuditEntry, self.now, db_ids=True) as stream:
            for _row, pk, name in written:
                stream.write(self._audit(pk, name))
        links = [
            Customer.tags.through(customer_id=pk, tag_id=self.tag_ids[t])
            for row, pk, _name in written
            for t in row.tags
        ]
        if links:  # new customers: no link exists yet
            with _CopyStream(Customer.tags.through, self.now, db_ids=True) as stream:
                for link in links:
                    stream.write(link)
        self._contacts([(row, pk) for row, pk, _name in written])
        return [(row, pk) for row, pk, _name in written]

    def _dependents(self, pairs: list[tuple[ImportRow, Customer]]) -> None:
        """SQLite: tags, audit entries and contacts of a batch of saved customers."""
        links = [
            Customer.tags.through(customer_id=c.pk, tag_id=self.tag_ids[t])
            for row, c in pairs
            for t in row.tags
        ]
        Customer.tags.through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
        AuditEntry.objects.bulk_create(
            [_audit(self.actor, c, self.job, note=self.audit_note) for _r, c in pairs],
            batch_size=1000,
        )
        self._contacts([(row, c.pk) for row, c in pairs])

    def _contacts(self, pairs: list[tuple[ImportRow, int]]) -> None:
        with_contact = [(row, pk) for row, pk in pairs if row.contact]
        for start in range(0, len(with_contact), BATCH_ROWS):
            Contact.objects.bulk_create(
                [
                    _contact(self.actor, Customer(pk=pk), row, self.now)
                    for row, pk in with_contact[start : start + BATCH_ROWS]
                ],
                batch_size=1000,
            )

    def _audit(self, pk: int, name: str) -> AuditEntry:
        return AuditEntry(
            company_id=self.actor.company_id,
            user_id=self.actor.user_id,
            content_type=self.customer_type,
            object_id=str(pk),
            object_repr=name[:300],
            action=AuditEntry.Action.CREATE,
            note=self.audit_note,
        )


@cache
def _customer_fields() -> frozenset[str]:
    return frozenset(f.name for f in Customer._meta.fields)


def _customer(actor: Actor, row: ImportRow, now, teams: dict[int, int | None]) -> Customer:
    fields = {k: v for k, v in row.customer.items() if k in _customer_fields()}
    owner_id = row.owner_id or actor.user_id
    customer = Customer(
        company=actor.company,
        created_by=actor.user,
        updated_by=actor.user,
        owner_id=owner_id,
        team_id=teams.get(owner_id),
        grade_id=row.grade_id,
        grade_locked=row.grade_id is not None,
        source=fields.pop("source", Customer.Source.IMPORT),
        **fields,
    )
    customer.created_at = customer.updated_at = now
    # Customer.refresh_search() without its duplicate keys: validation computed them already
    # from the same name, phone and email (pinyin is the costly part of both).
    SearchableModel.refresh_search(customer)
    customer.dedup_name, customer.dedup_phone, customer.dedup_email = row.keys
    return customer


def _contact(actor: Actor, customer: Customer, row: ImportRow, now) -> Contact:
    contact = Contact(
        company=actor.company,
        customer=customer,
        created_by=actor.user,
        updated_by=actor.user,
        name=row.contact["name"][:100],
        title=row.contact.get("title", "")[:100],
        wechat=row.contact.get("wechat", "")[:60],
        qq=row.contact.get("qq", "")[:20],
        birthday=row.contact.get("birthday"),
        is_primary=True,
    )
    contact.refresh_search()
    return contact


def _audit(actor: Actor, instance, job: ImportJob, *, note: str = "") -> AuditEntry:
    from django.contrib.contenttypes.models import ContentType

    return AuditEntry(
        company=actor.company,
        user=actor.user,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        action=AuditEntry.Action.CREATE,
        note=note or _("Imported from %(file)s") % {"file": job.filename},
    )


# --- bulk inserts -------------------------------------------------------------------------------
#: Customers written per batch (a COPY each on PostgreSQL).
BATCH_ROWS = 1000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A Python value in PostgreSQL's COPY text format."""
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


def _reserve_ids(model, n: int) -> list[int]:
    """PostgreSQL: n ids from the table's sequence, so rows can be referenced before COPY."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, n],
        )
        return [pk for (pk,) in cursor.fetchall()]


class _CopyStream:
    """PostgreSQL: new rows of one model written with one COPY, without Django's per-value SQL
    compilation (which costs more than the database's work). Sets the auto_now(_add) fields;
    the rows carry their ids (from `_reserve_ids`), or with `db_ids=True` the database numbers
    them. Only for plain new rows: no signals, no m2m."""

    FLUSH_ROWS = 1000

    def __init__(self, model, now, *, db_ids: bool = False) -> None:
        self.model, self.now = model, now
        fields = model._meta.concrete_fields
        if db_ids:
            fields = [f for f in fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.stamps = [
            f.attname
            for f in fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.lines: list[str] = []

    def __enter__(self):
        table = connection.ops.quote_name(self.model._meta.db_table)
        self._cursor = connection.cursor()
        self._copy_cm = self._cursor.cursor.copy(f"COPY {table} ({self.columns}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        return self

    def write(self, obj) -> None:
        values = obj.__dict__
        for name in self.stamps:
            if values.get(name) is None:
                values[name] = self.now
        self.lines.append("\t".join([_copy_text(values[a]) for a in self.attnames]) + "\n")
        if len(self.lines) >= self.FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.lines:
            self._copy.write("".join(self.lines).encode())
            self.lines = []

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._flush()
            return self._copy_cm.__exit__(exc_type, exc, tb)
        finally:
            self._cursor.close()


def _merge_row(actor: Actor, target: Customer, row: ImportRow, tag_ids, now, job) -> None:
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
        _contact(actor, target, row, now).save()
    target.tags.add(*[tag_ids[t] for t in row.tags])


def _tags(actor: Actor, names: Iterable[str]) -> dict[str, int]:
    names = {n.strip()[:50] for n in names if n.strip()}
    existing = dict(
        Tag.objects.filter(company_id=actor.company_id, name__in=names).values_list("name", "pk")
    )
    for name in sorted(names - set(existing)):
        existing[name] = Tag.objects.create(
            company=actor.company, name=name, created_by=actor.user, updated_by=actor.user
        ).pk
    return existing


def import_job_get(*, actor: Actor, id: int) -> ImportJob:
    from shangyou.core.errors import NotFound

    job = (
        ImportJob.objects.filter(company_id=actor.company_id, pk=id)
        .select_related("progress")
        .first()
    )
    if job is None:
        raise NotFound()
    return job


def import_progress(job: ImportJob) -> TaskProgress | None:
    from shangyou.core.progress import live_progress

    return live_progress(job.progress) if job.progress else None
