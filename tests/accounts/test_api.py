from shangyou.accounts.models import ApiToken, Invitation, Membership
from shangyou.core.actor import Role


def test_me_shows_the_actor(tenant):
    body = tenant.api("manager").get("/api/v1/me").json()
    assert (body["email"], body["role"], body["team_id"]) == (
        tenant.user("manager").email,
        "manager",
        tenant.team_a.pk,
    )
    assert body["company"]["id"] == tenant.company.pk


def test_admin_invites_through_the_api(tenant, smtp_server):
    response = tenant.api("admin").post(
        "/api/v1/invitations",
        {"email": "new@example.cn", "role": "service"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["role"] == "service"
    assert smtp_server.messages[0]["To"] == "new@example.cn"


def test_non_admin_cannot_invite_through_the_api(tenant, smtp_server):
    response = tenant.api("manager").post(
        "/api/v1/invitations", {"email": "new@example.cn"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "administrators" in response.json()["message"]
    assert not Invitation.objects.exists()


def test_non_admin_cannot_change_members_or_teams(tenant):
    client = tenant.api("sales")
    member = client.patch(
        f"/api/v1/members/{tenant.memberships['sales'].pk}",
        {"role": "admin"},
        content_type="application/json",
    )
    team = client.post("/api/v1/teams", {"name": "Team C"}, content_type="application/json")
    assert (member.status_code, team.status_code) == (403, 403)
    assert Membership.objects.get(pk=tenant.memberships["sales"].pk).role == Role.SALES


def test_admin_changes_a_member_through_the_api(tenant):
    response = tenant.api("admin").patch(
        f"/api/v1/members/{tenant.memberships['sales'].pk}",
        {"role": "manager", "team_id": tenant.team_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["team_id"]) == ("manager", tenant.team_b.pk)


def test_team_rename_with_a_stale_version_is_409(tenant):
    client = tenant.api("admin")
    url = f"/api/v1/teams/{tenant.team_a.pk}"
    ok = client.patch(url, {"name": "一组", "version": 1}, content_type="application/json")
    stale = client.patch(url, {"name": "二组", "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_token_create_and_revoke_through_the_api(tenant):
    client = tenant.api("sales")
    created = client.post("/api/v1/tokens", {"name": "erp"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    from django.test import Client

    new_client = Client(headers={"authorization": f"Bearer {key}"})
    assert new_client.get("/api/v1/me").status_code == 200
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert new_client.get("/api/v1/me").status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 1
