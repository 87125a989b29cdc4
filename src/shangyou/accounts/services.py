"""Writes for accounts: registration, companies, invitations, memberships, teams, tokens,
login throttling."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from shangyou.core.actor import Actor, Role
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.models import AuditEntry
from shangyou.core.services import audit_log, model_create, model_update, require_admin

from .models import (
    ApiToken,
    Company,
    Invitation,
    Membership,
    PendingRegistration,
    Team,
    User,
    hash_secret,
)
from .selectors import invitation_by_token

REGISTRATION_SALT = "shangyou.registration"
# Called with each new company; apps above accounts register here (the platform creates the
# company's public profile) so accounts does not depend on them.
COMPANY_CREATED_HOOKS: list = []


def _company_created(company: Company) -> None:
    for hook in COMPANY_CREATED_HOOKS:
        hook(company)


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter a valid email address."), errors={"email": [_("Enter a valid email address.")]}
        ) from exc
    return email


def _check_password(password: str, *, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], errors={"password": exc.messages}) from exc


def unique_company_slug(name: str) -> str:
    base = slugify("-".join(lazy_pinyin(name)))[:50] or "company"
    slug, n = base, 1
    while Company.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- registration (M1) --------------------------------------------------------------------------
def registration_start(
    *,
    email: str,
    password: str,
    full_name: str,
    company_name: str,
    member_type: str,
    language: str = "",
) -> PendingRegistration:
    """Record a sign-up and email its verification link; nothing is created until verified."""
    email = _clean_email(email)
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = [_("Enter your name.")]
    if not company_name.strip():
        errors["company_name"] = [_("Enter your company's name.")]
    if member_type not in Company.MemberType.values:
        errors["member_type"] = [_("Choose buyer, supplier or both.")]
    if User.objects.filter(email=email).exists():
        errors["email"] = [
            _("An account with this email already exists. Sign in, or reset your password.")
        ]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    _check_password(password, user=User(email=email, full_name=full_name))
    pending = PendingRegistration.objects.create(
        email=email,
        full_name=full_name.strip(),
        password_hash=make_password(password),
        company_name=company_name.strip(),
        member_type=member_type,
        language=language,
    )
    token = signing.dumps({"r": pending.pk}, salt=REGISTRATION_SALT)
    link = settings.SITE_URL + reverse("accounts:register_verify", args=[token])
    send_templated_mail(
        to=[email],
        template="accounts/email/verify",
        context={"pending": pending, "link": link},
        language=language or None,
    )
    return pending


@transaction.atomic
def registration_verify(*, token: str) -> tuple[User, Company]:
    """Verify the email link: create the user, the company and the owner membership."""
    try:
        data = signing.loads(
            token, salt=REGISTRATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            _("This verification link has expired. Please register again.")
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This verification link is not valid.")) from exc
    pending = PendingRegistration.objects.select_for_update().filter(pk=data.get("r")).first()
    if pending is None:
        raise NotFound(_("This verification link is not valid."))
    if pending.completed_at:
        raise Conflict(_("This email address is already verified. Please sign in."))
    if User.objects.filter(email=pending.email).exists():
        raise Conflict(_("An account with this email already exists. Please sign in."))
    user = User(email=pending.email, full_name=pending.full_name, language=pending.language)
    user.password = pending.password_hash
    user.save()
    company = Company.objects.create(
        name=pending.company_name,
        slug=unique_company_slug(pending.company_name),
        member_type=pending.member_type,
    )
    Membership.objects.create(company=company, user=user, role=Role.OWNER)
    _company_created(company)
    user.last_company = company
    user.save(update_fields=["last_company"])
    pending.completed_at = timezone.now()
    pending.save(update_fields=["completed_at"])
    actor = Actor(user=user, company=company, role=Role.OWNER)
    audit_log(actor=actor, instance=company, action=AuditEntry.Action.CREATE, note=_("Registered"))
    return user, company


@transaction.atomic
def company_create(
    *,
    name: str,
    slug: str = "",
    owner_email: str,
    owner_password: str | None = None,
    owner_name: str = "",
    member_type: str = Company.MemberType.BOTH,
) -> Company:
    """Create a company with its owner (CLI, demo, platform staff). An existing user is reused."""
    owner_email = _clean_email(owner_email)
    slug = slug or unique_company_slug(name)
    if Company.objects.filter(slug=slug).exists():
        raise Conflict(
            _("A company with the short name “%(slug)s” already exists.") % {"slug": slug}
        )
    if member_type not in Company.MemberType.values:
        raise ValidationFailed(_("Choose buyer, supplier or both."))
    company = Company.objects.create(name=name, slug=slug, member_type=member_type)
    user = User.objects.filter(email=owner_email).first()
    if user is None:
        if not owner_password:
            raise ValidationFailed(_("A password is needed for a new owner."))
        user = User.objects.create_user(
            owner_email, owner_password, full_name=owner_name or owner_email.split("@")[0]
        )
    Membership.objects.create(company=company, user=user, role=Role.OWNER)
    _company_created(company)
    if user.last_company_id is None:
        user.last_company = company
        user.save(update_fields=["last_company"])
    audit_log(
        actor=Actor(user=user, company=company, role=Role.OWNER),
        instance=company,
        action=AuditEntry.Action.CREATE,
    )
    return company


def company_switch(*, user: User, company_id: int) -> Actor:
    from .selectors import actor_for

    actor = actor_for(user=user, company_id=company_id)
    if actor is None:
        raise NotFound(_("You are not a member of that company."))
    User.objects.filter(pk=user.pk).update(last_company_id=company_id)
    user.last_company_id = company_id
    return actor


# --- invitations --------------------------------------------------------------------------------
def invitation_create(
    *, actor: Actor, email: str, role: str = Role.SALES, team_id: int | None = None
) -> Invitation:
    require_admin(actor)
    email = _clean_email(email)
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role."), errors={"role": [_("Choose a role.")]})
    if role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can invite another owner."))
    if Membership.objects.filter(company_id=actor.company_id, user__email=email).exists():
        raise Conflict(_("%(email)s is already a member of this company.") % {"email": email})
    team = Team.objects.filter(company_id=actor.company_id, pk=team_id).first() if team_id else None
    if team_id and team is None:
        raise ValidationFailed(_("Choose a team of this company."))
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=actor.company,
        email=email,
        role=role,
        team=team,
        invited_by=actor.user,
        token_hash=hash_secret(raw),
        expires_at=timezone.now() + timedelta(seconds=settings.INVITATION_MAX_AGE),
    )
    audit_log(
        actor=actor,
        instance=invitation,
        action=AuditEntry.Action.CREATE,
        changes={"email": [None, email], "role": [None, role]},
    )
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[raw])
    send_templated_mail(
        to=[email],
        template="accounts/email/invitation",
        context={"invitation": invitation, "link": link, "inviter": actor.user},
        company=actor.company,
    )
    return invitation


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    require_admin(actor)
    if invitation.company_id != actor.company_id:
        raise NotFound()
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_log(actor=actor, instance=invitation, action=AuditEntry.Action.DELETE)


@transaction.atomic
def invitation_accept(
    *,
    raw_token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Accept an invitation: as the signed-in `user`, or by creating an account for its email."""
    invitation = invitation_by_token(raw_token=raw_token)
    if not invitation.is_open:
        raise Conflict(_("This invitation has expired or was already used."))
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise Conflict(_("An account with this email exists: sign in to accept."))
        if not full_name.strip():
            raise ValidationFailed(
                _("Enter your name."), errors={"full_name": [_("Enter your name.")]}
            )
        _check_password(password, user=User(email=invitation.email, full_name=full_name))
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    elif user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Sign in with that address.")
            % {"email": invitation.email}
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                company=invitation.company, user=user, role=invitation.role, team=invitation.team
            )
    except IntegrityError as exc:
        raise Conflict(_("You are already a member of this company.")) from exc
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    user.last_company = invitation.company
    user.save(update_fields=["last_company"])
    audit_log(
        actor=Actor(user=user, company=invitation.company, role=invitation.role),
        instance=membership,
        action=AuditEntry.Action.CREATE,
        changes={"role": [None, invitation.role]},
    )
    return membership


# --- members and teams --------------------------------------------------------------------------
@transaction.atomic
def membership_update(
    *,
    actor: Actor,
    membership: Membership,
    role: str | None = None,
    team_id: int | None = None,
    is_active: bool | None = None,
) -> Membership:
    require_admin(actor)
    if membership.company_id != actor.company_id:
        raise NotFound()
    changes = {}
    if role is not None and role != membership.role:
        if role not in Role.values:
            raise ValidationFailed(_("Choose a role."))
        if Role.OWNER in (role, membership.role) and not actor.is_owner:
            raise PermissionDenied(_("Only an owner can grant or remove the owner role."))
        changes["role"] = [membership.role, role]
        membership.role = role
    if team_id != membership.team_id:
        team = (
            Team.objects.filter(company_id=actor.company_id, pk=team_id).first()
            if team_id
            else None
        )
        if team_id and team is None:
            raise ValidationFailed(_("Choose a team of this company."))
        changes["team"] = [membership.team_id, team_id]
        membership.team = team
    if is_active is not None and is_active != membership.is_active:
        changes["is_active"] = [membership.is_active, is_active]
        membership.is_active = is_active
    if membership.role == Role.OWNER or changes.get("role", [None])[0] == Role.OWNER:
        others = Membership.objects.filter(
            company_id=actor.company_id, role=Role.OWNER, is_active=True
        ).exclude(pk=membership.pk)
        if (membership.role != Role.OWNER or not membership.is_active) and not others.exists():
            raise Conflict(_("A company needs at least one active owner."))
    membership.save()
    if changes:
        audit_log(
            actor=actor, instance=membership, action=AuditEntry.Action.UPDATE, changes=changes
        )
    return membership


def team_create(*, actor: Actor, name: str) -> Team:
    require_admin(actor)
    name = name.strip()
    if Team.objects.filter(company_id=actor.company_id, name=name).exists():
        raise Conflict(_("A team with this name already exists."))
    return model_create(actor=actor, instance=Team(name=name))


def team_update(*, actor: Actor, team: Team, name: str, version: int | None) -> Team:
    require_admin(actor)
    team, _changes = model_update(
        actor=actor, instance=team, data={"name": name.strip()}, expected_version=version
    )
    return team


# --- API tokens ---------------------------------------------------------------------------------
def token_create(
    *, user: User, company: Company | None = None, name: str = ""
) -> tuple[ApiToken, str]:
    """Create a bearer token; returns it with the raw key, which is shown once and not stored."""
    if company is None:
        from .selectors import actor_for

        actor = actor_for(user=user)
        if actor is None:
            raise ValidationFailed(_("This user belongs to no company."))
        company = actor.company
    elif not Membership.objects.filter(user=user, company=company, is_active=True).exists():
        raise PermissionDenied(_("This user is not a member of that company."))
    raw = "sy_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, company=company, name=name, prefix=raw[:10], key_hash=hash_secret(raw)
    )
    return token, raw


def token_revoke(*, actor: Actor, token_id: int) -> None:
    token = ApiToken.objects.filter(
        pk=token_id, user=actor.user, company_id=actor.company_id
    ).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])


# --- login throttling ---------------------------------------------------------------------------
def _throttle_keys(email: str, ip: str) -> list[str]:
    return [f"login-fail:email:{hash_secret(email.lower())}", f"login-fail:ip:{ip}"]


def login_throttle_check(*, email: str, ip: str) -> None:
    for key in _throttle_keys(email, ip):
        if cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES * (1 if ":email:" in key else 4):
            raise RateLimited(
                _("Too many failed sign-in attempts. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW // 60}
            )


def login_failed(*, email: str, ip: str) -> None:
    for key in _throttle_keys(email, ip):
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(*, email: str, ip: str) -> None:
    cache.delete(_throttle_keys(email, ip)[0])
