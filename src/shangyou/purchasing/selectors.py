"""Reads of procurement, scoped to the actor's company and record rules.

RFQs, invitations and answers are shared documents: the buyer reaches them through `rfq_get`
and friends (its company, its record rules); an invited platform supplier only through
`incoming_get` — its own invitation, the RFQ's public fields and its own answer, never another
supplier's answer nor the buyer's internal notes. Anyone else gets NotFound.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.money import to_cents
from shangyou.core.selectors import scope_records

from .models import (
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderLine,
    Rfq,
    RfqInvitation,
    RfqLine,
    SupplierQuote,
    SupplierQuoteAttachment,
    SupplierQuoteLine,
    SupplierScore,
)
from .scorecard import GOOD_GRADES

SUPPLIER_SORTS = {
    "score": [F("supplier_score__score").desc(nulls_last=True), "name", "id"],
    "name": ["name", "id"],
    "-updated": ["-updated_at", "-id"],
}
BASE_CURRENCY = "CNY"


# --- suppliers ----------------------------------------------------------------------------------
def supplier_list(
    *,
    actor: Actor,
    q: str = "",
    grade: str = "",
    good_only: bool = False,
    platform: str = "",
    sort: str = "score",
) -> QuerySet[Customer]:
    """CRM records with the supplier role, with their scorecards; `good_only` keeps grades A
    and B (the good suppliers)."""
    suppliers = scope_records(Customer.objects.filter(is_supplier=True), actor=actor)
    if q:
        from shangyou.core.search import search_filter

        suppliers = search_filter(suppliers, q)
    if grade:
        suppliers = suppliers.filter(supplier_score__grade=grade)
    if good_only:
        suppliers = suppliers.filter(supplier_score__grade__in=GOOD_GRADES)
    if platform == "yes":
        suppliers = suppliers.filter(platform_company__isnull=False)
    elif platform == "no":
        suppliers = suppliers.filter(platform_company__isnull=True)
    return suppliers.select_related("supplier_score", "owner", "platform_company").order_by(
        *SUPPLIER_SORTS.get(sort, SUPPLIER_SORTS["score"])
    )


def supplier_get(*, actor: Actor, id: int) -> Customer:
    supplier = supplier_list(actor=actor).filter(pk=id).first()
    if supplier is None:
        raise NotFound()
    return supplier


def supplier_scorecard(*, actor: Actor, supplier: Customer) -> SupplierScore | None:
    return SupplierScore.objects.filter(company_id=actor.company_id, supplier=supplier).first()


def supplier_choices(*, actor: Actor) -> QuerySet[Customer]:
    """Suppliers to invite (name order)."""
    return supplier_list(actor=actor, sort="name")


# --- RFQs (buyer) -------------------------------------------------------------------------------
def rfq_list(*, actor: Actor, status: str = "", q: str = "") -> QuerySet[Rfq]:
    rfqs = scope_records(Rfq.objects.all(), actor=actor)
    if status:
        rfqs = rfqs.filter(status=status)
    if q:
        rfqs = rfqs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    return (
        rfqs.select_related("owner")
        .annotate(
            invited_count=Count("invitations", distinct=True),
            answered_count=Count(
                "invitations", filter=Q(invitations__status="answered"), distinct=True
            ),
        )
        .order_by("-created_at", "-id")
    )


def rfq_get(*, actor: Actor, id: int) -> Rfq:
    rfq = (
        scope_records(Rfq.objects.all(), actor=actor)
        .select_related("owner", "updated_by", "company")
        .filter(pk=id)
        .first()
    )
    if rfq is None:
        raise NotFound()
    return rfq


def rfq_lines(*, rfq: Rfq) -> QuerySet[RfqLine]:
    return RfqLine.objects.filter(company_id=rfq.company_id, rfq=rfq).select_related("product")


def rfq_invitations(*, actor: Actor, rfq: Rfq) -> QuerySet[RfqInvitation]:
    if rfq.company_id != actor.company_id:
        raise NotFound()
    return (
        RfqInvitation.objects.filter(company_id=actor.company_id, rfq=rfq)
        .select_related("supplier", "supplier__supplier_score", "supplier_company")
        .order_by("id")
    )


def rfq_invitation_get(*, actor: Actor, rfq: Rfq, id: int) -> RfqInvitation:
    invitation = rfq_invitations(actor=actor, rfq=rfq).filter(pk=id).first()
    if invitation is None:
        raise NotFound()
    invitation.rfq = rfq
    return invitation


def rfq_answers(*, actor: Actor, rfq: Rfq) -> list[SupplierQuote]:
    """Every supplier's answer (the buyer's view), with lines and attachments."""
    if rfq.company_id != actor.company_id:
        raise NotFound()
    return list(
        SupplierQuote.objects.filter(company_id=actor.company_id, rfq=rfq)
        .select_related("invitation", "invitation__supplier")
        .prefetch_related(
            Prefetch("lines", queryset=SupplierQuoteLine.objects.select_related("rfq_line")),
            "attachments",
        )
        .order_by("id")
    )


@dataclass
class Cell:
    quote_line: SupplierQuoteLine
    unit_price_cny: Decimal | None
    total_cny: Decimal | None
    is_best: bool = False


@dataclass
class SupplierColumn:
    invitation: RfqInvitation
    quote: SupplierQuote
    cells: list[Cell | None]
    total_cny: Decimal = Decimal("0.00")
    total_tax_cny: Decimal = Decimal("0.00")
    lines_quoted: int = 0
    best_count: int = 0
    max_lead_time: int | None = None
    rate_problem: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def grade(self) -> str:
        score = getattr(self.invitation.supplier, "supplier_score", None)
        return score.grade if score else ""


COMPARISON_SORTS = ("total", "grade", "lead_time", "name", "coverage")


def rfq_comparison(*, actor: Actor, rfq: Rfq, sort: str = "total") -> dict[str, Any]:
    """Suppliers × lines: unit prices converted to CNY at the rates valid on the RFQ date, the
    best price per line, totals, lead times and grades."""
    from shangyou.catalog.selectors import convert

    if rfq.company_id != actor.company_id:
        raise NotFound()
    on_date = rfq.issue_date or timezone.localdate(rfq.created_at)
    lines = list(rfq_lines(rfq=rfq))
    quotes = (
        SupplierQuote.objects.filter(company_id=actor.company_id, rfq=rfq)
        .select_related(
            "invitation", "invitation__supplier", "invitation__supplier__supplier_score"
        )
        .prefetch_related("lines", "attachments")
        .order_by("id")
    )
    columns: list[SupplierColumn] = []
    rates: dict[str, Decimal | str] = {}
    for quote in quotes:
        by_line = {row.rfq_line_id: row for row in quote.lines.all()}
        column = SupplierColumn(invitation=quote.invitation, quote=quote, cells=[])
        for line in lines:
            row = by_line.get(line.pk)
            if row is None:
                column.cells.append(None)
                continue
            try:
                unit = convert(
                    actor=actor,
                    amount=row.unit_price,
                    from_currency=quote.currency,
                    to_currency=BASE_CURRENCY,
                    on_date=on_date,
                )
            except ValidationFailed as exc:
                unit = None
                column.rate_problem = str(exc.message)
            total = to_cents(unit * line.quantity) if unit is not None else None
            column.cells.append(Cell(quote_line=row, unit_price_cny=unit, total_cny=total))
            column.lines_quoted += 1
            if total is not None:
                column.total_cny += total
                column.total_tax_cny += to_cents(total * row.tax_rate / 100)
            if row.lead_time_days is not None:
                column.max_lead_time = max(column.max_lead_time or 0, row.lead_time_days)
        columns.append(column)
        rates.setdefault(quote.currency, quote.currency)
    best: list[Decimal | None] = []
    for index, _line in enumerate(lines):
        prices = [
            c.cells[index].unit_price_cny
            for c in columns
            if c.cells[index] is not None and c.cells[index].unit_price_cny is not None
        ]
        low = min(prices) if prices else None
        best.append(low)
        for column in columns:
            cell = column.cells[index]
            if cell is not None and low is not None and cell.unit_price_cny == low:
                cell.is_best = True
                column.best_count += 1
    grade_rank = {"A": 0, "B": 1, "C": 2, "D": 3}
    sort = sort if sort in COMPARISON_SORTS else "total"
    keys = {
        "total": lambda c: (-c.lines_quoted, c.total_cny),
        "coverage": lambda c: (-c.lines_quoted, -c.best_count, c.total_cny),
        "grade": lambda c: (grade_rank.get(c.grade, 9), c.total_cny),
        "lead_time": lambda c: (c.max_lead_time if c.max_lead_time is not None else 10**6,),
        "name": lambda c: (c.invitation.supplier.name,),
    }
    columns.sort(key=keys[sort])
    return {
        "rfq": rfq,
        "currency": BASE_CURRENCY,
        "on_date": on_date,
        "lines": lines,
        "best": best,
        "columns": columns,
        "sort": sort,
        "rows": [
            {
                "line": line,
                "best": best[i],
                "cells": [(column, column.cells[i]) for column in columns],
            }
            for i, line in enumerate(lines)
        ],
    }


# --- incoming RFQs (supplier) -------------------------------------------------------------------
def incoming_list(*, actor: Actor, status: str = "") -> QuerySet[RfqInvitation]:
    """RFQs other companies sent to the actor's company (platform suppliers)."""
    invitations = (
        RfqInvitation.objects.filter(
            supplier_company_id=actor.company_id, rfq__deleted_at__isnull=True
        )
        .exclude(status=RfqInvitation.Status.PENDING)
        .exclude(rfq__status=Rfq.Status.DRAFT)
    )
    if status == "open":
        invitations = invitations.filter(
            rfq__status=Rfq.Status.OPEN,
            rfq__deadline__gt=timezone.now(),
            status__in=("invited", "viewed", "answered"),
        )
    elif status:
        invitations = invitations.filter(status=status)
    return invitations.select_related("rfq", "company").order_by("-invited_at", "-id")


def incoming_get(*, actor: Actor, id: int) -> RfqInvitation:
    invitation = incoming_list(actor=actor).filter(pk=id).first()
    if invitation is None:
        raise NotFound()
    return invitation


def own_quote(*, invitation: RfqInvitation) -> SupplierQuote | None:
    """The invitation's own answer (whoever reached the invitation may see it)."""
    return (
        SupplierQuote.objects.filter(invitation=invitation)
        .prefetch_related("lines", "attachments")
        .first()
    )


def attachment_get(*, actor: Actor, id: int) -> SupplierQuoteAttachment:
    """An answer's attachment: for the buyer, or for the supplier that sent it."""
    attachment = (
        SupplierQuoteAttachment.objects.filter(pk=id)
        .filter(
            Q(company_id=actor.company_id)
            | Q(quote__invitation__supplier_company_id=actor.company_id)
        )
        .select_related("quote", "quote__rfq", "quote__invitation")
        .first()
    )
    if attachment is None:
        raise NotFound()
    if attachment.company_id == actor.company_id:
        rfq_get(actor=actor, id=attachment.quote.rfq_id)  # record rules of the RFQ
    return attachment


# --- purchase orders ----------------------------------------------------------------------------
def purchase_order_list(
    *, actor: Actor, status: str = "", supplier_id: int | None = None, q: str = ""
) -> QuerySet[PurchaseOrder]:
    orders = scope_records(PurchaseOrder.objects.all(), actor=actor)
    if status == "open":
        orders = orders.filter(status__in=PurchaseOrder.OPEN_STATUSES)
    elif status:
        orders = orders.filter(status=status)
    if supplier_id:
        orders = orders.filter(supplier_id=supplier_id)
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(supplier__name__icontains=q))
    return orders.select_related("supplier", "owner", "rfq", "sales_order").order_by(
        "-order_date", "-id"
    )


def purchase_order_get(*, actor: Actor, id: int) -> PurchaseOrder:
    order = purchase_order_list(actor=actor).select_related("invitation").filter(pk=id).first()
    if order is None:
        raise NotFound()
    return order


def purchase_order_lines(*, order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return PurchaseOrderLine.objects.filter(company_id=order.company_id, order=order).order_by(
        "position", "id"
    )


def purchase_order_receipts(*, order: PurchaseOrder) -> QuerySet[GoodsReceipt]:
    return (
        GoodsReceipt.objects.filter(company_id=order.company_id, order=order)
        .select_related("created_by")
        .prefetch_related("lines", "lines__order_line")
        .order_by("-received_on", "-id")
    )


def purchase_order_supplier_status(*, order: PurchaseOrder) -> dict[str, Any] | None:
    """The linked sales order in the supplier's account: its number and status, for the
    buyer's page (read only — the buyer never reaches the supplier's order itself)."""
    if not order.sales_order_id:
        return None
    sales_order = order.sales_order
    return {
        "number": sales_order.number,
        "status": sales_order.status,
        "status_label": sales_order.get_status_display(),
    }


def purchase_orders_for_rfq(*, actor: Actor, rfq: Rfq) -> QuerySet[PurchaseOrder]:
    return purchase_order_list(actor=actor).filter(rfq=rfq)
