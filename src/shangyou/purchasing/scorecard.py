"""Supplier scorecards and grades (B1).

Four components, each 0–100, over the last SCORE_DAYS days:

- price competitiveness: for every RFQ line the supplier priced beside at least one other
  supplier, best price ÷ its price (in CNY at the RFQ date's rates), averaged;
- on-time delivery: the share of received purchase-order lines that arrived by their required
  date (or by the order date + the quoted lead time);
- quality: from service cases once the service app exists — `QUALITY_PROVIDERS` is the hook
  (a provider returns a 0–100 score or None for "no data");
- response: the share of invitations answered, less up to half for answering late in the
  window (answering at once scores 100, at the deadline 50, never 0).

The score is the weighted mean of the components that have data (weights `WEIGHTS`), plus the
manual adjustment (−30…+30), bounded to 0–100. Grades: A ≥ 85, B ≥ 70, C ≥ 55, else D; a grade
set by hand is kept until it is cleared.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor, Role
from shangyou.core.errors import PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.services import audit_log, require_write

from .models import GoodsReceiptLine, RfqInvitation, SupplierQuoteLine, SupplierScore

SCORE_DAYS = 365
WEIGHTS = {
    "price": Decimal(35),
    "delivery": Decimal(35),
    "quality": Decimal(15),
    "response": Decimal(15),
}
GRADE_FLOORS = (("A", Decimal(85)), ("B", Decimal(70)), ("C", Decimal(55)))
GOOD_GRADES = ("A", "B")
ONE = Decimal("0.1")

# Hook for the service app: callables (company, supplier) -> Decimal 0–100 | None.
QUALITY_PROVIDERS: list[Callable[..., Decimal | None]] = []


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE, rounding=ROUND_HALF_UP)


def grade_for(score: Decimal | None) -> str:
    if score is None:
        return ""
    for grade, floor in GRADE_FLOORS:
        if score >= floor:
            return grade
    return "D"


def _system_actor(company) -> Actor:
    """A read-only context for currency conversion (rates are the company's); never writes."""
    return Actor(user=None, company=company, role=Role.READONLY)  # type: ignore[arg-type]


def price_component(*, company, supplier: Customer, since) -> tuple[Decimal | None, dict]:
    from shangyou.catalog.selectors import convert

    actor = _system_actor(company)
    mine = list(
        SupplierQuoteLine.objects.filter(
            company=company,
            quote__invitation__supplier=supplier,
            quote__submitted_at__gte=since,
        ).select_related("quote", "quote__rfq")
    )
    if not mine:
        return None, {"lines": 0}
    line_ids = {row.rfq_line_id for row in mine}
    others: dict[int, list[SupplierQuoteLine]] = {}
    for row in SupplierQuoteLine.objects.filter(
        company=company, rfq_line_id__in=line_ids
    ).select_related("quote", "quote__rfq"):
        others.setdefault(row.rfq_line_id, []).append(row)

    def cny(row: SupplierQuoteLine) -> Decimal | None:
        try:
            return convert(
                actor=actor,
                amount=row.unit_price,
                from_currency=row.quote.currency,
                to_currency="CNY",
                on_date=row.quote.rfq.issue_date,
            )
        except ValidationFailed:
            return None

    ratios = []
    for row in mine:
        competing = others.get(row.rfq_line_id, [])
        if len(competing) < 2:
            continue
        prices = [p for p in (cny(r) for r in competing) if p is not None]
        own = cny(row)
        if own is None or len(prices) < 2:
            continue
        best = min(prices)
        ratios.append(Decimal(100) if own <= 0 else Decimal(100) * best / own)
    if not ratios:
        return None, {"lines": 0}
    return _round(sum(ratios) / len(ratios)), {"lines": len(ratios)}


def delivery_component(*, company, supplier: Customer, since) -> tuple[Decimal | None, dict]:
    rows = GoodsReceiptLine.objects.filter(
        company=company,
        order_line__order__supplier=supplier,
        receipt__received_on__gte=since.date(),
        receipt__deleted_at__isnull=True,
    ).select_related("receipt", "order_line", "order_line__order")
    total = on_time = 0
    for row in rows:
        line = row.order_line
        due = line.required_date
        if due is None and line.lead_time_days is not None:
            due = line.order.order_date + timedelta(days=line.lead_time_days)
        total += 1
        if due is None or row.receipt.received_on <= due:
            on_time += 1
    if not total:
        return None, {"receipts": 0}
    return _round(Decimal(100) * on_time / total), {"receipts": total, "on_time": on_time}


def quality_component(*, company, supplier: Customer) -> tuple[Decimal | None, dict]:
    scores = [
        s
        for s in (p(company=company, supplier=supplier) for p in QUALITY_PROVIDERS)
        if s is not None
    ]
    if not scores:
        return None, {}
    return _round(sum(Decimal(s) for s in scores) / len(scores)), {"sources": len(scores)}


def response_component(*, company, supplier: Customer, since, now) -> tuple[Decimal | None, dict]:
    invitations = RfqInvitation.objects.filter(
        company=company, supplier=supplier, invited_at__gte=since
    ).select_related("rfq")
    counted = answered = 0
    fractions = []
    for inv in invitations:
        if inv.status == RfqInvitation.Status.ANSWERED and inv.answered_at:
            counted += 1
            answered += 1
            window = (inv.rfq.deadline - inv.invited_at).total_seconds()
            used = (inv.answered_at - inv.invited_at).total_seconds()
            fractions.append(min(max(used / window, 0.0), 1.0) if window > 0 else 1.0)
        elif inv.status == RfqInvitation.Status.DECLINED or inv.rfq.deadline <= now:
            counted += 1
    if not counted:
        return None, {"invitations": 0}
    rate = Decimal(answered) / counted
    speed = Decimal(1) - Decimal(str(sum(fractions) / len(fractions))) / 2 if fractions else 0
    return _round(Decimal(100) * rate * Decimal(speed)), {
        "invitations": counted,
        "answered": answered,
    }


def _combine(components: dict[str, Decimal | None], adjustment: int) -> Decimal | None:
    present = {k: v for k, v in components.items() if v is not None}
    if not present:
        return None
    weight = sum(WEIGHTS[k] for k in present)
    base = sum(WEIGHTS[k] * v for k, v in present.items()) / weight
    return _round(min(max(base + adjustment, Decimal(0)), Decimal(100)))


def _score_row(*, company, supplier: Customer) -> SupplierScore:
    score = SupplierScore.all_objects.filter(company=company, supplier=supplier).first()
    if score is None:
        score = SupplierScore.objects.create(company=company, supplier=supplier)
    return score


@transaction.atomic
def supplier_score_refresh(*, company, supplier: Customer, now=None) -> SupplierScore:
    """Recompute one supplier's scorecard (after an answer, a receipt; daily for all)."""
    now = now or timezone.now()
    since = now - timedelta(days=SCORE_DAYS)
    score = _score_row(company=company, supplier=supplier)
    price, price_info = price_component(company=company, supplier=supplier, since=since)
    delivery, delivery_info = delivery_component(company=company, supplier=supplier, since=since)
    quality, quality_info = quality_component(company=company, supplier=supplier)
    response, response_info = response_component(
        company=company, supplier=supplier, since=since, now=now
    )
    components = {"price": price, "delivery": delivery, "quality": quality, "response": response}
    total = _combine(components, score.adjustment)
    values: dict[str, Any] = {
        "price_score": price,
        "delivery_score": delivery,
        "quality_score": quality,
        "response_score": response,
        "score": total,
        "figures": {
            "price": price_info,
            "delivery": delivery_info,
            "quality": quality_info,
            "response": response_info,
        },
        "computed_at": now,
    }
    if not score.grade_locked:
        values["grade"] = grade_for(total)
    SupplierScore.all_objects.filter(pk=score.pk).update(**values)
    for key, value in values.items():
        setattr(score, key, value)
    return score


def supplier_scores_refresh_all(*, now=None) -> int:
    """Every supplier of every company (daily)."""
    count = 0
    suppliers = Customer.objects.filter(is_supplier=True).select_related("company").order_by("id")
    for supplier in suppliers.iterator(chunk_size=500):
        supplier_score_refresh(company=supplier.company, supplier=supplier, now=now)
        count += 1
    return count


@transaction.atomic
def supplier_score_adjust(
    *,
    actor: Actor,
    supplier: Customer,
    adjustment: int,
    reason: str = "",
    grade: str | None = None,
) -> SupplierScore:
    """Manual adjustment of the score (−30…+30, with a reason) and, optionally, a grade set by
    hand (`grade=""` gives the grade back to the computation). Managers and administrators."""
    require_write(actor)
    if actor.sees_own_records_only:
        raise PermissionDenied(
            _("Only a manager or an administrator can adjust a supplier's score.")
        )
    if not supplier.is_supplier or supplier.company_id != actor.company_id:
        raise ValidationFailed(_("This record does not have the supplier role."))
    try:
        adjustment = int(adjustment)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("The adjustment is a whole number from -30 to 30."),
            errors={"adjustment": [_("Enter a whole number.")]},
        ) from exc
    if not -30 <= adjustment <= 30:
        raise ValidationFailed(
            _("The adjustment is a whole number from -30 to 30."),
            errors={"adjustment": [_("From -30 to 30.")]},
        )
    if adjustment and not reason.strip():
        raise ValidationFailed(
            _("Say why the score is adjusted."), errors={"reason": [_("Required.")]}
        )
    if grade not in (None, "") and grade not in SupplierScore.Grade.values:
        raise ValidationFailed(
            _("Choose grade A, B, C or D."), errors={"grade": [_("Unknown grade.")]}
        )
    score = _score_row(company=actor.company, supplier=supplier)
    before = {
        "adjustment": score.adjustment,
        "grade": score.grade if score.grade_locked else "",
    }
    values: dict[str, Any] = {"adjustment": adjustment, "adjustment_reason": reason.strip()[:300]}
    if grade is not None:
        values["grade_locked"] = bool(grade)
        if grade:
            values["grade"] = grade
    SupplierScore.all_objects.filter(pk=score.pk).update(**values)
    after = {"adjustment": adjustment, "grade": grade if grade is not None else before["grade"]}
    audit_log(
        actor=actor,
        instance=supplier,
        action=AuditEntry.Action.UPDATE,
        changes={f"supplier_{k}": [before[k], after[k]] for k in before if before[k] != after[k]},
        note=reason.strip()[:300],
    )
    return supplier_score_refresh(company=actor.company, supplier=supplier)
