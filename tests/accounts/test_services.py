import importlib

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from shangyou.accounts import services
from shangyou.accounts.models import Company, Invitation, Membership, Team
from shangyou.core.actor import Role
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .factories import InvitationFactory, UserFactory


def test_argon2_is_the_first_password_hasher_in_the_real_settings():
    real = importlib.import_module("shangyou.config.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Correct-Horse-9", hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify("Correct-Horse-9", encoded)


def test_registration_start_refuses_weak_password(db):
    with pytest.raises(ValidationFailed) as exc:
        services.registration_start(
            email="a@example.cn", password="password", full_name="A", company_name="甲",
            member_type="buyer",
        )  # fmt: skip
    assert "password" in exc.value.errors


def test_registration_start_refuses_unknown_member_type(db):
    with pytest.raises(ValidationFailed) as exc:
        services.registration_start(
            email="a@example.cn", password="Ningbo-Harbour-77", full_name="A",
            company_name="甲", member_type="pirate",
        )  # fmt: skip
    assert "member_type" in exc.value.errors


def test_company_create_makes_the_owner(db):
    company = services.company_create(
        name="深圳星河电子", owner_email="Boss@Example.cn", owner_password="Ningbo-Harbour-77"
    )
    membership = Membership.objects.get(company=company)
    assert (membership.user.email, membership.role) == ("boss@example.cn", Role.OWNER)
    assert company.slug == "shen-zhen-xing-he-dian-zi"


def test_company_create_refuses_a_duplicate_slug(db):
    services.company_create(name="甲", slug="jia", owner_email="a@example.cn", owner_password="x")
    with pytest.raises(Conflict, match="jia"):
        services.company_create(name="甲2", slug="jia", owner_email="a@example.cn")
    assert Company.objects.count() == 1


def test_invitation_create_requires_an_admin(tenant, smtp_server):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=tenant.actor("manager"), email="x@example.cn")
    assert not Invitation.objects.exists()


def test_only_an_owner_may_invite_an_owner(tenant, smtp_server):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=tenant.actor("admin"), email="x@example.cn", role="owner")
    services.invitation_create(actor=tenant.actor("owner"), email="x@example.cn", role="owner")


def test_inviting_a_member_is_refused(tenant, smtp_server):
    with pytest.raises(Conflict):
        services.invitation_create(actor=tenant.actor("admin"), email=tenant.user("sales").email)


def test_invitation_to_a_team_of_another_company_is_refused(tenant, other_tenant, smtp_server):
    with pytest.raises(ValidationFailed):
        services.invitation_create(
            actor=tenant.actor("admin"), email="x@example.cn", team_id=other_tenant.team_a.pk
        )


def test_invitation_accept_by_the_wrong_user_is_refused(tenant):
    invitation = InvitationFactory(company=tenant.company, email="right@example.cn")
    with pytest.raises(PermissionDenied):
        services.invitation_accept(raw_token=invitation.raw_token, user=UserFactory())


def test_invitation_accept_twice_is_refused(tenant):
    user = UserFactory(email="right@example.cn")
    invitation = InvitationFactory(company=tenant.company, email="right@example.cn")
    services.invitation_accept(raw_token=invitation.raw_token, user=user)
    with pytest.raises(Conflict):
        services.invitation_accept(raw_token=invitation.raw_token, user=user)


def test_membership_update_keeps_an_active_owner(tenant):
    owner = tenant.memberships["owner"]
    with pytest.raises(Conflict, match="at least one active owner"):
        services.membership_update(actor=tenant.actor("owner"), membership=owner, role="admin")


def test_admin_cannot_grant_the_owner_role(tenant):
    with pytest.raises(PermissionDenied):
        services.membership_update(
            actor=tenant.actor("admin"), membership=tenant.memberships["sales"], role="owner"
        )


def test_membership_update_of_another_company_is_not_found(tenant, other_tenant):
    with pytest.raises(NotFound):
        services.membership_update(
            actor=other_tenant.actor("owner"), membership=tenant.memberships["sales"], role="admin"
        )


def test_team_create_requires_an_admin_and_a_unique_name(tenant):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=tenant.actor("manager"), name="Team C")
    with pytest.raises(Conflict):
        services.team_create(actor=tenant.actor("admin"), name="Team A")
    team = services.team_create(actor=tenant.actor("admin"), name="Team C")
    assert Team.objects.get(pk=team.pk).company == tenant.company


def test_token_create_for_a_non_member_is_refused(tenant, other_tenant):
    with pytest.raises(PermissionDenied):
        services.token_create(user=tenant.user("sales"), company=other_tenant.company)


def test_token_revoke_of_someone_elses_token_is_not_found(tenant):
    token, _raw = services.token_create(user=tenant.user("admin"), company=tenant.company)
    with pytest.raises(NotFound):
        services.token_revoke(actor=tenant.actor("owner"), token_id=token.pk)


def test_login_throttle_refuses_after_max_failures(db, settings):
    settings.LOGIN_MAX_FAILURES = 2
    services.login_throttle_check(email="a@example.cn", ip="10.0.0.1")
    for _ in range(2):
        services.login_failed(email="a@example.cn", ip="10.0.0.1")
    with pytest.raises(services.RateLimited):
        services.login_throttle_check(email="A@example.cn", ip="10.0.0.2")
    services.login_throttle_check(email="b@example.cn", ip="10.0.0.1")  # per email first
