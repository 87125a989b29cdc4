"""Customer management API: customers (search, filters, duplicates, convert, claim, assign,
blacklist, merge and undo), contacts, timeline, tasks, documents, tags, grades, segments, custom
fields, email from the record."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from shangyou.core.api import Page, paginate, version_from
from shangyou.core.schema import Schema

from . import (
    dedup,
    documents,
    exporting,
    grading,
    importing,
    schedule,
    segments,
    selectors,
    services,
    timeline,
)
from .models import Contact, Customer, Task, TimelineEntry

router = Router(tags=["customers"])


# --- schemas ------------------------------------------------------------------------------------
class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    code: str = ""
    kind: Customer.Kind = Customer.Kind.COMPANY
    stage: Customer.Stage = Customer.Stage.LEAD
    is_customer: bool = True
    is_supplier: bool = False
    source: Customer.Source | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    country: str = ""
    province: str = ""
    city: str = ""
    address: str = ""
    industry: str = ""
    credit_rating: Customer.Credit | None = None
    consent_email: bool = True
    consent_sms: bool = True
    consent_im: bool = True
    birthday: date | None = None
    founded_on: date | None = None
    notes: str = ""
    owner_id: int | None = None
    grade_id: int | None = None
    tag_ids: list[int] | None = None
    custom_fields: dict[str, Any] | None = None


class CustomerPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    code: str | None = None
    kind: Customer.Kind | None = None
    stage: Customer.Stage | None = None
    is_customer: bool | None = None
    is_supplier: bool | None = None
    source: Customer.Source | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    country: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    industry: str | None = None
    credit_rating: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_im: bool | None = None
    birthday: date | None = None
    founded_on: date | None = None
    notes: str | None = None
    owner_id: int | None = None
    grade_id: int | None = None
    tag_ids: list[int] | None = None
    custom_fields: dict[str, Any] | None = None
    version: int | None = None


class TagOut(Schema):
    id: int
    name: str
    color: str


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    stage: str
    is_customer: bool
    is_supplier: bool
    source: str
    phone: str
    email: str
    website: str
    country: str
    province: str
    city: str
    address: str
    industry: str
    owner_id: int | None
    team_id: int | None
    grade_id: int | None
    grade_locked: bool
    credit_rating: str
    is_blacklisted: bool
    blacklist_reason: str
    consent_email: bool
    consent_sms: bool
    consent_im: bool
    birthday: date | None
    founded_on: date | None
    custom_fields: dict[str, Any]
    notes: str
    last_contacted_at: datetime | None
    converted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CustomerDetailOut(CustomerOut):
    tags: list[TagOut]

    @staticmethod
    def resolve_tags(obj) -> list:
        return list(obj.tags.all())


class DuplicateOut(Schema):
    id: int
    name: str
    owner: str | None
    reasons: list[str]


class FirstOpportunityIn(Schema):
    """The first opportunity to open with the conversion (C2)."""

    name: str
    amount: Decimal = Decimal(0)
    currency: str = "CNY"
    expected_close: date | None = None


class ConvertIn(Schema):
    owner_id: int | None = None
    version: int | None = None
    opportunity: FirstOpportunityIn | None = None


class AssignIn(Schema):
    customer_ids: list[int]
    owner_id: int | None


class BlacklistIn(Schema):
    blacklisted: bool = True
    reason: str = ""


class MergeIn(Schema):
    survivor_id: int
    merged_id: int
    choices: dict[str, str] = {}


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    undone_at: datetime | None


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    title: str = ""
    department: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    wechat: str = ""
    qq: str = ""
    birthday: date | None = None
    is_primary: bool = False
    notes: str = ""


class ContactPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = None
    department: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    wechat: str | None = None
    qq: str | None = None
    birthday: date | None = None
    is_primary: bool | None = None
    notes: str | None = None
    version: int | None = None


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    department: str
    phone: str
    mobile: str
    email: str
    wechat: str
    qq: str
    birthday: date | None
    is_primary: bool
    notes: str
    version: int


class TimelineIn(Schema):
    kind: TimelineEntry.Kind = TimelineEntry.Kind.NOTE
    subject: str = ""
    body: str = ""
    occurred_at: datetime | None = None
    contact_id: int | None = None


class TimelineOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    author_id: int | None
    contact_id: int | None
    subject: str
    body: str
    data: dict[str, Any]


class EmailIn(Schema):
    to: str = ""
    subject: str
    body: str


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    kind: Task.Kind = Task.Kind.TODO
    priority: int = 2
    due_at: datetime
    duration_minutes: int = 30
    remind_at: datetime | None = None
    notes: str = ""
    customer_id: int | None = None
    assignee_id: int | None = None


class TaskPatch(Schema):
    title: str | None = None
    kind: Task.Kind | None = None
    priority: int | None = None
    due_at: datetime | None = None
    duration_minutes: int | None = None
    remind_at: datetime | None = None
    notes: str | None = None
    assignee_id: int | None = None
    done: bool | None = None
    version: int | None = None


class TaskOut(Schema):
    id: int
    title: str
    kind: str
    priority: int
    due_at: datetime
    duration_minutes: int
    remind_at: datetime | None
    done_at: datetime | None
    notes: str
    customer_id: int | None
    assignee_id: int | None
    version: int


class DocumentOut(Schema):
    id: int
    customer_id: int
    name: str
    size: int
    mime_type: str
    sha256: str
    description: str
    created_at: datetime


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=50)


class GradeIn(Schema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=60)
    rank: int = 10
    min_spend: Decimal | None = None
    min_orders: int | None = None
    period_days: int = 365
    color: str = ""
    version: int | None = None


class GradeOut(Schema):
    id: int
    code: str
    name: str
    rank: int
    min_spend: Decimal | None
    min_orders: int | None
    period_days: int
    color: str
    version: int


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    filters: dict[str, Any] = {}
    is_shared: bool = True
    version: int | None = None


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filters: dict[str, Any]
    is_shared: bool
    owner_id: int | None
    version: int


class CustomerFilters(Schema):
    q: str = ""
    stage: str = ""
    kind: str = ""
    owner: str = ""
    team: int | None = None
    grade: int | None = None
    tag: int | None = None
    province: str = ""
    city: str = ""
    industry: str = ""
    source: str = ""
    blacklisted: str = ""
    supplier: str = ""
    no_contact_days: int | None = None
    segment: int | None = None
    sort: str = "-updated"
    limit: int = 50
    offset: int = 0


# --- customers ----------------------------------------------------------------------------------
@router.get("/customers", response=Page[CustomerOut])
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]):
    data = filters.dict()
    sort, limit, offset = data.pop("sort"), data.pop("limit"), data.pop("offset")
    segment_id = data.pop("segment")
    if segment_id:
        segment = selectors.segment_get(actor=request.auth, id=segment_id)
        data = {**segment.filters, **{k: v for k, v in data.items() if v not in (None, "")}}
    # The envelope carries the owner's, team's and grade's ids, not their rows: no joins.
    customers = selectors.customer_list(actor=request.auth, filters=data, sort=sort)
    customers = customers.select_related(None)
    return paginate(request, customers, limit=limit, offset=offset, search=bool(data.get("q")))


@router.post("/customers", response={201: CustomerDetailOut})
def customer_create(request: HttpRequest, payload: CustomerIn, allow_duplicate: bool = False):
    """Create a customer. When it looks like an existing one the answer is 409 with
    `extra.duplicates`; send `?allow_duplicate=true` to create it anyway."""
    data = payload.dict(exclude_unset=True)
    data.setdefault("name", payload.name)
    return Status(
        201,
        services.customer_create(actor=request.auth, data=data, allow_duplicate=allow_duplicate),
    )


@router.get("/customers/duplicates", response=list[DuplicateOut])
def customer_duplicates(request: HttpRequest, name: str = "", phone: str = "", email: str = ""):
    """Existing customers that look like the given name/phone/email (shown before saving)."""
    return [
        {
            "id": c.customer.pk,
            "name": c.customer.name,
            "owner": c.customer.owner.display_name if c.customer.owner else None,
            "reasons": c.reasons,
        }
        for c in dedup.duplicate_candidates(actor=request.auth, name=name, phone=phone, email=email)
    ]


@router.post("/customers/assign", response=dict)
def customer_assign(request: HttpRequest, payload: AssignIn):
    count = services.customer_assign(
        actor=request.auth, customer_ids=payload.customer_ids, owner_id=payload.owner_id
    )
    return {"assigned": count}


@router.post("/customers/merge", response={201: MergeOut})
def customer_merge(request: HttpRequest, payload: MergeIn):
    survivor = selectors.customer_get(actor=request.auth, id=payload.survivor_id)
    merged = selectors.customer_get(actor=request.auth, id=payload.merged_id)
    return Status(
        201,
        dedup.customer_merge(
            actor=request.auth, survivor=survivor, merged=merged, choices=payload.choices
        ),
    )


@router.post("/merges/{merge_id}/undo", response=CustomerOut)
def customer_merge_undo(request: HttpRequest, merge_id: int):
    selectors.merge_get(actor=request.auth, id=merge_id)
    return dedup.customer_merge_undo(actor=request.auth, merge_id=merge_id)


@router.get("/customers/{customer_id}", response=CustomerDetailOut)
def customer_get(request: HttpRequest, customer_id: int):
    return selectors.customer_get(actor=request.auth, id=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerDetailOut)
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.customer_update(
        actor=request.auth, customer=customer, data=data, version=version
    )


@router.delete("/customers/{customer_id}", response={204: None})
def customer_delete(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    services.customer_delete(actor=request.auth, customer=customer)
    return Status(204, None)


@router.post("/customers/{customer_id}/convert", response=CustomerOut)
def customer_convert(request: HttpRequest, customer_id: int, payload: ConvertIn):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return services.customer_convert(
        actor=request.auth,
        customer=customer,
        owner_id=payload.owner_id,
        version=version_from(request, payload.version),
        opportunity=payload.opportunity.dict() if payload.opportunity else None,
    )


@router.post("/customers/{customer_id}/claim", response=CustomerOut)
def customer_claim(request: HttpRequest, customer_id: int):
    """Take an unowned customer; a colleague's customer is refused (409) with their name."""
    return services.customer_claim(actor=request.auth, customer_id=customer_id)


@router.post("/customers/{customer_id}/blacklist", response=CustomerOut)
def customer_blacklist(request: HttpRequest, customer_id: int, payload: BlacklistIn):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return services.customer_blacklist(
        actor=request.auth,
        customer=customer,
        blacklisted=payload.blacklisted,
        reason=payload.reason,
    )


@router.post("/customers/{customer_id}/release-grade", response=CustomerOut)
def customer_grade_release(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return grading.customer_grade_release(actor=request.auth, customer=customer)


# --- timeline, email ----------------------------------------------------------------------------
@router.get("/customers/{customer_id}/timeline", response=Page[TimelineOut])
def timeline_list(
    request: HttpRequest, customer_id: int, kind: str = "", limit: int = 50, offset: int = 0
):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    kinds = [k for k in kind.split(",") if k] or None
    entries = timeline.timeline_list(actor=request.auth, customer=customer, kinds=kinds)
    return paginate(request, entries, limit=limit, offset=offset)


@router.post("/customers/{customer_id}/timeline", response={201: TimelineOut})
def timeline_log(request: HttpRequest, customer_id: int, payload: TimelineIn):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return Status(
        201,
        timeline.timeline_log(
            actor=request.auth,
            customer=customer,
            kind=payload.kind,
            subject=payload.subject,
            body=payload.body,
            occurred_at=payload.occurred_at,
            contact_id=payload.contact_id,
        ),
    )


@router.post("/customers/{customer_id}/email", response={201: TimelineOut})
def customer_email(request: HttpRequest, customer_id: int, payload: EmailIn):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return Status(
        201,
        timeline.customer_email_send(
            actor=request.auth,
            customer=customer,
            to=payload.to,
            subject=payload.subject,
            body=payload.body,
        ),
    )


# --- contacts -------------------------------------------------------------------------------------
@router.get("/contacts", response=Page[ContactOut])
def contact_list(
    request: HttpRequest, q: str = "", customer: int | None = None, limit: int = 50, offset: int = 0
):
    contacts = selectors.contact_list(actor=request.auth, q=q, customer_id=customer)
    return paginate(request, contacts, limit=limit, offset=offset, search=bool(q))


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut})
def contact_create(request: HttpRequest, customer_id: int, payload: ContactIn):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return Status(
        201, services.contact_create(actor=request.auth, customer=customer, data=payload.dict())
    )


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_get(request: HttpRequest, contact_id: int):
    return selectors.contact_get(actor=request.auth, id=contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def contact_update(request: HttpRequest, contact_id: int, payload: ContactPatch):
    contact: Contact = selectors.contact_get(actor=request.auth, id=contact_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.contact_update(actor=request.auth, contact=contact, data=data, version=version)


@router.delete("/contacts/{contact_id}", response={204: None})
def contact_delete(request: HttpRequest, contact_id: int):
    contact = selectors.contact_get(actor=request.auth, id=contact_id)
    services.contact_delete(actor=request.auth, contact=contact)
    return Status(204, None)


# --- tasks ----------------------------------------------------------------------------------------
@router.get("/tasks", response=Page[TaskOut])
def task_list(
    request: HttpRequest,
    start: datetime | None = None,
    end: datetime | None = None,
    assignee: int | None = None,
    customer: int | None = None,
    open: bool = False,  # noqa: A002 - query parameter name
    limit: int = 50,
    offset: int = 0,
):
    tasks = schedule.task_list(
        actor=request.auth,
        start=start,
        end=end,
        assignee_id=assignee,
        customer_id=customer,
        open_only=open,
    )
    return paginate(request, tasks, limit=limit, offset=offset)


@router.post("/tasks", response={201: TaskOut})
def task_create(request: HttpRequest, payload: TaskIn):
    data = payload.dict(exclude_unset=True)
    customer_id = data.pop("customer_id", None)
    customer = selectors.customer_get(actor=request.auth, id=customer_id) if customer_id else None
    data.setdefault("due_at", payload.due_at)
    return Status(201, schedule.task_create(actor=request.auth, data=data, customer=customer))


@router.get("/tasks/{task_id}", response=TaskOut)
def task_get(request: HttpRequest, task_id: int):
    return schedule.task_get(actor=request.auth, id=task_id)


@router.patch("/tasks/{task_id}", response=TaskOut)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch):
    task = schedule.task_get(actor=request.auth, id=task_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    done = data.pop("done", None)
    if data:
        task = schedule.task_update(actor=request.auth, task=task, data=data, version=version)
    if done is not None:
        task = schedule.task_complete(actor=request.auth, task=task, done=done)
    return task


@router.delete("/tasks/{task_id}", response={204: None})
def task_delete(request: HttpRequest, task_id: int):
    schedule.task_delete(actor=request.auth, task=schedule.task_get(actor=request.auth, id=task_id))
    return Status(204, None)


# --- documents ------------------------------------------------------------------------------------
@router.get("/customers/{customer_id}/documents", response=Page[DocumentOut])
def document_list(request: HttpRequest, customer_id: int, limit: int = 50, offset: int = 0):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return paginate(
        request,
        documents.document_list(actor=request.auth, customer=customer),
        limit=limit,
        offset=offset,
    )


@router.post("/customers/{customer_id}/documents", response={201: DocumentOut})
def document_upload(
    request: HttpRequest, customer_id: int, file: File[UploadedFile], description: Form[str] = ""
):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    return Status(
        201,
        documents.document_upload(
            actor=request.auth, customer=customer, upload=file, description=description
        ),
    )


@router.get("/documents/{document_id}/download")
def document_download(request: HttpRequest, document_id: int):
    document = documents.document_get(actor=request.auth, id=document_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


@router.delete("/documents/{document_id}", response={204: None})
def document_delete(request: HttpRequest, document_id: int):
    document = documents.document_get(actor=request.auth, id=document_id)
    documents.document_delete(actor=request.auth, document=document)
    return Status(204, None)


# --- tags, grades, segments -----------------------------------------------------------------------
@router.get("/tags", response=Page[TagOut])
def tag_list(request: HttpRequest, limit: int = 100, offset: int = 0):
    return paginate(request, selectors.tag_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/tags", response={201: TagOut})
def tag_create(request: HttpRequest, payload: TagIn):
    return Status(201, services.tag_get_or_create(actor=request.auth, name=payload.name))


@router.get("/grades", response=Page[GradeOut])
def grade_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(request, selectors.grade_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/grades", response={201: GradeOut})
def grade_create(request: HttpRequest, payload: GradeIn):
    return Status(
        201, grading.grade_create(actor=request.auth, data=payload.dict(exclude={"version"}))
    )


@router.get("/grades/{grade_id}", response=GradeOut)
def grade_get(request: HttpRequest, grade_id: int):
    return selectors.grade_get(actor=request.auth, id=grade_id)


@router.patch("/grades/{grade_id}", response=GradeOut)
def grade_update(request: HttpRequest, grade_id: int, payload: GradeIn):
    grade = selectors.grade_get(actor=request.auth, id=grade_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return grading.grade_update(actor=request.auth, grade=grade, data=data, version=version)


@router.delete("/grades/{grade_id}", response={204: None})
def grade_delete(request: HttpRequest, grade_id: int):
    grading.grade_delete(
        actor=request.auth, grade=selectors.grade_get(actor=request.auth, id=grade_id)
    )
    return Status(204, None)


@router.get("/segments", response=Page[SegmentOut])
def segment_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    return paginate(request, selectors.segment_list(actor=request.auth), limit=limit, offset=offset)


@router.post("/segments", response={201: SegmentOut})
def segment_create(request: HttpRequest, payload: SegmentIn):
    return Status(
        201,
        segments.segment_create(
            actor=request.auth,
            name=payload.name,
            filters=payload.filters,
            description=payload.description,
            is_shared=payload.is_shared,
        ),
    )


@router.get("/segments/{segment_id}", response=SegmentOut)
def segment_get(request: HttpRequest, segment_id: int):
    return selectors.segment_get(actor=request.auth, id=segment_id)


@router.patch("/segments/{segment_id}", response=SegmentOut)
def segment_update(request: HttpRequest, segment_id: int, payload: SegmentIn):
    segment = selectors.segment_get(actor=request.auth, id=segment_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return segments.segment_update(actor=request.auth, segment=segment, data=data, version=version)


@router.delete("/segments/{segment_id}", response={204: None})
def segment_delete(request: HttpRequest, segment_id: int):
    segments.segment_delete(
        actor=request.auth, segment=selectors.segment_get(actor=request.auth, id=segment_id)
    )
    return Status(204, None)


@router.get("/segments/{segment_id}/customers", response=Page[CustomerOut])
def segment_customers(request: HttpRequest, segment_id: int, limit: int = 50, offset: int = 0):
    segment = selectors.segment_get(actor=request.auth, id=segment_id)
    customers = selectors.segment_customers(actor=request.auth, segment=segment)
    return paginate(request, customers, limit=limit, offset=offset)


# --- import and export ----------------------------------------------------------------------------
class ImportOut(Schema):
    id: int
    filename: str
    status: str
    total_rows: int
    valid_rows: int
    report: dict[str, Any]
    result: dict[str, Any]
    progress_id: str | None = None

    @staticmethod
    def resolve_progress_id(obj) -> str | None:
        return str(obj.progress_id) if obj.progress_id else None


class ImportCommitIn(Schema):
    skip_invalid: bool = False
    duplicate_default: str = "skip"
    decisions: dict[str, str] = {}


@router.post("/imports", response={201: ImportOut})
def import_upload(request: HttpRequest, file: File[UploadedFile]):
    """Phase 1: upload a .csv, .xlsx or .vcf file and get the preview report (per-row errors
    with the file's row numbers, duplicates, columns or vCard data that will not be imported)."""
    return Status(
        201,
        importing.import_preview(
            actor=request.auth, filename=file.name or "upload", data=file.read()
        ),
    )


@router.get("/imports/{import_id}", response=ImportOut)
def import_get(request: HttpRequest, import_id: int):
    return importing.import_job_get(actor=request.auth, id=import_id)


@router.post("/imports/{import_id}/commit", response={202: ImportOut})
def import_commit(request: HttpRequest, import_id: int, payload: ImportCommitIn):
    """Phase 2: import in the background; follow `/api/v1/jobs/{progress_id}`."""
    job = importing.import_job_get(actor=request.auth, id=import_id)
    return Status(
        202,
        importing.import_commit(
            actor=request.auth,
            job=job,
            skip_invalid=payload.skip_invalid,
            duplicate_default=payload.duplicate_default,
            decisions=payload.decisions,
        ),
    )


@router.get("/customers-export")
def customer_export(
    request: HttpRequest,
    filters: Query[CustomerFilters],
    format: str = "csv",  # noqa: A002
):
    """Export the filtered list (or `segment`) as `csv`, `xlsx` or `vcf`."""
    data = filters.dict()
    sort = data.pop("sort")
    for key in ("limit", "offset"):
        data.pop(key)
    segment_id = data.pop("segment")
    if segment_id:
        segment = selectors.segment_get(actor=request.auth, id=segment_id)
        data = {**segment.filters, **{k: v for k, v in data.items() if v not in (None, "")}}
    customers = selectors.customer_list(actor=request.auth, filters=data, sort=sort)
    return exporting.export_response(customers, format)
