"""The customer's answer to a quotation (S2): accepted online through the signed link (no
account), or recorded by staff after a phone call.

Accepting creates the confirmed sales order (`orders.services.order_create`) with the
quotation's lines, moves the opportunity to won, tells the quotation's owner and puts it on the
customer's timeline. Declining records the reason and tells the owner too. Online answers act as
the quotation owner's membership (else the company owner's), and the audit log says the
customer answered online.
"""

from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangyou.accounts.models import Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor, Role
from shangyou.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.services import audit_log, model_update, require_write

from .models import Opportunity, Quotation
from .selectors import is_expired, quotation_lines

ANSWERS_PER_WINDOW = 10
WINDOW_SECONDS = 600


def answer_rate_limit(*, token: str, ip: str) -> None:
    """At most ANSWERS_PER_WINDOW answers per link and per address in 10 minutes."""
    for key in (f"qt-answer:t:{token[-40:]}", f"qt-answer:ip:{ip}"):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        if count > ANSWERS_PER_WINDOW:
            raise RateLimited()


def acting_for(quotation: Quotation) -> Actor:
    """Who the online answer acts as: the quotation owner's active membership, else the
    company owner's."""
    memberships = Membership.objects.filter(
        company_id=quotation.company_id, is_active=True
    ).select_related("user", "company")
    membership = None
    if quotation.owner_id:
        membership = (
            memberships.filter(user_id=quotation.owner_id).exclude(role=Role.READONLY).first()
        )
    membership = membership or memberships.filter(role=Role.OWNER).order_by("id").first()
    if membership is None:
        raise NotFound()
    return actor_from_membership(membership)


def answer_problem(quotation: Quotation) -> str:
    """Why the quotation cannot be answered now, or "" when it can."""
    if quotation.status == Quotation.Status.SUPERSEDED:
        return _(
            "This quotation was replaced by a newer revision. Ask %(company)s for the new link."
        ) % {"company": quotation.company.name}
    if quotation.status in (Quotation.Status.ACCEPTED, Quotation.Status.DECLINED):
        return _("This quotation has already been answered.")
    if is_expired(quotation):
        return _("This quotation expired on %(date)s. Ask %(company)s for a new quotation.") % {
            "date": quotation.valid_until.isoformat(),
            "company": quotation.company.name,
        }
    if quotation.status != Quotation.Status.SENT:
        return _("This quotation cannot be answered.")
    return ""


def _lock(quotation: Quotation) -> Quotation:
    locked = (
        Quotation.objects.select_for_update(of=("self",))
        .select_related("customer", "company", "opportunity", "owner")
        .filter(pk=quotation.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    problem = answer_problem(locked)
    if problem:
        raise Conflict(problem)
    return locked


def _notify_owner(*, quotation: Quotation, message, params: dict, actor: Actor | None) -> None:
    """A notification (and email) to the quotation's owner, in their language."""
    from shangyou.collab.services import notify

    if quotation.owner is None:
        return
    notify(
        company=quotation.company,
        user=quotation.owner,
        message=message,
        params=params,
        url=reverse("sales:quotation_detail", args=[quotation.pk]),
        actor_user=actor.user if actor else None,
    )


# Translated in the owner's language when the notification is written.
ACCEPTED = gettext_lazy("%(name)s accepted quotation %(number)s: order %(order)s was created.")
DECLINED = gettext_lazy("%(name)s declined quotation %(number)s: %(reason)s")


@transaction.atomic
def quotation_accept(
    *, quotation: Quotation, name: str, note: str = "", actor: Actor | None = None
):
    """Accept a sent quotation and create its confirmed order; returns (quotation, order).

    `actor` is the staff member recording an answer given by phone; without it the customer
    answered online through the signed link."""
    from shangyou.orders.services import LineInput, order_create

    name = (name or "").strip()
    if not name:
        raise ValidationFailed(
            _("Type your name to accept the quotation."), errors={"name": [_("Required.")]}
        )
    online = actor is None
    if not online:
        require_write(actor)
    quotation = _lock(quotation)
    acting = actor or acting_for(quotation)
    lines = [
        LineInput(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            product_id=line.product_id,
            configuration_id=line.configuration_id,
            sku=line.sku,
            specification=line.specification,
            unit=line.unit,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
        )
        for line in quotation_lines(quotation=quotation)
    ]
    order = order_create(
        actor=acting,
        customer=quotation.customer,
        lines=lines,
        status="confirmed",
        source="quotation",
        quotation=quotation,
        opportunity=quotation.opportunity,
        currency=quotation.currency,
        document_discount_percent=quotation.discount_percent or Decimal(0),
        contact=quotation.contact,
        owner=quotation.owner,
        team=quotation.team,
    )
    now = timezone.now()
    Quotation.objects.filter(pk=quotation.pk).update(
        status=Quotation.Status.ACCEPTED,
        responded_at=now,
        response_name=name[:100],
        response_note=(note or "").strip(),
        updated_at=now,
        version=quotation.version + 1,
    )
    quotation.refresh_from_db()
    how = (
        _("Accepted online by the customer (%(name)s).")
        if online
        else _("Acceptance by %(name)s recorded by staff.")
    ) % {"name": name}
    audit_log(
        actor=acting if not online else None,
        instance=quotation,
        action=AuditEntry.Action.UPDATE,
        changes={"status": ["sent", "accepted"], "order": [None, order.number]},
        note=how,
        company=quotation.company,
    )
    _win_opportunity(actor=acting, quotation=quotation)
    timeline_add(
        actor=None if online else acting,
        customer=quotation.customer,
        kind=TimelineEntry.Kind.QUOTATION,
        subject=_("Quotation %(number)s accepted by %(name)s: order %(order)s")
        % {"number": quotation, "name": name, "order": order.number},
        body=quotation.response_note,
        related=quotation,
        data={"status": "accepted", "order_id": order.pk, "online": online},
    )
    _notify_owner(
        quotation=quotation,
        message=ACCEPTED,
        params={"name": name, "number": str(quotation), "order": order.number},
        actor=actor,
    )
    return quotation, order


def _win_opportunity(*, actor: Actor, quotation: Quotation) -> None:
    from .services import opportunity_move

    if quotation.opportunity_id is None:
        return
    opportunity = Opportunity.objects.filter(pk=quotation.opportunity_id).first()
    if opportunity is None or opportunity.stage == Opportunity.Stage.WON:
        return
    updates = {}
    if not opportunity.amount:
        updates["amount"] = quotation.total
    opportunity = opportunity_move(
        actor=actor,
        opportunity=opportunity,
        stage=Opportunity.Stage.WON,
        version=opportunity.version,
    )
    if updates:
        model_update(
            actor=actor, instance=opportunity, data=updates, expected_version=opportunity.version
        )


@transaction.atomic
def quotation_decline(
    *, quotation: Quotation, reason: str, name: str = "", actor: Actor | None = None
) -> Quotation:
    """Decline a sent quotation with the reason; the owner is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Tell us why you decline, so we can make a better offer."),
            errors={"reason": [_("Required.")]},
        )
    online = actor is None
    if not online:
        require_write(actor)
    quotation = _lock(quotation)
    now = timezone.now()
    Quotation.objects.filter(pk=quotation.pk).update(
        status=Quotation.Status.DECLINED,
        responded_at=now,
        response_name=(name or "").strip()[:100],
        response_note=reason,
        updated_at=now,
        version=quotation.version + 1,
    )
    quotation.refresh_from_db()
    who = quotation.response_name or quotation.customer.name
    audit_log(
        actor=actor,
        instance=quotation,
        action=AuditEntry.Action.UPDATE,
        changes={"status": ["sent", "declined"]},
        note=(
            _("Declined online by the customer: %(reason)s")
            if online
            else _("Refusal recorded by staff: %(reason)s")
        )
        % {"reason": reason},
        company=quotation.company,
    )
    timeline_add(
        actor=actor,
        customer=quotation.customer,
        kind=TimelineEntry.Kind.QUOTATION,
        subject=_("Quotation %(number)s declined by %(name)s") % {"number": quotation, "name": who},
        body=reason,
        related=quotation,
        data={"status": "declined", "online": online},
    )
    _notify_owner(
        quotation=quotation,
        message=DECLINED,
        params={"name": who, "number": str(quotation), "reason": reason},
        actor=actor,
    )
    return quotation
