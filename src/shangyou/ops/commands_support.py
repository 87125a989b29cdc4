"""Helpers shared by the data commands (import, export)."""

from django.core.management.base import CommandError

from shangyou.accounts.models import Company, Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.core.actor import Role


def actor_for_command(slug: str, email: str = ""):
    """The acting member for a command: the given user, or the company's first owner."""
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        raise CommandError(f"no company with slug {slug!r}")
    members = Membership.objects.filter(company=company, is_active=True).select_related(
        "user", "company"
    )
    membership = (
        members.filter(user__email=email.lower()).first()
        if email
        else members.filter(role=Role.OWNER).order_by("id").first()
    )
    if membership is None:
        raise CommandError(f"no active member {email or '(owner)'} in {slug}")
    return actor_from_membership(membership)
