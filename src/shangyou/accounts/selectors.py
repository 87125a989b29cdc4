"""Reads for accounts: memberships, teams, invitations, tokens — always scoped to the actor."""

from django.db.models import F, QuerySet
from django.utils import timezone

from shangyou.core.actor import Actor
from shangyou.core.compiled import CompiledQuery
from shangyou.core.errors import NotFound

from .models import ApiToken, Company, Invitation, Membership, Team, User, hash_secret


def actor_for(*, user: User, company_id: int | None = None) -> Actor | None:
    """The actor for `user` in `company_id`, or in their last/first company when not given."""
    memberships = Membership.objects.filter(
        user=user, is_active=True, company__is_active=True
    ).select_related("company")
    if company_id:
        membership = memberships.filter(company_id=company_id).first()
    else:
        membership = None
        if user.last_company_id:
            membership = memberships.filter(company_id=user.last_company_id).first()
        membership = membership or memberships.order_by("created_at", "id").first()
    if membership is None:
        return None
    return actor_from_membership(membership, user=user)


def choose_membership(
    memberships: list[Membership], *, user: User, company_id: int | None = None
) -> Membership | None:
    """What `actor_for` picks, from the user's active memberships already read (with their
    companies): the given company's, else the last company's, else the oldest."""
    if company_id:
        return next((m for m in memberships if m.company_id == company_id), None)
    if user.last_company_id:
        for m in memberships:
            if m.company_id == user.last_company_id:
                return m
    return min(memberships, key=lambda m: (m.created_at, m.pk), default=None)


def actor_from_membership(membership: Membership, *, user: User | None = None) -> Actor:
    return Actor(
        user=user or membership.user,
        company=membership.company,
        role=membership.role,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )


def _token_memberships(key_hash: str) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            user__api_tokens__key_hash=key_hash,
            user__api_tokens__revoked_at__isnull=True,
            user__api_tokens__company_id=F("company_id"),
            user__is_active=True,
            is_active=True,
        )
        .select_related("company", "user")
        .annotate(
            token_id=F("user__api_tokens__id"), token_used=F("user__api_tokens__last_used_at")
        )
        .order_by()[:1]
    )


#: Compiled once per thread: building and compiling this four-table query took longer than
#: running it, on every API request.
_TOKEN_MEMBERSHIP = CompiledQuery(_token_memberships, key_hash=str)


def actor_for_token(*, raw_key: str) -> Actor | None:
    """The actor of an API token that is not revoked, of an active user who is an active
    member of the token's company — read in one statement (every API request asks)."""
    found = _TOKEN_MEMBERSHIP.run(key_hash=hash_secret(raw_key))
    if not found:
        return None
    membership = found[0]
    if (
        membership.token_used is None
        or (timezone.now() - membership.token_used).total_seconds() > 60
    ):
        ApiToken.objects.filter(pk=membership.token_id).update(last_used_at=timezone.now())
    return actor_from_membership(membership)


def user_companies(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, company__is_active=True)
        .select_related("company")
        .order_by("company__name")
    )


def membership_list(*, actor: Actor) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(company_id=actor.company_id)
        .select_related("user", "team")
        .order_by("-is_active", "user__full_name")
    )


def member_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The company's active members as (user id, display name), by name: what an owner or
    assignee picker lists. Plain values, not memberships and users — a list page shows it on
    every request, and building 50 of each took longer than the page's own query. Kept in the
    cache until a membership or a member's name changes (`core.lookups`)."""
    from shangyou.core import lookups

    def load() -> list[tuple[int, str]]:
        rows = (
            Membership.objects.filter(company_id=actor.company_id, is_active=True)
            .order_by("user__full_name", "user_id")
            .values_list("user_id", "user__full_name", "user__email")
        )
        return [(user_id, full_name or email) for user_id, full_name, email in rows]

    return lookups.cached(actor.company_id, "members", load)


def membership_get(*, actor: Actor, id: int) -> Membership:
    membership = membership_list(actor=actor).filter(pk=id).first()
    if membership is None:
        raise NotFound()
    return membership


def team_list(*, actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(company_id=actor.company_id).order_by("name")


def team_get(*, actor: Actor, id: int) -> Team:
    team = team_list(actor=actor).filter(pk=id).first()
    if team is None:
        raise NotFound()
    return team


def invitation_list(*, actor: Actor) -> QuerySet[Invitation]:
    return Invitation.objects.filter(company_id=actor.company_id).select_related(
        "team", "invited_by"
    )


def invitation_get(*, actor: Actor, id: int) -> Invitation:
    invitation = invitation_list(actor=actor).filter(pk=id).first()
    if invitation is None:
        raise NotFound()
    return invitation


def invitation_by_token(*, raw_token: str) -> Invitation:
    invitation = (
        Invitation.objects.filter(token_hash=hash_secret(raw_token))
        .select_related("company", "team")
        .first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(
        user=actor.user, company_id=actor.company_id, revoked_at__isnull=True
    )


def company_get_by_slug(*, slug: str) -> Company:
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        raise NotFound()
    return company
