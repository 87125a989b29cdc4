"""The customer timeline (C4): every interaction on one table, read with one query.

Other modules (sales, service, marketing, the platform) add their entries with `timeline_add`
and name the record they mirror (`related`), so the customer's page shows everything.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor
from shangyou.core.errors import ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.services import require_write

from .models import Customer, TimelineEntry

# Kinds that count as contact with the customer (for follow-up reminders, 忘单).
INTERACTIONS = {
    TimelineEntry.Kind.CALL,
    TimelineEntry.Kind.VISIT,
    TimelineEntry.Kind.EMAIL_OUT,
    TimelineEntry.Kind.EMAIL_IN,
    TimelineEntry.Kind.MESSAGE,
    TimelineEntry.Kind.QUOTATION,
    TimelineEntry.Kind.ORDER,
}
MANUAL_KINDS = {
    TimelineEntry.Kind.NOTE,
    TimelineEntry.Kind.CALL,
    TimelineEntry.Kind.VISIT,
    TimelineEntry.Kind.EMAIL_IN,
}


def timeline_add(
    *,
    actor: Actor | None,
    customer: Customer,
    kind: str,
    subject: str = "",
    body: str = "",
    occurred_at=None,
    related: models.Model | None = None,
    contact_id: int | None = None,
    data: dict[str, Any] | None = None,
    company=None,
) -> TimelineEntry:
    occurred_at = occurred_at or timezone.now()
    entry = TimelineEntry.objects.create(
        company=company or customer.company,
        customer=customer,
        contact_id=contact_id,
        kind=kind,
        occurred_at=occurred_at,
        author=actor.user if actor else None,
        created_by=actor.user if actor else None,
        subject=subject[:300],
        body=body,
        related_type=ContentType.objects.get_for_model(related) if related else None,
        related_id=related.pk if related else None,
        data=data or {},
    )
    if kind in INTERACTIONS:
        Customer.all_objects.filter(pk=customer.pk).filter(
            models.Q(last_contacted_at__isnull=True) | models.Q(last_contacted_at__lt=occurred_at)
        ).update(last_contacted_at=occurred_at)
    return entry


def timeline_log(
    *,
    actor: Actor,
    customer: Customer,
    kind: str,
    subject: str = "",
    body: str = "",
    occurred_at=None,
    contact_id: int | None = None,
) -> TimelineEntry:
    """A note, call, visit or received email entered by a person."""
    require_write(actor)
    if kind not in MANUAL_KINDS:
        raise ValidationFailed(_("Choose a note, a call, a visit or a received email."))
    if not (subject.strip() or body.strip()):
        raise ValidationFailed(_("Write something first."), errors={"body": [_("Required.")]})
    if contact_id and not customer.contacts.filter(pk=contact_id).exists():
        raise ValidationFailed(_("Choose a contact of this customer."))
    return timeline_add(
        actor=actor,
        customer=customer,
        kind=kind,
        subject=subject.strip(),
        body=body.strip(),
        occurred_at=occurred_at,
        contact_id=contact_id,
    )


def timeline_list(
    *, actor: Actor, customer: Customer, kinds: list[str] | None = None
) -> QuerySet[TimelineEntry]:
    """The customer's timeline, newest first (the customer was fetched through its selector)."""
    entries = TimelineEntry.objects.filter(company_id=actor.company_id, customer_id=customer.pk)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return entries.select_related("author", "contact").order_by("-occurred_at", "-id")


def customer_email_send(
    *, actor: Actor, customer: Customer, to: str, subject: str, body: str
) -> TimelineEntry:
    """Write and send an email from the customer record (C7), logged on the timeline."""
    require_write(actor)
    to = (to or customer.email).strip()
    if not to:
        raise ValidationFailed(
            _("This customer has no email address."), errors={"to": [_("Required.")]}
        )
    if not subject.strip():
        raise ValidationFailed(_("Give the email a subject."), errors={"subject": [_("Required.")]})
    if not customer.consent_email:
        raise ValidationFailed(_("%(name)s does not accept emails.") % {"name": customer.name})
    send_templated_mail(
        to=[to],
        template="contacts/email/customer",
        context={"subject": subject, "body": body, "sender": actor.user, "company": actor.company},
        company=actor.company,
        reply_to=[actor.user.email],
    )
    return timeline_add(
        actor=actor,
        customer=customer,
        kind=TimelineEntry.Kind.EMAIL_OUT,
        subject=subject,
        body=body,
        data={"to": to},
    )
