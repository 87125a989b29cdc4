"""Procurement API (B1–B3): suppliers and scorecards; RFQs with lines and invitees, sending,
answers, the comparison and the award; purchase orders and goods receipts; and, for suppliers
on the platform, incoming RFQs and answering them."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from shangyou.core.api import Page, paginate, version_from
from shangyou.core.schema import Schema

from . import purchase_orders, scorecard, selectors, services
from .models import PurchaseOrder, Rfq, RfqInvitation, SupplierScore

router = Router(tags=["purchasing"])


# --- schemas ------------------------------------------------------------------------------------
class ScoreOut(Schema):
    score: Decimal | None = None
    grade: str = ""
    grade_locked: bool = False
    price_score: Decimal | None = None
    delivery_score: Decimal | None = None
    quality_score: Decimal | None = None
    response_score: Decimal | None = None
    adjustment: int = 0
    adjustment_reason: str = ""
    figures: dict = {}
    computed_at: datetime | None = None


class SupplierOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    is_customer: bool
    platform_company_id: int | None
    score: Decimal | None = None
    grade: str = ""

    @staticmethod
    def resolve_score(obj):
        sc = getattr(obj, "supplier_score", None)
        return sc.score if sc else None

    @staticmethod
    def resolve_grade(obj):
        sc = getattr(obj, "supplier_score", None)
        return sc.grade if sc else ""


class SupplierFilters(Schema):
    q: str = ""
    grade: SupplierScore.Grade | None = None
    good_only: bool = False
    platform: str = ""
    sort: str = "score"
    limit: int = 50
    offset: int = 0


class AdjustIn(Schema):
    adjustment: int = Field(0, ge=-30, le=30)
    reason: str = ""
    grade: str | None = Field(None, description='"A"–"D" sets the grade by hand; "" clears it.')


class RfqLineIn(Schema):
    product_id: int | None = None
    sku: str = ""
    description: str = ""
    specification: str = ""
    quantity: Decimal
    unit: str = ""
    required_date: date | None = None


class RfqLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    sku: str
    description: str
    specification: str
    quantity: Decimal
    unit: str
    required_date: date | None


class RfqIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    notes: str = ""
    currency: str = "CNY"
    deadline: datetime | None = None
    delivery_address: str = ""
    payment_terms: str = ""
    lines: list[RfqLineIn] = []


class RfqPatch(Schema):
    title: str | None = None
    description: str | None = None
    notes: str | None = None
    currency: str | None = None
    deadline: datetime | None = None
    delivery_address: str | None = None
    payment_terms: str | None = None
    lines: list[RfqLineIn] | None = None
    version: int | None = None


class RfqOut(Schema):
    id: int
    number: str
    title: str
    status: Rfq.Status
    currency: str
    deadline: datetime
    issue_date: date | None
    sent_at: datetime | None
    awarded_at: datetime | None
    owner_id: int | None
    version: int


class RfqInvitationOut(Schema):
    id: int
    supplier_id: int
    supplier_name: str = Field(alias="supplier.name")
    platform: bool = Field(alias="is_platform")
    email: str
    status: RfqInvitation.Status
    invited_at: datetime | None
    viewed_at: datetime | None
    reminded_at: datetime | None
    answered_at: datetime | None
    decline_reason: str


class RfqDetailOut(RfqOut):
    description: str
    notes: str
    delivery_address: str
    payment_terms: str
    lines: list[RfqLineOut]
    invitations: list[RfqInvitationOut]

    @staticmethod
    def resolve_lines(obj):
        return list(selectors.rfq_lines(rfq=obj))

    @staticmethod
    def resolve_invitations(obj):
        return list(
            RfqInvitation.objects.filter(company_id=obj.company_id, rfq=obj)
            .select_related("supplier")
            .order_by("id")
        )


class InviteIn(Schema):
    supplier_ids: list[int]
    email: str = ""


class CancelIn(Schema):
    reason: str = ""


class QuoteLineOut(Schema):
    rfq_line_id: int
    unit_price: Decimal
    tax_rate: Decimal
    lead_time_days: int | None
    moq: Decimal | None
    remarks: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int


class AnswerOut(Schema):
    invitation_id: int
    currency: str
    valid_until: date | None
    payment_terms: str
    remarks: str
    answered_name: str
    submitted_at: datetime
    total: Decimal
    lines: list[QuoteLineOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class SupplierAnswerOut(AnswerOut):
    supplier_id: int = Field(alias="invitation.supplier_id")
    supplier_name: str = Field(alias="invitation.supplier.name")


class ComparisonCellOut(Schema):
    invitation_id: int
    unit_price: Decimal
    currency: str
    unit_price_cny: Decimal | None
    total_cny: Decimal | None
    lead_time_days: int | None
    moq: Decimal | None
    is_best: bool


class ComparisonLineOut(Schema):
    rfq_line_id: int
    position: int
    description: str
    quantity: Decimal
    best_unit_price_cny: Decimal | None
    cells: list[ComparisonCellOut]


class ComparisonSupplierOut(Schema):
    invitation_id: int
    supplier_id: int
    supplier_name: str
    grade: str
    currency: str
    total_cny: Decimal
    total_tax_cny: Decimal
    lines_quoted: int
    best_count: int
    max_lead_time: int | None
    rate_problem: str


class ComparisonOut(Schema):
    currency: str
    on_date: date
    suppliers: list[ComparisonSupplierOut]
    lines: list[ComparisonLineOut]


class AwardIn(Schema):
    awards: dict[str, int] = Field(
        default_factory=dict, description="RFQ line id → invitation id (award per line)."
    )
    invitation_id: int | None = Field(None, description="Award every quoted line to one.")


class PurchaseOrderLineOut(Schema):
    id: int
    position: int
    description: str
    specification: str
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate: Decimal
    line_total: Decimal
    required_date: date | None
    quantity_received: Decimal


class PurchaseOrderOut(Schema):
    id: int
    number: str
    rfq_id: int | None
    supplier_id: int
    supplier_name: str = Field(alias="supplier.name")
    status: PurchaseOrder.Status = Field(alias="effective_status")
    order_date: date
    currency: str
    total: Decimal
    tax_total: Decimal
    sent_to: str
    sales_order_number: str | None = None
    version: int

    @staticmethod
    def resolve_sales_order_number(obj):
        return obj.sales_order.number if obj.sales_order_id else None


class ReceiptLineOut(Schema):
    order_line_id: int
    quantity: Decimal


class ReceiptOut(Schema):
    id: int
    number: str
    received_on: date
    notes: str
    lines: list[ReceiptLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class PurchaseOrderDetailOut(PurchaseOrderOut):
    payment_terms: str
    delivery_address: str
    lines: list[PurchaseOrderLineOut]
    receipts: list[ReceiptOut]

    @staticmethod
    def resolve_lines(obj):
        return list(selectors.purchase_order_lines(order=obj))

    @staticmethod
    def resolve_receipts(obj):
        return list(selectors.purchase_order_receipts(order=obj))


class ReceiptLineIn(Schema):
    line_id: int
    quantity: Decimal


class ReceiptIn(Schema):
    lines: list[ReceiptLineIn] = []
    all: bool = Field(False, description="Receive every open quantity.")
    received_on: date | None = None
    notes: str = ""


class IncomingOut(Schema):
    id: int
    rfq_number: str = Field(alias="rfq.number")
    title: str = Field(alias="rfq.title")
    buyer: str = Field(alias="company.name")
    deadline: datetime = Field(alias="rfq.deadline")
    rfq_status: str = Field(alias="rfq.status")
    status: RfqInvitation.Status


class IncomingDetailOut(IncomingOut):
    description: str = Field(alias="rfq.description")
    currency: str = Field(alias="rfq.currency")
    delivery_address: str = Field(alias="rfq.delivery_address")
    payment_terms: str = Field(alias="rfq.payment_terms")
    lines: list[RfqLineOut]
    answer: AnswerOut | None

    @staticmethod
    def resolve_lines(obj):
        return list(selectors.rfq_lines(rfq=obj.rfq))

    @staticmethod
    def resolve_answer(obj):
        return selectors.own_quote(invitation=obj)


class AnswerLineIn(Schema):
    rfq_line_id: int
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None
    lead_time_days: int | None = None
    moq: Decimal | None = None
    remarks: str = ""


class RfqAnswerIn(Schema):
    currency: str = ""
    valid_until: date | None = None
    payment_terms: str = ""
    remarks: str = ""
    lines: list[AnswerLineIn]


# --- helpers ------------------------------------------------------------------------------------
def _answer_lines(payload_lines) -> list[dict]:
    return [{k: ("" if v is None else v) for k, v in line.dict().items()} for line in payload_lines]


# --- suppliers ----------------------------------------------------------------------------------
@router.get("/purchasing/suppliers", response=Page[SupplierOut])
def supplier_list(request: HttpRequest, filters: Query[SupplierFilters]):
    """Suppliers (CRM records with the supplier role) with score and grade; `good_only`: A/B."""
    data = filters.dict()
    suppliers = selectors.supplier_list(
        actor=request.auth,
        q=data["q"],
        grade=data["grade"] or "",
        good_only=data["good_only"],
        platform=data["platform"],
        sort=data["sort"],
    )
    return paginate(request, suppliers, limit=data["limit"], offset=data["offset"])


@router.get("/purchasing/suppliers/{customer_id}/scorecard", response=ScoreOut)
def supplier_scorecard(request: HttpRequest, customer_id: int):
    supplier = selectors.supplier_get(actor=request.auth, id=customer_id)
    return selectors.supplier_scorecard(actor=request.auth, supplier=supplier) or ScoreOut()


@router.post("/purchasing/suppliers/{customer_id}/scorecard", response=ScoreOut)
def supplier_scorecard_adjust(request: HttpRequest, customer_id: int, payload: AdjustIn):
    """Manual adjustment (points and reason) and/or a grade set by hand; recomputes."""
    supplier = selectors.supplier_get(actor=request.auth, id=customer_id)
    return scorecard.supplier_score_adjust(actor=request.auth, supplier=supplier, **payload.dict())


# --- RFQs ---------------------------------------------------------------------------------------
@router.get("/purchasing/rfqs", response=Page[RfqOut])
def rfq_list(request: HttpRequest, status: str = "", q: str = "", limit: int = 50, offset: int = 0):
    rfqs = selectors.rfq_list(actor=request.auth, status=status, q=q)
    return paginate(request, rfqs, limit=limit, offset=offset)


@router.post("/purchasing/rfqs", response={201: RfqDetailOut})
def rfq_create(request: HttpRequest, payload: RfqIn):
    data = payload.dict(exclude={"lines"}, exclude_unset=True)
    data["title"] = payload.title
    lines = [line.dict(exclude_unset=True) for line in payload.lines]
    rfq = services.rfq_create(actor=request.auth, data=data, lines=lines)
    return Status(201, rfq)


@router.get("/purchasing/rfqs/{rfq_id}", response=RfqDetailOut)
def rfq_get(request: HttpRequest, rfq_id: int):
    return selectors.rfq_get(actor=request.auth, id=rfq_id)


@router.patch("/purchasing/rfqs/{rfq_id}", response=RfqDetailOut)
def rfq_update(request: HttpRequest, rfq_id: int, payload: RfqPatch):
    """Edit a draft (lines replaced as a whole); once sent, move the deadline later. 409 when
    the RFQ changed since `version` (or `If-Match`)."""
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    data = payload.dict(exclude_unset=True, exclude={"lines", "version"})
    lines = (
        [line.dict(exclude_unset=True) for line in payload.lines]
        if payload.lines is not None
        else None
    )
    rfq = services.rfq_update(
        actor=request.auth,
        rfq=rfq,
        data=data,
        version=version_from(request, payload.version),
        lines=lines,
    )
    return rfq


@router.delete("/purchasing/rfqs/{rfq_id}", response={204: None})
def rfq_delete(request: HttpRequest, rfq_id: int):
    services.rfq_delete(actor=request.auth, rfq=selectors.rfq_get(actor=request.auth, id=rfq_id))
    return Status(204, None)


@router.post("/purchasing/rfqs/{rfq_id}/invitations", response={201: list[RfqInvitationOut]})
def rfq_invite(request: HttpRequest, rfq_id: int, payload: InviteIn):
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    created = services.rfq_invite(actor=request.auth, rfq=rfq, **payload.dict())
    return Status(201, created)


@router.delete("/purchasing/rfqs/{rfq_id}/invitations/{rfq_invite_id}", response={204: None})
def rfq_invitation_remove(request: HttpRequest, rfq_id: int, rfq_invite_id: int):
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    invitation = selectors.rfq_invitation_get(actor=request.auth, rfq=rfq, id=rfq_invite_id)
    services.rfq_invitation_remove(actor=request.auth, invitation=invitation)
    return Status(204, None)


@router.post("/purchasing/rfqs/{rfq_id}/send", response=RfqDetailOut)
def rfq_send(request: HttpRequest, rfq_id: int):
    rfq = services.rfq_send(
        actor=request.auth, rfq=selectors.rfq_get(actor=request.auth, id=rfq_id)
    )
    return rfq


@router.post("/purchasing/rfqs/{rfq_id}/close", response=RfqOut)
def rfq_close(request: HttpRequest, rfq_id: int):
    return services.rfq_close(
        actor=request.auth, rfq=selectors.rfq_get(actor=request.auth, id=rfq_id)
    )


@router.post("/purchasing/rfqs/{rfq_id}/cancel", response=RfqOut)
def rfq_cancel(request: HttpRequest, rfq_id: int, payload: CancelIn):
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    return services.rfq_cancel(actor=request.auth, rfq=rfq, reason=payload.reason)


@router.get("/purchasing/rfqs/{rfq_id}/answers", response=list[SupplierAnswerOut])
def rfq_answers(request: HttpRequest, rfq_id: int):
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    return selectors.rfq_answers(actor=request.auth, rfq=rfq)


@router.get("/purchasing/rfqs/{rfq_id}/comparison", response=ComparisonOut)
def rfq_comparison(request: HttpRequest, rfq_id: int, sort: str = "total"):
    """Suppliers × lines in CNY at the RFQ date's rates; best price per line; totals."""
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    c = selectors.rfq_comparison(actor=request.auth, rfq=rfq, sort=sort)
    return {
        "currency": c["currency"],
        "on_date": c["on_date"],
        "suppliers": [
            {
                "invitation_id": col.invitation.pk,
                "supplier_id": col.invitation.supplier_id,
                "supplier_name": col.invitation.supplier.name,
                "grade": col.grade,
                "currency": col.quote.currency,
                "total_cny": col.total_cny,
                "total_tax_cny": col.total_tax_cny,
                "lines_quoted": col.lines_quoted,
                "best_count": col.best_count,
                "max_lead_time": col.max_lead_time,
                "rate_problem": col.rate_problem,
            }
            for col in c["columns"]
        ],
        "lines": [
            {
                "rfq_line_id": row["line"].pk,
                "position": row["line"].position,
                "description": row["line"].description,
                "quantity": row["line"].quantity,
                "best_unit_price_cny": row["best"],
                "cells": [
                    {
                        "invitation_id": col.invitation.pk,
                        "unit_price": cell.quote_line.unit_price,
                        "currency": col.quote.currency,
                        "unit_price_cny": cell.unit_price_cny,
                        "total_cny": cell.total_cny,
                        "lead_time_days": cell.quote_line.lead_time_days,
                        "moq": cell.quote_line.moq,
                        "is_best": cell.is_best,
                    }
                    for col, cell in row["cells"]
                    if cell is not None
                ],
            }
            for row in c["rows"]
        ],
    }


@router.post("/purchasing/rfqs/{rfq_id}/award", response={201: list[PurchaseOrderOut]})
def rfq_award(request: HttpRequest, rfq_id: int, payload: AwardIn):
    """Award per line (`awards`) or whole (`invitation_id`): one purchase order per supplier,
    sent at once (platform suppliers receive it as a sales order in their account)."""
    rfq = selectors.rfq_get(actor=request.auth, id=rfq_id)
    orders = purchase_orders.rfq_award(
        actor=request.auth,
        rfq=rfq,
        awards={int(k): v for k, v in payload.awards.items() if str(k).isdigit()},
        invitation_id=payload.invitation_id,
    )
    return Status(201, orders)


# --- purchase orders ----------------------------------------------------------------------------
@router.get("/purchasing/purchase-orders", response=Page[PurchaseOrderOut])
def purchase_order_list(
    request: HttpRequest,
    status: str = "",
    supplier_id: int | None = None,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
):
    orders = selectors.purchase_order_list(
        actor=request.auth, status=status, supplier_id=supplier_id, q=q
    )
    return paginate(request, orders, limit=limit, offset=offset)


@router.get("/purchasing/purchase-orders/{purchase_order_id}", response=PurchaseOrderDetailOut)
def purchase_order_get(request: HttpRequest, purchase_order_id: int):
    return selectors.purchase_order_get(actor=request.auth, id=purchase_order_id)


@router.post("/purchasing/purchase-orders/{purchase_order_id}/receipts", response={201: ReceiptOut})
def purchase_order_receive(request: HttpRequest, purchase_order_id: int, payload: ReceiptIn):
    """Goods received (per line, full or partial); closes the order when all has arrived."""
    order = selectors.purchase_order_get(actor=request.auth, id=purchase_order_id)
    if payload.all:
        receipt = purchase_orders.goods_receipt_receive_all(
            actor=request.auth, order=order, received_on=payload.received_on, notes=payload.notes
        )
    else:
        receipt = purchase_orders.goods_receipt_create(
            actor=request.auth,
            order=order,
            lines=[line.dict() for line in payload.lines],
            received_on=payload.received_on,
            notes=payload.notes,
        )
    return Status(201, receipt)


@router.post("/purchasing/purchase-orders/{purchase_order_id}/confirm", response=PurchaseOrderOut)
def purchase_order_confirm(request: HttpRequest, purchase_order_id: int):
    """Record an external supplier's confirmation."""
    order = selectors.purchase_order_get(actor=request.auth, id=purchase_order_id)
    return purchase_orders.purchase_order_confirm(actor=request.auth, order=order)


@router.post("/purchasing/purchase-orders/{purchase_order_id}/cancel", response=PurchaseOrderOut)
def purchase_order_cancel(request: HttpRequest, purchase_order_id: int, payload: CancelIn):
    order = selectors.purchase_order_get(actor=request.auth, id=purchase_order_id)
    return purchase_orders.purchase_order_cancel(
        actor=request.auth, order=order, reason=payload.reason
    )


# --- incoming RFQs (platform suppliers) ---------------------------------------------------------
@router.get("/purchasing/incoming-rfqs", response=Page[IncomingOut])
def incoming_list(request: HttpRequest, status: str = "", limit: int = 50, offset: int = 0):
    invitations = selectors.incoming_list(actor=request.auth, status=status)
    return paginate(request, invitations, limit=limit, offset=offset)


@router.get("/purchasing/incoming-rfqs/{rfq_invite_id}", response=IncomingDetailOut)
def incoming_get(request: HttpRequest, rfq_invite_id: int):
    """The RFQ as the invited supplier sees it (no internal notes, no other answers)."""
    invitation = selectors.incoming_get(actor=request.auth, id=rfq_invite_id)
    services.rfq_invitation_viewed(invitation=invitation)
    return invitation


@router.post("/purchasing/incoming-rfqs/{rfq_invite_id}/answer", response=AnswerOut)
def incoming_answer(request: HttpRequest, rfq_invite_id: int, payload: RfqAnswerIn):
    """Answer (or change the answer) before the deadline; late answers get 409."""
    invitation = selectors.incoming_get(actor=request.auth, id=rfq_invite_id)
    return services.rfq_answer_submit(
        invitation=invitation,
        actor=request.auth,
        data=payload.dict(exclude={"lines"}),
        lines=_answer_lines(payload.lines),
    )


@router.post("/purchasing/incoming-rfqs/{rfq_invite_id}/decline", response=IncomingOut)
def incoming_decline(request: HttpRequest, rfq_invite_id: int, payload: CancelIn):
    invitation = selectors.incoming_get(actor=request.auth, id=rfq_invite_id)
    return services.rfq_invitation_decline(
        invitation=invitation, actor=request.auth, reason=payload.reason
    )
