"""The `shangyou` management commands, run in-process with call_command."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from shangyou.accounts.models import Company, Membership, User
from shangyou.contacts.models import Customer
from shangyou.core.actor import Role


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_models_and_migrations_agree(db):
    """Fails when a model change has no migration: run `shangyou makemigrations`."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_demo_loads_three_companies_with_every_role_and_is_idempotent(db):
    _run("demo")
    counts = (Company.objects.count(), User.objects.count(), Customer.objects.count())
    _run("demo")

    assert (Company.objects.count(), User.objects.count(), Customer.objects.count()) == counts
    assert sorted(Company.objects.values_list("member_type", flat=True)) == [
        "both",
        "buyer",
        "supplier",
    ]
    for company in Company.objects.all():
        roles = set(Membership.objects.filter(company=company).values_list("role", flat=True))
        assert roles == set(Role.values), company
        assert Customer.objects.filter(company=company).exists()


def test_company_create_makes_the_company_and_its_owner(db):
    out = _run(
        "company", "create", "--name", "宁波港航", "--slug", "nbgh",
        "--owner-email", "boss@nbgh.cn", "--password", "Ningbo-Harbour-77",
        "--member-type", "supplier",
    )  # fmt: skip
    company = Company.objects.get(slug="nbgh")
    assert "nbgh" in out
    assert company.member_type == "supplier"
    owner = Membership.objects.get(company=company)
    assert (owner.user.email, owner.role) == ("boss@nbgh.cn", Role.OWNER)
    assert owner.user.check_password("Ningbo-Harbour-77")


def test_company_create_refuses_a_duplicate_slug(db):
    args = ["company", "create", "--name", "甲", "--slug", "jia", "--owner-email", "a@jia.cn"]
    _run(*args, "--password", "Ningbo-Harbour-77")
    with pytest.raises(CommandError, match="jia"):
        _run(*args)
    assert Company.objects.count() == 1


def test_token_create_prints_a_working_token_last(tenant):
    out = _run("token", "create", "--email", tenant.user("manager").email.upper())
    token = out.strip().splitlines()[-1]
    response = Client(headers={"authorization": f"Bearer {token}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "manager"


def test_token_create_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="no user"):
        _run("token", "create", "--email", "nobody@example.cn")


def test_up_without_serving_loads_demo_data_into_an_empty_database(db):
    out = _run("up", "--no-serve")
    assert Company.objects.count() == 3
    assert "owner@huadong.demo" in out


def test_up_leaves_a_database_with_data_alone(tenant):
    _run("up", "--no-serve")
    assert list(Company.objects.all()) == [tenant.company]


def test_openapi_command_writes_the_schema(db, tmp_path):
    target = tmp_path / "openapi.json"
    _run("openapi", "-o", str(target))
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert "/api/v1/customers" in schema["paths"]
    assert target.read_text(encoding="utf-8").endswith("}\n")
