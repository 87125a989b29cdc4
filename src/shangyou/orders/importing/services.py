"""The import's phases: preview, commit (or cancel), and the run (the background task's body)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.progress import Progress, progress_start
from shangyou.core.services import audit_log, require_write

from ..models import OrderImportJob
from .cache import cache_discard, cache_load, cache_save
from .matching import match_records
from .parse import ParsedFile, parse_file
from .planning import build_report, file_totals, make_plan, order_import_refusal, run_report, totals
from .records import advance_numbering, create_customers, create_products
from .writer import _OrderWriter, order_days, order_time


# --- phase 1: preview ----------------------------------------------------------------------------
def order_import_preview(*, actor: Actor, filename: str, data: bytes) -> OrderImportJob:
    """Read and check the file; store it with its report (and its parse, for the run). Writes
    nothing else."""
    require_write(actor)
    parsed = parse_file(filename=filename, data=data)
    if not parsed.rows:
        raise ValidationFailed(_("The file has no rows to import."))
    matches = match_records(actor=actor, parsed=parsed)
    report = build_report(parsed, matches)
    job = OrderImportJob(
        company=actor.company,
        created_by=actor.user,
        updated_by=actor.user,
        filename=filename[:200],
        total_rows=parsed.rows,
        valid_rows=sum(len(o.lines) for o in parsed.orders.values() if o.valid),
        report=report,
    )
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    cache_save(job, parsed)
    return job


# --- phase 2: commit -----------------------------------------------------------------------------
def order_import_commit(
    *,
    actor: Actor,
    job: OrderImportJob,
    skip_invalid: bool = False,
    create_missing: bool = False,
    skip_existing: bool = False,
) -> OrderImportJob:
    """Queue the import. Refused while orders would be left out, unless `skip_invalid`."""
    require_write(actor)
    if job.status != OrderImportJob.Status.PREVIEWED:
        raise Conflict(_("This import was already started."))
    options = {
        "skip_invalid": skip_invalid,
        "create_missing": create_missing,
        "skip_existing": skip_existing,
    }
    refusal = order_import_refusal(job.report, options)
    if refusal:
        raise ValidationFailed(refusal)
    progress = progress_start(
        name=_("Import of orders from %(file)s") % {"file": job.filename},
        company=actor.company,
        user=actor.user,
        total=job.total_rows,
    )
    job.options = {**options, "user_id": actor.user_id, "membership_id": actor.membership_id}
    job.status = OrderImportJob.Status.QUEUED
    job.progress = progress
    job.updated_by = actor.user
    job.save(update_fields=["options", "status", "progress", "updated_by", "updated_at"])
    from ..import_tasks import run_order_import

    transaction.on_commit(lambda: run_order_import.enqueue(job.pk))
    return job


def order_import_cancel(*, actor: Actor, job: OrderImportJob) -> OrderImportJob:
    """Drop a previewed import (the CLI's --dry-run, or the user giving up)."""
    require_write(actor)
    if job.status != OrderImportJob.Status.PREVIEWED:
        raise Conflict(_("This import was already started."))
    job.status = OrderImportJob.Status.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    cache_discard(job)
    return job


def order_import_files_delete(*, job: OrderImportJob) -> None:
    """Remove the job's upload and its kept parse (when the job itself is deleted)."""
    cache_discard(job)
    job.file.delete(save=False)


# --- the run -------------------------------------------------------------------------------------
def order_import_run(*, job_id: int, echo=None) -> dict[str, Any]:
    """Apply an import (the task body). Idempotent: a finished job returns its result; otherwise
    the whole file is applied in one transaction, so a killed worker leaves nothing behind and
    the next run starts again from the beginning."""
    from shangyou.accounts.selectors import actor_from_membership

    job = OrderImportJob.objects.select_related("company", "progress").get(pk=job_id)
    if job.status == OrderImportJob.Status.DONE:
        return job.result
    membership = Membership.objects.select_related("user", "company").get(
        pk=job.options["membership_id"]
    )
    actor = actor_from_membership(membership)
    done = OrderImportJob.Status.DONE
    if (
        not OrderImportJob.objects.filter(pk=job.pk)
        .exclude(status=done)
        .update(status=OrderImportJob.Status.RUNNING)
    ):  # finished by another worker meanwhile
        job.refresh_from_db(fields=["result"])
        return job.result
    progress = Progress(job.progress_id, echo=echo) if job.progress_id else None
    try:
        parsed = _parsed(job)
        if progress:
            progress.set_total(parsed.rows)
        with transaction.atomic():
            # One run at a time: a second worker waits (here, or on its status update above)
            # and then finds the job done.
            status = (
                OrderImportJob.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=job.pk)
            )
            if status == done:
                job.refresh_from_db(fields=["result"])
                return job.result
            result, imported = _apply(actor=actor, job=job, parsed=parsed, progress=progress)
            # Sales figures (analytics rollups) of the imported days, in this transaction.
            from ..services import sales_changed

            sales_changed(
                company_id=actor.company_id, days=order_days(imported), after_commit=False
            )
            job.status = OrderImportJob.Status.DONE
            job.result = result
            job.save(update_fields=["status", "result", "updated_at"])
            audit_log(
                actor=actor,
                instance=job,
                action=AuditEntry.Action.OTHER,
                changes={
                    "orders": [None, result["orders"]],
                    "lines": [None, result["lines"]],
                    "totals": [None, result["imported_totals"]],
                },
                note=_("Imported %(orders)d orders (%(lines)d lines) from %(file)s")
                % {**result, "file": job.filename},
            )
    except Exception as exc:
        message = str(getattr(exc, "message", exc))[:1000]
        OrderImportJob.objects.filter(pk=job.pk).exclude(status=done).update(
            status=OrderImportJob.Status.FAILED, result={"error": message}
        )
        if progress:
            progress.fail(message)
        raise
    cache_discard(job)
    if progress:
        progress.finish(
            result=result,
            message=_("Imported %(orders)d orders, %(lines)d lines") % result,
        )
    return result


def _parsed(job: OrderImportJob) -> ParsedFile:
    """The preview's parse when it is kept and belongs to the stored file; else the file read
    again. Refused when the stored file is not the one previewed."""
    with job.file.open("rb") as handle:
        data = handle.read()
    sha256 = hashlib.sha256(data).hexdigest()
    previewed = job.report.get("file_sha256")
    if previewed and previewed != sha256:
        raise ValidationFailed(
            _(
                "The stored file is not the file that was previewed (it changed since); nothing "
                "was imported. Upload the file again."
            )
        )
    return cache_load(job, sha256) or parse_file(filename=job.filename, data=data)


def _apply(*, actor: Actor, job: OrderImportJob, parsed: ParsedFile, progress):
    options = job.options
    # Matched again: customers, products and order numbers may have changed since the preview.
    m = match_records(actor=actor, parsed=parsed)
    refusal = order_import_refusal(run_report(parsed, m), options)
    if refusal:  # the company changed since the preview (e.g. a customer was deleted)
        raise ValidationFailed(refusal)
    plan = make_plan(parsed, m, options)
    now = timezone.now()
    teams = dict(
        Membership.objects.filter(company_id=actor.company_id).values_list("user_id", "team_id")
    )
    contacted: dict[tuple[str, str], datetime] = {}  # new customers: their newest order
    for order in plan.orders:
        key = m.customer(order.customer)
        if key in m.missing_customers:
            at = order_time(order.order_date)
            if key not in contacted or contacted[key] < at:
                contacted[key] = at
    created = create_customers(actor, plan.create_customers, m, teams, now, contacted)
    customers = dict(m.customers)
    customers.update(created)
    products = dict(m.products)
    products.update(create_products(actor, plan.create_products, m))
    for (kind, key), target in m.aliases.items():
        found = (customers if kind == "c" else products).get(target)
        if found is not None:
            (customers if kind == "c" else products)[key] = found
    writer = _OrderWriter(actor=actor, job=job, now=now, teams=teams)
    writer.created_customers = set(created.values())
    customer_ids = [customers[o.customer] for o in plan.orders]
    writer.load_customers(set(customer_ids))
    lines = writer.write(
        plan.orders,
        customer_ids,
        [products.get(key) for key in m.item_keys],
        parsed.items,
        progress=progress,
    )
    writer.touch_customers()
    advance_numbering(actor=actor, numbers=(o.number for o in plan.orders))
    result = {
        "orders": len(plan.orders),
        "lines": lines,
        "skipped_invalid": plan.skipped_invalid,
        "skipped_existing": plan.skipped_existing,
        "customers_created": len(plan.create_customers),
        "products_created": len(plan.create_products),
        "file_totals": file_totals(parsed),
        "planned_totals": totals(plan.orders),
        "imported_totals": writer.imported_totals(),
    }
    return result, plan.orders
