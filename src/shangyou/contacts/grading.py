"""Customer grades (M2): rules over spend and order count in a period, applied by a periodic
task; a grade set by hand wins and is kept (and audited).

Spend and order counts come from `METRICS_PROVIDERS`: the sales module registers one that reads
completed orders; without one, every customer has spent nothing.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Company
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict
from shangyou.core.models import AuditEntry
from shangyou.core.services import audit_log, model_create, model_update, require_admin, soft_delete

from .models import Customer, Grade

# callable(company_id, since) -> {customer_id: (spend: Decimal, orders: int)}
METRICS_PROVIDERS: list[Callable[[int, datetime], dict[int, tuple[Decimal, int]]]] = []
GRADE_FIELDS = ("code", "name", "rank", "min_spend", "min_orders", "period_days", "color")


def grade_create(*, actor: Actor, data: dict[str, Any]) -> Grade:
    require_admin(actor)
    fields = {k: v for k, v in data.items() if k in GRADE_FIELDS}
    if Grade.objects.filter(company_id=actor.company_id, code=fields.get("code", "")).exists():
        raise Conflict(_("A grade with this code already exists."))
    return model_create(actor=actor, instance=Grade(**fields))


def grade_update(*, actor: Actor, grade: Grade, data: dict[str, Any], version: int | None) -> Grade:
    require_admin(actor)
    fields = {k: v for k, v in data.items() if k in GRADE_FIELDS}
    grade, _changes = model_update(
        actor=actor, instance=grade, data=fields, expected_version=version
    )
    return grade


def grade_delete(*, actor: Actor, grade: Grade) -> None:
    require_admin(actor)
    soft_delete(actor=actor, instance=grade)


def customer_metrics(company_id: int, since: datetime) -> dict[int, tuple[Decimal, int]]:
    totals: dict[int, tuple[Decimal, int]] = {}
    for provider in METRICS_PROVIDERS:
        for customer_id, (spend, orders) in provider(company_id, since).items():
            old_spend, old_orders = totals.get(customer_id, (Decimal(0), 0))
            totals[customer_id] = (old_spend + spend, old_orders + orders)
    return totals


def grade_for(grades: list[Grade], spend: Decimal, orders: int) -> Grade | None:
    """The best grade whose rule the figures meet (a rule with no thresholds matches all)."""
    for grade in grades:
        if grade.min_spend is not None and spend < grade.min_spend:
            continue
        if grade.min_orders is not None and orders < grade.min_orders:
            continue
        return grade
    return None


@transaction.atomic
def regrade_company(*, company: Company, now: datetime | None = None) -> int:
    """Recompute the grade of every customer not graded by hand. Returns how many changed."""
    now = now or timezone.now()
    grades = list(Grade.objects.filter(company=company).order_by("rank", "code"))
    if not grades:
        return 0
    period = max(g.period_days for g in grades)
    metrics = customer_metrics(company.pk, now - timedelta(days=period))
    changed = 0
    customers: QuerySet[Customer] = Customer.objects.filter(
        company=company, grade_locked=False, is_customer=True
    ).only("pk", "grade_id", "name", "company_id")
    for customer in customers.iterator(chunk_size=1000):
        spend, orders = metrics.get(customer.pk, (Decimal(0), 0))
        grade = grade_for(grades, spend, orders)
        new_id = grade.pk if grade else None
        if new_id != customer.grade_id:
            Customer.objects.filter(pk=customer.pk).update(grade_id=new_id, updated_at=now)
            audit_log(
                actor=None,
                instance=customer,
                action=AuditEntry.Action.UPDATE,
                changes={"grade": [customer.grade_id, new_id]},
                note=_("Grade recomputed (spend %(spend)s, %(orders)d orders)")
                % {"spend": spend, "orders": orders},
                company=company,
            )
            changed += 1
    return changed


def customer_grade_release(*, actor: Actor, customer: Customer) -> Customer:
    """Give a hand-set grade back to the rules."""
    customer, _changes = model_update(
        actor=actor,
        instance=customer,
        data={"grade_locked": False},
        expected_version=customer.version,
    )
    return customer
