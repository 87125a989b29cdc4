"""Sending a quotation (S2): by email with the PDF attached and the signed acceptance link, or
as a platform message when the customer is a company on the platform. Either way the quotation
becomes `sent` and the customer's timeline says so.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.services import ensure_can_sell
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, ValidationFailed
from shangyou.core.mail import COMPANY_HEADER
from shangyou.core.services import model_update, require_write

from .models import Quotation
from .pdf import pdf_filename, quotation_pdf
from .selectors import is_expired, quotation_lines, quotation_token

CHANNELS = ("email", "platform")
SENDABLE = (Quotation.Status.DRAFT, Quotation.Status.SENT)


def public_link(quotation: Quotation) -> str:
    """The absolute signed link the customer opens to read and answer the quotation."""
    path = reverse("sales:public_quotation", args=[quotation_token(quotation)])
    return settings.SITE_URL.rstrip("/") + path


def default_recipient(quotation: Quotation) -> str:
    if quotation.contact and quotation.contact.email:
        return quotation.contact.email
    return quotation.customer.email


@transaction.atomic
def quotation_send(
    *,
    actor: Actor,
    quotation: Quotation,
    channel: str = "email",
    to: str = "",
    message: str = "",
) -> Quotation:
    """Send a draft (or send a sent quotation again) to the customer: `email` to `to` (default:
    the contact's or customer's address) or `platform` to the customer's platform company."""
    require_write(actor)
    ensure_can_sell(quotation.customer)
    if channel not in CHANNELS:
        raise ValidationFailed(
            _("Send by email or as a platform message."), errors={"channel": [_("Unknown.")]}
        )
    if quotation.status not in SENDABLE:
        raise Conflict(
            _("Quotation %(number)s is %(status)s: make a new revision to send it again.")
            % {"number": quotation, "status": quotation.get_status_display()}
        )
    if is_expired(quotation):
        raise Conflict(
            _("Quotation %(number)s expired on %(date)s. Change its validity date first.")
            % {"number": quotation, "date": quotation.valid_until.isoformat()}
        )
    lines = list(quotation_lines(quotation=quotation))
    if not lines:
        raise ValidationFailed(_("Add at least one line before sending the quotation."))
    link = public_link(quotation)
    pdf = quotation_pdf(quotation=quotation, lines=lines, link=link)
    if channel == "email":
        to = (to or default_recipient(quotation)).strip()
        _send_email(actor=actor, quotation=quotation, to=to, message=message, pdf=pdf, link=link)
        where = to
    else:
        where = _send_platform(
            actor=actor, quotation=quotation, message=message, pdf=pdf, link=link
        )
    now = timezone.now()
    quotation, _changes = model_update(
        actor=actor,
        instance=quotation,
        data={"status": Quotation.Status.SENT, "sent_at": now},
        expected_version=quotation.version,
    )
    timeline_add(
        actor=actor,
        customer=quotation.customer,
        kind=TimelineEntry.Kind.QUOTATION,
        subject=_("Quotation %(number)s sent to %(to)s: %(currency)s %(total)s")
        % {
            "number": quotation,
            "to": where,
            "currency": quotation.currency,
            "total": quotation.total,
        },
        body=message,
        related=quotation,
        contact_id=quotation.contact_id,
        data={"status": quotation.status, "channel": channel, "to": where},
    )
    return quotation


def _context(*, actor: Actor, quotation: Quotation, message: str, link: str) -> dict:
    return {
        "quotation": quotation,
        "company": quotation.company,
        "customer": quotation.customer,
        "contact": quotation.contact,
        "sender": actor.user,
        "message": message.strip(),
        "link": link,
    }


def _send_email(
    *, actor: Actor, quotation: Quotation, to: str, message: str, pdf: bytes, link: str
) -> None:
    if not to:
        raise ValidationFailed(
            _("The customer has no email address: type the one to send to."),
            errors={"to": [_("Required.")]},
        )
    try:
        validate_email(to)
    except Exception as exc:  # noqa: BLE001 - django's ValidationError
        raise ValidationFailed(
            _("“%(to)s” is not an email address.") % {"to": to},
            errors={"to": [_("Enter a valid email address.")]},
        ) from exc
    context = _context(actor=actor, quotation=quotation, message=message, link=link)
    with translation.override(quotation.language):
        subject = render_to_string("sales/email/quotation_subject.txt", context).strip()
        body = render_to_string("sales/email/quotation_body.txt", context)
        html = render_to_string("sales/email/quotation_body.html", context)
    email = EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        to=[to],
        reply_to=[actor.user.email] if actor.user.email else None,
        headers={COMPANY_HEADER: str(quotation.company_id)},
    )
    email.attach_alternative(html, "text/html")
    email.attach(pdf_filename(quotation), pdf, "application/pdf")
    email.send()


def _send_platform(
    *, actor: Actor, quotation: Quotation, message: str, pdf: bytes, link: str
) -> str:
    from shangyou.network.services import conversation_start, message_send

    other = quotation.customer.platform_company
    if other is None:
        raise ValidationFailed(
            _("%(name)s is not linked to a company on the platform: send the quotation by email.")
            % {"name": quotation.customer.name},
            errors={"channel": [_("Not on the platform.")]},
        )
    context = _context(actor=actor, quotation=quotation, message=message, link=link)
    with translation.override(quotation.language):
        subject = render_to_string("sales/email/quotation_subject.txt", context).strip()
        body = render_to_string("sales/email/quotation_body.txt", context).strip()
    conversation = conversation_start(
        actor=actor,
        company_id=other.pk,
        subject=" ".join(subject.split()),
        body=body,
        quoted={"kind": "quotation", "id": quotation.pk, "text": str(quotation)},
    )
    message_send(
        actor=actor,
        conversation=conversation,
        body="",
        attachment=SimpleUploadedFile(pdf_filename(quotation), pdf, "application/pdf"),
    )
    return other.name
