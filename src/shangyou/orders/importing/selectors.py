"""Reading order imports (always within the actor's company)."""

from __future__ import annotations

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.models import TaskProgress

from ..models import OrderImportJob


def order_import_get(*, actor: Actor, id: int) -> OrderImportJob:
    job = (
        OrderImportJob.objects.filter(company_id=actor.company_id, pk=id)
        .select_related("progress")
        .first()
    )
    if job is None:
        raise NotFound()
    return job


def order_import_list(*, actor: Actor):
    return OrderImportJob.objects.filter(company_id=actor.company_id).select_related("created_by")


def order_import_progress(job: OrderImportJob) -> TaskProgress | None:
    from shangyou.core.progress import live_progress

    return live_progress(job.progress) if job.progress else None
