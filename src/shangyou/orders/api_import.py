"""API of the order-history import: upload (preview report) → commit → follow the job."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile

from shangyou.core.schema import Schema

from . import importing

router = Router(tags=["orders"])


class OrderImportOut(Schema):
    id: int
    filename: str
    status: str
    total_rows: int
    valid_rows: int
    report: dict[str, Any]
    options: dict[str, Any]
    result: dict[str, Any]
    progress_id: str | None = None

    @staticmethod
    def resolve_progress_id(obj) -> str | None:
        return str(obj.progress_id) if obj.progress_id else None

    @staticmethod
    def resolve_options(obj) -> dict[str, Any]:
        return {k: v for k, v in obj.options.items() if k not in {"user_id", "membership_id"}}


class OrderImportCommitIn(Schema):
    skip_invalid: bool = False
    create_missing: bool = False
    skip_existing: bool = False


@router.post("/order-imports", response={201: OrderImportOut})
def order_import_upload(request: HttpRequest, file: File[UploadedFile]):
    """Phase 1: upload a .csv or .xlsx order history (one order line per row) and get the
    preview report: per-row errors with the file's row numbers, customers and products not
    found, order numbers already used, the file's total and what can be imported."""
    return Status(
        201,
        importing.order_import_preview(
            actor=request.auth, filename=file.name or "upload.csv", data=file.read()
        ),
    )


@router.get("/order-imports/{order_import_id}", response=OrderImportOut)
def order_import_get(request: HttpRequest, order_import_id: int):
    return importing.order_import_get(actor=request.auth, id=order_import_id)


@router.post("/order-imports/{order_import_id}/commit", response={202: OrderImportOut})
def order_import_commit(request: HttpRequest, order_import_id: int, payload: OrderImportCommitIn):
    """Phase 2: import in the background, in one transaction; follow `/api/v1/jobs/{progress_id}`
    or this import. The result gives the file's and the imported totals per currency."""
    job = importing.order_import_get(actor=request.auth, id=order_import_id)
    return Status(
        202,
        importing.order_import_commit(
            actor=request.auth,
            job=job,
            skip_invalid=payload.skip_invalid,
            create_missing=payload.create_missing,
            skip_existing=payload.skip_existing,
        ),
    )
