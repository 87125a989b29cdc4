"""The import's phases: preview (validate, find duplicates, report), commit (the user's
choices), run (the background task: the whole file in one transaction)."""

import gc
from contextlib import contextmanager, nullcontext
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.models import AuditEntry, TaskProgress
from shangyou.core.progress import Progress, progress_start
from shangyou.core.services import audit_log, require_write

from ..models import Contact, Customer, ImportJob
from . import prepared, writing
from .duplicates import find_duplicates
from .rows import SAMPLE_ROWS, Context, ImportRow, ParsedFile, check_codes, parse_upload
from .writing import CustomerWriter, merge_row, tags_get_or_create

DECISIONS = ("skip", "merge", "create")
MAX_STORED_PROBLEMS = 1000


@contextmanager
def _bulk_work():
    """No cyclic garbage collection while a million small objects are made (a full
    collection walks all of them, again and again); one collection at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- phase 1: preview -----------------------------------------------------------------------------
def import_preview(*, actor: Actor, filename: str, data: bytes) -> ImportJob:
    require_write(actor)
    ctx = Context(actor)
    sink = prepared.Writer(data=data, ctx=ctx)
    try:
        with _bulk_work():
            parsed = parse_upload(actor=actor, filename=filename, data=data, ctx=ctx, sink=sink)
            if not parsed.rows:
                raise ValidationFailed(_("The file has no rows to import."))
            duplicates = find_duplicates(actor=actor, rows=parsed.rows)
        return _preview_job(actor, filename, data, parsed, duplicates, sink)
    finally:
        sink.discard()


def _preview_job(
    actor: Actor,
    filename: str,
    data: bytes,
    parsed: ParsedFile,
    duplicates: dict[int, dict[str, Any]],
    sink: prepared.Writer,
) -> ImportJob:
    """The report (errors, duplicates, a sample) and the job, with the upload and its prepared
    rows stored."""
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
            for r in parsed.rows[:SAMPLE_ROWS]
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
    sink.save(job, rows=len(parsed.rows))
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
    from ..tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


# --- phase 3: run (the task) ----------------------------------------------------------------------
def _rows_to_apply(*, actor: Actor, job: ImportJob) -> ParsedFile:
    """The preview's prepared rows when they still fit the upload and the company (customer
    numbers checked again); else the upload read and validated again."""
    with job.file.open("rb") as handle:
        data = handle.read()
    ctx = Context(actor)
    rows = prepared.load(job, data=data, ctx=ctx)
    if rows is None:
        return parse_upload(actor=actor, filename=job.filename, data=data, ctx=ctx)
    check_codes(actor, rows)
    return ParsedFile(rows=rows, problems=[], format=job.report.get("format", ""))


def import_run(*, job_id: int, echo=None) -> dict[str, int]:
    """Apply an import (the task body). Safe to run again after a crash: it either finds the job
    done, or starts from the beginning inside one transaction."""
    from shangyou.accounts.selectors import actor_from_membership

    job = ImportJob.objects.select_related("company", "progress").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        prepared.delete(job)  # if a crash came between the commit and its deletion
        return job.result
    membership = Membership.objects.select_related("user", "company").get(
        pk=job.options["membership_id"]
    )
    actor = actor_from_membership(membership)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    progress = Progress(job.progress_id, echo=echo) if job.progress_id else None
    try:
        with _bulk_work():
            parsed = _rows_to_apply(actor=actor, job=job)
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
            del parsed
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
    prepared.delete(job)  # done: the upload stays, its prepared rows are no longer needed
    if result["created"]:  # the rows are in and visible; tidy the search indexes
        writing.merge_pending_search_entries([Customer, Contact])
    return result


def _apply(*, actor: Actor, job: ImportJob, parsed: ParsedFile, progress) -> dict[str, int]:
    """Decide each row (skip, merge, create), write the new customers in bulk, then the merges
    in file order (a merge may name a customer created from an earlier row)."""
    options = job.options
    duplicates = find_duplicates(actor=actor, rows=parsed.rows)
    if any(r.errors for r in parsed.rows) and not options.get("skip_invalid"):
        raise ValidationFailed(_("The file has invalid rows."))
    writing.bulk_settings()
    tag_ids = tags_get_or_create(actor, {t for r in parsed.rows if not r.errors for t in r.tags})
    teams = dict(
        Membership.objects.filter(company_id=actor.company_id).values_list("user_id", "team_id")
    )
    created: list[ImportRow] = []
    merges: list[tuple[ImportRow, Any]] = []  # (row, existing id or ("row", number))
    # a row's customer, for the rows that a later row names: ("row", n) for a row to create
    # (its id is known once written), an id for a row merged into an existing customer.
    named = {d["same_as_row"] for d in duplicates.values() if "same_as_row" in d}
    row_customer: dict[int, Any] = {}
    skipped = 0
    for row in parsed.rows:
        if row.errors:
            skipped += 1
            continue
        duplicate = duplicates.get(row.number)
        decision = (
            options["decisions"].get(str(row.number), options["duplicate_default"])
            if duplicate
            else "create"
        )
        if decision == "skip":
            skipped += 1
        elif decision == "merge":
            if "existing_id" in duplicate:
                target = duplicate["existing_id"]
            else:
                target = row_customer.get(duplicate["same_as_row"])
            if target is None:  # the earlier row was itself skipped
                skipped += 1
            else:
                merges.append((row, target))
                if row.number in named:
                    row_customer[row.number] = target
        else:
            created.append(row)
            if row.number in named:
                row_customer[row.number] = ("row", row.number)
    if progress and skipped:
        progress.advance(skipped)
    writer = CustomerWriter(actor=actor, job=job, now=timezone.now(), teams=teams, tag_ids=tag_ids)
    merger = (
        writing.SearchIndexMerger([Customer, Contact])
        if len(created) >= writing.CONCURRENT_MERGE_FROM
        else nullcontext()
    )
    with merger:
        ids = writer.write(created, on_batch=progress.advance if progress else None)
    new_ids = {row.number: pk for row, pk in zip(created, ids, strict=True) if row.number in named}
    result = {"created": len(created), "merged": len(merges), "skipped": skipped}
    del created, ids
    _merge_all(actor, job, merges, new_ids, tag_ids, progress)
    return result


def _merge_all(actor: Actor, job: ImportJob, merges, new_ids, tag_ids, progress) -> None:
    """The merges in file order; the targets read in chunks (one instance per customer, so a
    second merge into it sees the first)."""
    customers = Customer.objects.filter(company_id=actor.company_id)
    loaded: dict[int, Customer] = {}
    for start in range(0, len(merges), 1000):
        chunk = [
            (row, new_ids[target[1]] if isinstance(target, tuple) else target)
            for row, target in merges[start : start + 1000]
        ]
        loaded.update(customers.in_bulk({pk for _row, pk in chunk} - loaded.keys()))
        for row, pk in chunk:
            merge_row(actor, loaded[pk], row, tag_ids, job)
        if progress:
            progress.advance(len(chunk))


def import_job_get(*, actor: Actor, id: int) -> ImportJob:
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
