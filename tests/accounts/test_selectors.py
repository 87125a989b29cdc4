import re

import pytest

from shangyou.accounts import selectors
from shangyou.accounts.models import Membership
from shangyou.accounts.services import token_create
from shangyou.core.actor import Role
from shangyou.core.errors import NotFound


def test_actor_for_prefers_the_last_company(tenant, other_tenant):
    user = tenant.user("sales")
    Membership.objects.create(company=other_tenant.company, user=user, role=Role.ADMIN)
    assert selectors.actor_for(user=user).company == tenant.company
    user.last_company = other_tenant.company
    assert selectors.actor_for(user=user).role == Role.ADMIN


def test_actor_for_ignores_inactive_memberships(tenant):
    tenant.memberships["sales"].is_active = False
    tenant.memberships["sales"].save()
    assert selectors.actor_for(user=tenant.user("sales")) is None


def test_actor_for_token(tenant):
    token, raw = token_create(user=tenant.user("manager"), company=tenant.company)
    actor = selectors.actor_for_token(raw_key=raw)
    assert (actor.user, actor.role, actor.team_id) == (
        tenant.user("manager"),
        Role.MANAGER,
        tenant.team_a.pk,
    )
    assert selectors.actor_for_token(raw_key=raw + "x") is None


def test_token_of_a_removed_member_stops_working(tenant):
    _token, raw = token_create(user=tenant.user("sales"), company=tenant.company)
    Membership.objects.filter(pk=tenant.memberships["sales"].pk).update(is_active=False)
    assert selectors.actor_for_token(raw_key=raw) is None


@pytest.mark.parametrize("getter", ["membership_get", "team_get", "invitation_get"])
def test_getters_of_another_company_are_not_found(tenant, other_tenant, getter):
    ids = {
        "membership_get": tenant.memberships["sales"].pk,
        "team_get": tenant.team_a.pk,
        "invitation_get": 0,
    }
    with pytest.raises(NotFound):
        getattr(selectors, getter)(actor=other_tenant.actor("owner"), id=ids[getter])


def test_user_companies_lists_every_active_membership(tenant, other_tenant):
    user = tenant.user("sales")
    Membership.objects.create(company=other_tenant.company, user=user)
    names = [m.company.name for m in selectors.user_companies(user=user)]
    assert sorted(names) == sorted([tenant.company.name, other_tenant.company.name])


def test_invitation_by_unknown_token_is_not_found(db):
    with pytest.raises(NotFound):
        selectors.invitation_by_token(raw_token="nope")


def test_a_token_acts_for_its_own_company_while_it_and_its_member_are_active(tenant, other_tenant):
    from django.utils import timezone

    from shangyou.accounts.models import ApiToken

    user = tenant.user("sales")
    Membership.objects.create(company=other_tenant.company, user=user, role=Role.ADMIN)
    token, raw = token_create(user=user, company=other_tenant.company)
    actor = selectors.actor_for_token(raw_key=raw)
    assert (actor.user, actor.company, actor.role) == (user, other_tenant.company, Role.ADMIN)
    token.refresh_from_db()
    assert token.last_used_at is not None  # noted (at most once a minute)
    assert selectors.actor_for_token(raw_key=raw + "x") is None

    user.is_active = False
    user.save()
    assert selectors.actor_for_token(raw_key=raw) is None
    user.is_active = True
    user.save()
    Membership.objects.filter(company=other_tenant.company, user=user).update(is_active=False)
    assert selectors.actor_for_token(raw_key=raw) is None  # still a member of tenant: no matter
    Membership.objects.filter(company=other_tenant.company, user=user).update(is_active=True)
    assert selectors.actor_for_token(raw_key=raw).company == other_tenant.company
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert selectors.actor_for_token(raw_key=raw) is None


def test_a_session_reads_the_user_and_memberships_in_one_statement(tenant, other_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shangyou.accounts.backends import EmailBackend

    user = tenant.user("sales")
    Membership.objects.create(company=other_tenant.company, user=user, role=Role.ADMIN)
    loaded = EmailBackend().get_user(user.pk)
    assert loaded == user
    assert [m.company for m in loaded.active_memberships] == sorted(
        [tenant.company, other_tenant.company], key=lambda c: c.name
    )
    assert all(m.user is loaded for m in loaded.active_memberships)

    client = tenant.client("sales")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/customers/")
    assert page.status_code == 200 and page.context["actor"].company == tenant.company
    user_reads = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    own = [
        q["sql"] for q in queries if re.search(r'"accounts_membership"."user_id" = \d', q["sql"])
    ]
    assert user_reads == []
    assert len(own) == 1 and '"accounts_user"."password"' in own[0]  # the user, joined


def test_a_session_of_a_user_without_memberships_or_inactive(tenant):
    from shangyou.accounts.backends import EmailBackend

    user = tenant.user("sales")
    Membership.objects.filter(user=user).update(is_active=False)
    loaded = EmailBackend().get_user(user.pk)
    assert loaded == user and loaded.active_memberships == []
    assert selectors.actor_for(user=loaded) is None
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert EmailBackend().get_user(user.pk) is None
    Membership.objects.filter(user=user).update(is_active=True)
    assert EmailBackend().get_user(user.pk) is None
    assert EmailBackend().get_user(999_999) is None
