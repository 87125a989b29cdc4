"""API for the cross-cutting records: trash, audit history, background-job progress."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from ninja import Router, Status

from shangyou.core.schema import Schema

from . import selectors, services
from .api import Page, paginate
from .errors import NotFound

router = Router(tags=["core"])


class TrashItemOut(Schema):
    id: int
    kind: str
    object_id: int
    object_repr: str
    deleted_at: datetime
    deleted_by_id: int | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AuditEntryOut(Schema):
    id: int
    at: datetime
    user_id: int | None
    action: str
    object_repr: str
    changes: dict[str, Any]
    note: str


class ProgressOut(Schema):
    id: UUID
    name: str
    status: str
    done: int
    total: int | None
    percent: int | None
    message: str
    result: dict[str, Any]


@router.get("/trash", response=Page[TrashItemOut])
def trash_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(request, selectors.trash_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/trash/{trash_item_id}/restore", response={200: dict})
def trash_restore(request: HttpRequest, trash_item_id: int):
    obj = services.trash_restore(actor=request.auth, item_id=trash_item_id)
    return {"restored": bool(obj), "object_id": obj.pk if obj else None}


@router.delete("/trash/{trash_item_id}", response={204: None})
def trash_purge(request: HttpRequest, trash_item_id: int):
    services.trash_purge(actor=request.auth, item_id=trash_item_id)
    return Status(204, None)


@router.get("/history/{kind}/{object_id}", response=Page[AuditEntryOut])
def history(request: HttpRequest, kind: str, object_id: int, limit: int = 50, offset: int = 0):
    """The audit history of one record; `kind` is `app_label.model`, e.g. `contacts.customer`."""
    app_label, _, model = kind.partition(".")
    content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    model_class = content_type.model_class() if content_type else None
    if model_class is None or not hasattr(model_class, "all_objects"):
        raise NotFound()
    rows = model_class.all_objects.filter(pk=object_id, company_id=request.auth.company_id)
    fields = {f.name for f in model_class._meta.get_fields()}
    if {"owner", "team"} <= fields:  # owned records: sales see their own, managers their team's
        rows = selectors.scope_records(rows, actor=request.auth)
    instance = rows.first()
    if instance is None:
        raise NotFound()
    entries = selectors.history_for(actor=request.auth, instance=instance)
    return paginate(request, entries, limit=limit, offset=offset)


@router.get("/jobs/{job_id}", response=ProgressOut)
def job_progress(request: HttpRequest, job_id: UUID):
    return selectors.task_progress_get(actor=request.auth, id=job_id)
