"""Email: every message is kept in the outbox table and, when EMAIL_HOST is set, delivered over
SMTP with Django's SMTP backend. In development (no EMAIL_HOST) the outbox is the mailbox: a
company's owner reads it in the UI."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)
COMPANY_HEADER = "X-Shangyou-Company"


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import OutboxMessage

        smtp = SMTPBackend(fail_silently=self.fail_silently) if settings.EMAIL_HOST else None
        sent = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = content
            company_id = message.extra_headers.get(COMPANY_HEADER)
            record = OutboxMessage.objects.create(
                company_id=int(company_id) if company_id else None,
                from_email=message.from_email,
                to=list(message.to) + list(message.cc) + list(message.bcc),
                subject=message.subject,
                body=message.body,
                html=html,
            )
            if smtp is None:
                sent += 1
                continue
            try:
                smtp.send_messages([message])
            except Exception as exc:
                OutboxMessage.objects.filter(pk=record.pk).update(error=str(exc)[:2000])
                logger.warning("SMTP delivery failed for %s: %s", message.to, exc)
                if not self.fail_silently:
                    raise
            else:
                OutboxMessage.objects.filter(pk=record.pk).update(delivered=True)
                sent += 1
        return sent


def send_templated_mail(
    *,
    to: list[str],
    template: str,
    context: dict,
    company=None,
    language: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render `templates/<template>_subject.txt`, `_body.txt` and `_body.html` and send them."""
    with translation.override(language or translation.get_language()):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
        html = render_to_string(f"{template}_body.html", context)
    headers = {COMPANY_HEADER: str(company.pk)} if company else {}
    message = EmailMultiAlternatives(subject, body, to=to, headers=headers, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()
