"""The signed link an external supplier answers an RFQ through, without an account (B2).

The token is `django.core.signing` output (salted, timestamped) of the invitation's id and its
random `access_key`: it opens that one invitation only, expires after LINK_MAX_AGE, and a
tampered or foreign token opens nothing. Answers are also refused after the RFQ's deadline
(see `services.answer_problem`). Requests are rate-limited per address and per link.
"""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from shangyou.core.errors import NotFound, RateLimited

from .models import Rfq, RfqInvitation

SALT = "shangyou.purchasing.rfq-invitation"
LINK_MAX_AGE = 90 * 24 * 3600
REQUESTS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def invitation_token(invitation: RfqInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "k": invitation.access_key}, salt=SALT)


def invitation_link(invitation: RfqInvitation) -> str:
    path = reverse("purchasing:public_answer", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


def _invalid() -> NotFound:
    return NotFound(
        _("This link is not valid or has expired. Ask the buyer who invited you for a new link.")
    )


def invitation_from_token(token: str) -> RfqInvitation:
    """The external invitation the token opens, or NotFound (bad, tampered, expired)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise _invalid() from exc
    except signing.BadSignature as exc:
        raise _invalid() from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        raise _invalid()
    invitation = (
        RfqInvitation.objects.select_related("rfq", "rfq__company", "supplier", "company")
        .filter(pk=payload["i"], supplier_company__isnull=True, rfq__deleted_at__isnull=True)
        .exclude(status=RfqInvitation.Status.PENDING)
        .exclude(rfq__status=Rfq.Status.DRAFT)
        .first()
    )
    if invitation is None or not constant_time_compare(
        invitation.access_key, str(payload.get("k", ""))
    ):
        raise _invalid()
    return invitation


def public_rate_limit(*, token: str, ip: str) -> None:
    """At most REQUESTS_PER_WINDOW requests per link and per address in 10 minutes."""
    for key in (f"rfq-link:t:{token[-40:]}", f"rfq-link:ip:{ip}"):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        if count > REQUESTS_PER_WINDOW:
            raise RateLimited()
