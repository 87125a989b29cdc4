"""Sign-up, invitations, password reset, sign-in throttling and company switching through the
Django test client, with email delivered over real SMTP to the `smtp_server` fixture."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from shangyou.accounts.models import Company, Invitation, Membership, User
from shangyou.core.actor import Role
from tests.conftest import PASSWORD
from tests.contacts.factories import CustomerFactory

LINK_RE = re.compile(r"https?://[^/\s]+(/\S+)")
SIGN_UP = {
    "company_name": "杭州新锐贸易有限公司",
    "member_type": "supplier",
    "full_name": "周杰",
    "email": "Zhou.Jie@Example.cn",
    "password": "Ningbo-Harbour-77",
    "accept_terms": "on",
}


def _link(mailbox, n=-1) -> str:
    """The path of the (only) link in the n-th email received."""
    match = LINK_RE.search(mailbox.bodies()[n])
    assert match, mailbox.bodies()[n]
    return match.group(1)


def _logged_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- registration ---------------------------------------------------------------------------------
def test_registration_end_to_end(db, smtp_server):
    client = Client()
    response = client.post("/accounts/register/", SIGN_UP)
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/register/sent/")
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "zhou.jie@example.cn"
    assert not Company.objects.exists()  # nothing is created before the email is verified

    done = client.get(_link(smtp_server), follow=True)

    company = Company.objects.get()
    user = User.objects.get(email="zhou.jie@example.cn")
    assert (company.name, company.member_type) == ("杭州新锐贸易有限公司", "supplier")
    assert Membership.objects.get(company=company, user=user).role == Role.OWNER
    assert _logged_in_user(client) == user
    assert done.status_code == 200
    assert 'id="registration-success"' in done.content.decode()
    assert "杭州新锐贸易有限公司" in done.content.decode()


def test_registration_link_used_twice_is_refused_clearly(db, smtp_server):
    client = Client()
    client.post("/accounts/register/", SIGN_UP)
    link = _link(smtp_server)
    client.get(link)
    again = Client().get(link)
    assert again.status_code == 400
    assert "already verified" in again.content.decode()
    assert Company.objects.count() == 1


def test_registration_garbage_link_shows_a_clear_error(db):
    response = Client().get("/accounts/register/verify/not-a-real-token/")
    assert response.status_code == 400
    assert "This verification link is not valid." in response.content.decode()
    assert _logged_in_user(Client()) is None


def test_registration_expired_link_shows_a_clear_error(db, smtp_server, settings):
    client = Client()
    client.post("/accounts/register/", SIGN_UP)
    settings.EMAIL_VERIFICATION_MAX_AGE = -1  # any age is past it

    response = client.get(_link(smtp_server))

    assert response.status_code == 400
    assert "This verification link has expired" in response.content.decode()
    assert not User.objects.exists()


def test_registration_refuses_a_duplicate_email(tenant, smtp_server):
    data = {**SIGN_UP, "email": tenant.user("sales").email.upper()}
    response = Client().post("/accounts/register/", data)
    assert response.status_code == 200
    assert "An account with this email already exists" in response.content.decode()
    assert smtp_server.messages == []


def test_registration_refuses_a_weak_password(db, smtp_server):
    response = Client().post("/accounts/register/", {**SIGN_UP, "password": "12345678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common." in html or "entirely numeric" in html
    assert smtp_server.messages == []


# --- invitations ----------------------------------------------------------------------------------
def _invite(tenant, email, role="sales", key="admin"):
    return tenant.client(key).post(
        "/accounts/members/",
        {"invite-email": email, "invite-role": role, "invite-team": tenant.team_b.pk},
    )


def test_admin_invites_by_email_and_a_new_user_accepts(tenant, smtp_server):
    response = _invite(tenant, "new.hire@example.cn", role="manager")
    assert response.status_code == 302
    assert smtp_server.messages[0]["To"] == "new.hire@example.cn"
    link = _link(smtp_server)
    client = Client()

    page = client.get(link)
    accepted = client.post(link, {"full_name": "新同事", "password": "Ningbo-Harbour-77"})

    assert page.status_code == 200 and tenant.company.name in page.content.decode()
    assert accepted.status_code == 302
    user = User.objects.get(email="new.hire@example.cn")
    membership = Membership.objects.get(user=user, company=tenant.company)
    assert (membership.role, membership.team) == (Role.MANAGER, tenant.team_b)
    assert _logged_in_user(client) == user
    assert Invitation.objects.get().accepted_at is not None


def test_existing_account_accepts_an_invitation(tenant, other_tenant, smtp_server):
    invitee = other_tenant.user("sales")
    _invite(tenant, invitee.email)
    client = other_tenant.client("sales")

    response = client.post(_link(smtp_server))

    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, company=tenant.company).exists()
    home = client.get("/")
    assert tenant.company.name in home.content.decode()  # now working in the new company


def test_invitation_accepted_by_the_wrong_account_is_refused(tenant, other_tenant, smtp_server):
    _invite(tenant, "someone.else@example.cn")
    response = other_tenant.client("sales").post(_link(smtp_server))
    assert response.status_code == 200
    assert "This invitation was sent to someone.else@example.cn" in response.content.decode()
    assert not Membership.objects.filter(company=tenant.company, user=other_tenant.user("sales"))
    assert Invitation.objects.get().accepted_at is None


def test_revoked_invitation_is_refused(tenant, smtp_server):
    _invite(tenant, "new.hire@example.cn")
    invitation = Invitation.objects.get()
    tenant.client("admin").post(f"/accounts/invitations/{invitation.pk}/revoke/")
    response = Client().post(
        _link(smtp_server), {"full_name": "新同事", "password": "Ningbo-Harbour-77"}
    )
    assert "This invitation has expired or was already used." in response.content.decode()
    assert not User.objects.filter(email="new.hire@example.cn").exists()


def test_expired_invitation_is_refused(tenant, smtp_server):
    _invite(tenant, "new.hire@example.cn")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().post(
        _link(smtp_server), {"full_name": "新同事", "password": "Ningbo-Harbour-77"}
    )
    assert "This invitation has expired or was already used." in response.content.decode()
    assert not User.objects.filter(email="new.hire@example.cn").exists()


def test_unknown_invitation_link_is_404(db):
    assert Client().get("/accounts/invitation/nope/").status_code == 404


def test_non_admin_cannot_invite(tenant, smtp_server):
    response = _invite(tenant, "new.hire@example.cn", key="manager")
    assert response.status_code == 200
    assert "Only the company&#x27;s owner or administrators can do this." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()
    assert smtp_server.messages == []


def test_non_admin_cannot_revoke_an_invitation(tenant, smtp_server):
    _invite(tenant, "new.hire@example.cn")
    invitation = Invitation.objects.get()
    tenant.client("sales").post(
        f"/accounts/invitations/{invitation.pk}/revoke/",
        headers={"referer": "http://testserver/accounts/members/"},
    )
    assert Invitation.objects.get().revoked_at is None


def test_non_admin_cannot_change_a_member(tenant):
    membership = tenant.memberships["sales"]
    response = tenant.client("manager").post(
        f"/accounts/members/{membership.pk}/", {"role": "admin", "is_active": "on"}
    )
    assert "Only the company&#x27;s owner or administrators" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.SALES


def test_admin_changes_a_members_role_and_team(tenant):
    membership = tenant.memberships["sales"]
    response = tenant.client("admin").post(
        f"/accounts/members/{membership.pk}/",
        {"role": "manager", "team": tenant.team_b.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.team) == (Role.MANAGER, tenant.team_b)


def test_members_page_without_n_plus_1(tenant, django_assert_max_num_queries):
    from tests.accounts.factories import MembershipFactory

    for _ in range(30):
        MembershipFactory(company=tenant.company, team=tenant.team_a)
    client = tenant.client("admin")
    client.get("/accounts/members/")
    with django_assert_max_num_queries(14):
        response = client.get("/accounts/members/")
    assert response.content.decode().count("/accounts/members/") >= 37


# --- password reset and sign-in ------------------------------------------------------------------
def test_password_reset_over_smtp(tenant, smtp_server):
    user = tenant.user("sales")
    client = Client()
    sent = client.post("/accounts/password/reset/", {"email": user.email})
    assert sent.status_code == 302
    assert smtp_server.messages[0]["To"] == user.email

    form = client.get(_link(smtp_server), follow=True)
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "Ningbo-Harbour-77", "new_password2": "Ningbo-Harbour-77"},
    )

    assert done.status_code == 302
    assert done["Location"].endswith("/accounts/password/reset/complete/")
    login = Client().post(
        "/accounts/login/", {"email": user.email, "password": "Ningbo-Harbour-77"}
    )
    assert login.status_code == 302
    old = Client().post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert old.status_code == 200


def test_password_reset_for_unknown_email_sends_nothing(db, smtp_server):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302  # same answer: no account enumeration
    assert smtp_server.messages == []


def test_login_with_email_in_any_case(tenant):
    client = Client()
    response = client.post(
        "/accounts/login/", {"email": tenant.user("sales").email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _logged_in_user(client) == tenant.user("sales")


def test_login_is_throttled_after_max_failures(tenant, settings):
    settings.LOGIN_MAX_FAILURES = 3
    email = tenant.user("sales").email
    client = Client()
    for _ in range(3):
        wrong = client.post("/accounts/login/", {"email": email, "password": "wrong"})
        assert "The email or password is not correct." in wrong.content.decode()

    response = client.post("/accounts/login/", {"email": email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert _logged_in_user(client) is None


def test_login_throttle_counts_per_email(tenant, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"email": tenant.user("sales").email, "password": "x"})
    other = client.post(
        "/accounts/login/", {"email": tenant.user("admin").email, "password": PASSWORD}
    )
    assert other.status_code == 302


# --- company switching ---------------------------------------------------------------------------
def test_switching_company_shows_only_that_companys_customers(tenant, other_tenant):
    user = tenant.user("owner")
    Membership.objects.create(company=other_tenant.company, user=user, role=Role.SALES)
    CustomerFactory(actor=tenant.actor("owner"), name="甲的客户")
    CustomerFactory(actor=other_tenant.actor("owner"), name="乙的客户", owner_id=user.pk)
    client = tenant.client("owner")
    assert "甲的客户" in client.get("/customers/").content.decode()

    response = client.post("/accounts/switch/", {"company_id": other_tenant.company.pk})

    assert response.status_code == 302
    html = client.get("/customers/").content.decode()
    assert "乙的客户" in html and "甲的客户" not in html
    user.refresh_from_db()
    assert user.last_company == other_tenant.company


def test_switching_to_a_company_one_does_not_belong_to_is_refused(tenant, other_tenant):
    CustomerFactory(actor=tenant.actor("owner"), name="甲的客户")
    client = tenant.client("owner")

    response = client.post("/accounts/switch/", {"company_id": other_tenant.company.pk})

    assert response.status_code == 404
    assert "甲的客户" in client.get("/customers/").content.decode()


def test_switching_with_a_garbage_company_id_is_refused(tenant):
    response = tenant.client("owner").post("/accounts/switch/", {"company_id": "x"})
    assert response.status_code == 404
