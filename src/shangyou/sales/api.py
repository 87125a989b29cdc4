"""Sales API: opportunities (CRUD, stage), the weighted pipeline, quotations (CRUD with lines,
send, revise, answers recorded by staff, PDF)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field

from shangyou.core.api import Page, paginate, version_from
from shangyou.core.schema import Schema

from . import acceptance, pdf, selectors, sending, services
from .models import Opportunity, Quotation

router = Router(tags=["sales"])


# --- schemas ------------------------------------------------------------------------------------
class OpportunityIn(Schema):
    customer_id: int
    name: str = Field(default="", max_length=200)
    contact_id: int | None = None
    stage: Opportunity.Stage = Opportunity.Stage.QUALIFICATION
    probability: int | None = Field(default=None, ge=0, le=100)
    amount: Decimal = Decimal(0)
    currency: str = "CNY"
    expected_close: date | None = None
    owner_id: int | None = None
    source: str = ""
    lost_reason: str = ""
    notes: str = ""


class OpportunityPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    contact_id: int | None = None
    stage: Opportunity.Stage | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    amount: Decimal | None = None
    currency: str | None = None
    expected_close: date | None = None
    owner_id: int | None = None
    source: str | None = None
    lost_reason: str | None = None
    notes: str | None = None
    version: int | None = None


class OpportunityStageIn(Schema):
    stage: Opportunity.Stage
    probability: int | None = Field(default=None, ge=0, le=100)
    lost_reason: str = ""
    version: int | None = None


class OpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    contact_id: int | None
    stage: str
    probability: int
    amount: Decimal
    weighted_amount: Decimal
    currency: str
    expected_close: date | None
    owner_id: int | None
    team_id: int | None
    source: str
    lost_reason: str
    closed_at: datetime | None
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime


class PipelineFilters(Schema):
    q: str = ""
    stage: str = ""
    status: Literal["", "open", "closed"] = ""
    owner: str = ""
    customer: int | None = None
    close_after: date | None = None
    close_before: date | None = None


class OpportunityFilters(PipelineFilters):
    sort: str = "-created"
    limit: int = 50
    offset: int = 0


class PipelineStageOut(Schema):
    stage: str
    label: str
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


class PipelineTotalOut(Schema):
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


class PipelineOut(Schema):
    stages: list[PipelineStageOut]
    totals: list[PipelineTotalOut]


class QuotationLineIn(Schema):
    product_id: int | None = None
    configuration_id: int | None = None
    sku: str = ""
    description: str = ""
    specification: str = ""
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal | None = Field(
        default=None, description="Empty: the catalogue's price for the customer."
    )
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = Field(default=None, description="Empty: the product's tax rate.")


class QuotationLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    configuration_id: int | None
    sku: str
    description: str
    specification: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    line_subtotal: Decimal
    line_tax: Decimal
    line_total: Decimal


class QuotationIn(Schema):
    customer_id: int
    contact_id: int | None = None
    opportunity_id: int | None = None
    currency: str = "CNY"
    language: Quotation.Language = Quotation.Language.ZH_HANS
    issue_date: date | None = None
    valid_until: date | None = None
    terms: str = ""
    notes: str = ""
    discount_percent: Decimal = Decimal(0)
    owner_id: int | None = None
    lines: list[QuotationLineIn] = []


class QuotationPatch(Schema):
    contact_id: int | None = None
    opportunity_id: int | None = None
    currency: str | None = None
    language: Quotation.Language | None = None
    issue_date: date | None = None
    valid_until: date | None = None
    terms: str | None = None
    notes: str | None = None
    discount_percent: Decimal | None = None
    owner_id: int | None = None
    lines: list[QuotationLineIn] | None = Field(
        default=None, description="When given, replaces all the lines."
    )
    version: int | None = None


class QuotationOut(Schema):
    id: int
    number: str
    revision: int
    previous_id: int | None
    customer_id: int
    contact_id: int | None
    opportunity_id: int | None
    status: str
    currency: str
    language: str
    issue_date: date
    valid_until: date
    terms: str
    notes: str
    discount_percent: Decimal
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    owner_id: int | None
    team_id: int | None
    sent_at: datetime | None
    responded_at: datetime | None
    response_name: str
    response_note: str
    version: int
    created_at: datetime
    updated_at: datetime


class QuotationDetailOut(QuotationOut):
    lines: list[QuotationLineOut]
    public_url: str | None

    @staticmethod
    def resolve_lines(obj) -> list:
        saved = getattr(obj, "saved_lines", None)  # just created: no need to read them back
        return saved if saved is not None else list(selectors.quotation_lines(quotation=obj))

    @staticmethod
    def resolve_public_url(obj) -> str | None:
        return sending.public_link(obj) if obj.status == Quotation.Status.SENT else None


class QuotationFilters(Schema):
    q: str = ""
    status: str = ""
    customer: int | None = None
    owner: str = ""
    opportunity: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    current: bool = False
    sort: str = "-date"
    limit: int = 50
    offset: int = 0


class QuotationSendIn(Schema):
    channel: Literal["email", "platform"] = "email"
    to: str = Field(default="", description="Email address; default: the contact's or customer's.")
    message: str = ""


class QuotationAcceptIn(Schema):
    name: str = Field(default="", description="Who accepted (default: the customer's name).")
    note: str = ""


class QuotationDeclineIn(Schema):
    reason: str = Field(default="", description="Required: why the customer declined.")
    name: str = ""


class QuotationAcceptOut(Schema):
    quotation: QuotationOut
    order_id: int
    order_number: str


def _lines(lines) -> list[dict]:
    return [{k: v for k, v in line.dict().items() if v not in (None, "")} for line in (lines or [])]


# --- opportunities ------------------------------------------------------------------------------
@router.get("/opportunities", response=Page[OpportunityOut])
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilters]):
    data = filters.dict()
    sort, limit, offset = data.pop("sort"), data.pop("limit"), data.pop("offset")
    items = selectors.opportunity_list(actor=request.auth, filters=data, sort=sort)
    return paginate(request, items, limit=limit, offset=offset)


@router.post("/opportunities", response={201: OpportunityOut})
def opportunity_create(request: HttpRequest, payload: OpportunityIn):
    data = payload.dict(exclude_unset=True)
    data["customer_id"] = payload.customer_id
    if data.get("owner_id") is None:
        data.pop("owner_id", None)
    return Status(201, services.opportunity_create(actor=request.auth, data=data))


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_get(request: HttpRequest, opportunity_id: int):
    return selectors.opportunity_get(actor=request.auth, id=opportunity_id)


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_update(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch):
    opportunity = selectors.opportunity_get(actor=request.auth, id=opportunity_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.opportunity_update(
        actor=request.auth, opportunity=opportunity, data=data, version=version
    )


@router.delete("/opportunities/{opportunity_id}", response={204: None})
def opportunity_delete(request: HttpRequest, opportunity_id: int):
    opportunity = selectors.opportunity_get(actor=request.auth, id=opportunity_id)
    services.opportunity_delete(actor=request.auth, opportunity=opportunity)
    return Status(204, None)


@router.post("/opportunities/{opportunity_id}/stage", response=OpportunityOut)
def opportunity_stage(request: HttpRequest, opportunity_id: int, payload: OpportunityStageIn):
    """Move to a stage; the probability becomes the stage's default unless given; `lost`
    needs `lost_reason`."""
    opportunity = selectors.opportunity_get(actor=request.auth, id=opportunity_id)
    return services.opportunity_move(
        actor=request.auth,
        opportunity=opportunity,
        stage=payload.stage,
        probability=payload.probability,
        lost_reason=payload.lost_reason,
        version=version_from(request, payload.version),
    )


@router.get("/pipeline", response=PipelineOut)
def pipeline(request: HttpRequest, filters: Query[PipelineFilters]):
    """The weighted pipeline (Σ amount × probability) per stage and currency, and the open
    stages' totals per currency."""
    return selectors.pipeline_summary(actor=request.auth, filters=filters.dict())


# --- quotations ---------------------------------------------------------------------------------
@router.get("/quotations", response=Page[QuotationOut])
def quotation_list(request: HttpRequest, filters: Query[QuotationFilters]):
    data = filters.dict()
    sort, limit, offset = data.pop("sort"), data.pop("limit"), data.pop("offset")
    data["current"] = "1" if data["current"] else ""
    items = selectors.quotation_list(actor=request.auth, filters=data, sort=sort)
    return paginate(request, items, limit=limit, offset=offset)


@router.post("/quotations", response={201: QuotationDetailOut})
def quotation_create(request: HttpRequest, payload: QuotationIn):
    data = payload.dict(exclude_unset=True)
    data["customer_id"] = payload.customer_id
    data.pop("lines", None)
    quotation = services.quotation_create(
        actor=request.auth, data=data, lines=_lines(payload.lines)
    )
    return Status(201, quotation)


@router.get("/quotations/{quotation_id}", response=QuotationDetailOut)
def quotation_get(request: HttpRequest, quotation_id: int):
    return selectors.quotation_get(actor=request.auth, id=quotation_id)


@router.patch("/quotations/{quotation_id}", response=QuotationDetailOut)
def quotation_update(request: HttpRequest, quotation_id: int, payload: QuotationPatch):
    """Edit a draft; `lines`, when given, replace all the lines. 409 when `version` is stale or
    the quotation is no longer a draft."""
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    lines = data.pop("lines", None)
    return services.quotation_update(
        actor=request.auth,
        quotation=quotation,
        data=data,
        lines=_lines(payload.lines) if lines is not None else None,
        version=version,
    )


@router.delete("/quotations/{quotation_id}", response={204: None})
def quotation_delete(request: HttpRequest, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    services.quotation_delete(actor=request.auth, quotation=quotation)
    return Status(204, None)


@router.post("/quotations/{quotation_id}/send", response=QuotationDetailOut)
def quotation_send(request: HttpRequest, quotation_id: int, payload: QuotationSendIn):
    """Email the PDF and the acceptance link (`channel=email`, `to`), or send them as a platform
    message to the customer's company (`channel=platform`)."""
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    return sending.quotation_send(
        actor=request.auth,
        quotation=quotation,
        channel=payload.channel,
        to=payload.to,
        message=payload.message,
    )


@router.post("/quotations/{quotation_id}/revise", response={201: QuotationDetailOut})
def quotation_revise(request: HttpRequest, quotation_id: int):
    """A new draft revision of a sent, declined or expired quotation; the old one is superseded
    and its link no longer answers."""
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    return Status(201, services.quotation_revise(actor=request.auth, quotation=quotation))


@router.post("/quotations/{quotation_id}/accept", response=QuotationAcceptOut)
def quotation_accept(request: HttpRequest, quotation_id: int, payload: QuotationAcceptIn):
    """Record the customer's acceptance (given by phone, …): creates the confirmed order."""
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    quotation, order = acceptance.quotation_accept(
        quotation=quotation,
        name=payload.name or quotation.customer.name,
        note=payload.note,
        actor=request.auth,
    )
    return {"quotation": quotation, "order_id": order.pk, "order_number": order.number}


@router.post("/quotations/{quotation_id}/decline", response=QuotationDetailOut)
def quotation_decline(request: HttpRequest, quotation_id: int, payload: QuotationDeclineIn):
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    return acceptance.quotation_decline(
        quotation=quotation, reason=payload.reason, name=payload.name, actor=request.auth
    )


@router.get(
    "/quotations/{quotation_id}/pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "The quotation as PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def quotation_pdf(request: HttpRequest, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.auth, id=quotation_id)
    link = sending.public_link(quotation) if quotation.status == Quotation.Status.SENT else ""
    response = HttpResponse(
        pdf.quotation_pdf(quotation=quotation, link=link), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf.pdf_filename(quotation)}"'
    return response
