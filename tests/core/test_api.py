import json
from pathlib import Path

import pytest
from django.test import Client

from shangyou.contacts.services import customer_delete
from shangyou.core.models import AuditEntry, TrashItem
from shangyou.core.progress import Progress, progress_start
from shangyou.ops.management.commands.openapi import openapi_json
from tests.contacts.factories import CustomerFactory
from tests.test_isolation import PARAM_FACTORIES, CompanyA, minimal_value, openapi_schema

REPO = Path(__file__).resolve().parents[2]
ENVELOPE = {"items", "count", "count_is_exact", "next", "previous"}


def list_operations() -> list[tuple[str, dict]]:
    """GET operations without path parameters that page with limit/offset: the list endpoints."""
    result = []
    for path, operations in openapi_schema()["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        responses = get.get("responses", {})
        ok = responses.get(200) or responses.get("200") or {}
        if {"limit", "offset"} <= names and "application/json" in ok.get("content", {}):
            result.append((path, get))
    return result


# GET operations answering a bare JSON array on purpose; each needs a reason.
BARE_ARRAY_ALLOWED = {
    # A bounded look-up (the few look-alikes shown while filling in the create form).
    "/api/v1/customers/duplicates",
    # The few children of one record, always shown whole on the parent's page: a category's
    # specification attributes, a product's images and grants, an order's shipments, the
    # answers to one RFQ (one per invited supplier).
    "/api/v1/categories/{category_id}/attributes",
    "/api/v1/products/{product_id}/images",
    "/api/v1/products/{product_id}/grants",
    "/api/v1/orders/{order_id}/shipments",
    "/api/v1/purchasing/rfqs/{rfq_id}/answers",
}


def test_list_endpoints_page_instead_of_answering_a_bare_array():
    bare = []
    for path, operations in openapi_schema()["paths"].items():
        responses = operations.get("get", {}).get("responses", {})
        ok = responses.get(200) or responses.get("200") or {}
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array" and path not in BARE_ARRAY_ALLOWED:
            bare.append(path)
    assert not bare, (
        f"These GET endpoints answer a bare list: {bare}. Return `Page[...]` through "
        "`core.api.paginate` (the {items, count, next, previous} envelope)."
    )


def test_the_list_walker_finds_the_list_endpoints():
    paths = {path for path, _op in list_operations()}
    assert {"/api/v1/customers", "/api/v1/members", "/api/v1/trash"} <= paths


@pytest.mark.parametrize(("path", "operation"), list_operations(), ids=lambda v: str(v)[:60])
def test_every_list_endpoint_returns_the_envelope(tenant, path, operation):
    schema = openapi_schema()
    required = [p for p in operation.get("parameters", []) if p["in"] == "query" and p["required"]]
    own = CompanyA(tenant)  # required ids (e.g. ?object_id=) name the tenant's own objects
    query = {
        p["name"]: PARAM_FACTORIES[p["name"]](own)
        if p["name"] in PARAM_FACTORIES
        else minimal_value(p["schema"], schema)
        for p in required
    }
    response = tenant.api("owner").get(path, {**query, "limit": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ENVELOPE
    assert isinstance(body["items"], list)
    assert isinstance(body["count"], int)
    assert len(body["items"]) <= 1


def test_list_envelope_links_to_next_and_previous_pages(tenant):
    for n in range(3):
        CustomerFactory(actor=tenant.actor("owner"), name=f"客户{n}")
    client = tenant.api("owner")
    first = client.get("/api/v1/customers", {"limit": 2}).json()
    assert first["count"] == 3 and len(first["items"]) == 2
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert second["previous"] is not None
    names = {c["name"] for c in first["items"] + second["items"]}
    assert names == {"客户0", "客户1", "客户2"}


# --- errors and auth --------------------------------------------------------------------------
def test_api_without_credentials_is_401_with_code_and_message(db):
    response = Client().get("/api/v1/customers")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["message"]


def test_api_with_an_unknown_or_revoked_token_is_401(tenant):
    from shangyou.accounts.models import ApiToken

    assert Client(headers={"authorization": "Bearer sy_nope"}).get("/api/v1/me").status_code == 401
    client = tenant.api("owner")
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/me").status_code == 401


def test_not_found_maps_to_404_with_code_and_message(tenant):
    body = tenant.api("owner").get("/api/v1/customers/999999").json()
    assert body["code"] == "not_found" and body["message"]


def test_invalid_input_maps_to_422_with_field_errors(tenant):
    response = tenant.api("owner").post(
        "/api/v1/customers", {"name": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "name" in body["errors"]


def test_permission_denied_maps_to_403_with_message(tenant):
    response = tenant.api("readonly").post(
        "/api/v1/customers", {"name": "张伟"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "read-only" in response.json()["message"]


def test_session_auth_works_for_reads(tenant):
    response = tenant.client("owner").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == tenant.user("owner").email


def test_session_auth_requires_csrf_for_unsafe_methods(tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.user("owner"), backend="shangyou.accounts.backends.EmailBackend")
    payload = json.dumps({"name": "张伟"})

    refused = client.post("/api/v1/customers", payload, content_type="application/json")
    client.get("/customers/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/customers",
        payload,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201, accepted.content


def test_bearer_token_needs_no_csrf(tenant):
    client = tenant.api("owner")
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/customers", {"name": "张伟"}, content_type="application/json")
    assert response.status_code == 201


# --- OpenAPI drift ------------------------------------------------------------------------------
def test_committed_openapi_schema_matches_the_code():
    committed = (REPO / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_json(), (
        "docs/openapi.json is out of date with the API. Run `shangyou openapi -o "
        "docs/openapi.json` and commit the result."
    )


def test_api_schema_names_are_unique_across_apps():
    """OpenAPI components are keyed by class name: two apps' `AnswerIn` would share one entry,
    and one app's clients would be told the other's body (the isolation harness then sends the
    wrong payload). Give schemas app-specific names (`RfqAnswerIn`)."""
    from collections import defaultdict

    from ninja import Schema

    modules: dict[str, set[str]] = defaultdict(set)
    pending = [Schema]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub.__module__.startswith("shangyou."):
                modules[sub.__name__].add(sub.__module__)
            pending.append(sub)
    clashes = {name: sorted(found) for name, found in modules.items() if len(found) > 1}
    assert not clashes, f"schema names used by more than one module: {clashes}"


# --- trash, history, jobs -------------------------------------------------------------------------
def test_trash_restore_via_api_brings_the_record_back(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    client = tenant.api("sales")
    assert client.delete(f"/api/v1/customers/{customer.pk}").status_code == 204
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 404
    items = client.get("/api/v1/trash").json()["items"]
    assert [(i["kind"], i["object_id"]) for i in items] == [("contacts.customer", customer.pk)]

    response = client.post(f"/api/v1/trash/{items[0]['id']}/restore")

    assert response.status_code == 200
    assert response.json() == {"restored": True, "object_id": customer.pk}
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    history = client.get(f"/api/v1/history/contacts.customer/{customer.pk}").json()["items"]
    assert [h["action"] for h in history] == ["restore", "delete", "create"]


def test_trash_purge_via_api_is_for_admins_only(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    customer_delete(actor=tenant.actor("sales"), customer=customer)
    item = TrashItem.objects.get()

    refused = tenant.api("sales").delete(f"/api/v1/trash/{item.pk}")
    purged = tenant.api("admin").delete(f"/api/v1/trash/{item.pk}")

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert purged.status_code == 204
    assert not TrashItem.objects.exists()
    assert AuditEntry.objects.filter(action="purge", object_id=str(customer.pk)).exists()


def test_history_api_shows_changes(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    tenant.api("sales").patch(
        f"/api/v1/customers/{customer.pk}",
        {"name": "张伟强", "version": 1},
        content_type="application/json",
    )
    items = tenant.api("owner").get(f"/api/v1/history/contacts.customer/{customer.pk}").json()
    update = items["items"][0]
    assert update["action"] == "update"
    assert update["user_id"] == tenant.user("sales").pk
    assert update["changes"]["name"] == ["张伟", "张伟强"]


def test_history_api_follows_record_rules(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales_b"), name="李娜")
    response = tenant.api("sales").get(f"/api/v1/history/contacts.customer/{customer.pk}")
    assert response.status_code == 404


def test_history_api_unknown_kind_is_404(tenant):
    assert tenant.api("owner").get("/api/v1/history/nope.nothing/1").status_code == 404


def test_job_progress_api_shows_progress(tenant):
    progress = progress_start(name="导入客户", company=tenant.company, total=200)
    with Progress(progress.pk, min_interval=0) as job:
        job.advance(50, message="50 rows")

    body = tenant.api("owner").get(f"/api/v1/jobs/{progress.pk}").json()

    assert body["status"] == "running"
    assert (body["done"], body["total"], body["percent"]) == (50, 200, 25)
    assert body["message"] == "50 rows"


# --- a database lost while a response is serialised ------------------------------------------
def _serialisation_error(raised: Exception):
    """The pydantic ValidationError a response schema raises when a resolver (a lazy query)
    raises `raised` — what django-ninja meets in `_result_to_response`."""
    from ninja import Schema
    from pydantic import ValidationError as PydanticValidationError

    class Out(Schema):
        tags: list[str]

        @staticmethod
        def resolve_tags(obj):
            raise raised

    with pytest.raises(PydanticValidationError) as caught:
        Out.model_validate(object())
    return caught.value


@pytest.mark.django_db
def test_a_database_lost_while_a_response_is_serialised_is_a_503():
    from django.db import OperationalError, ProgrammingError
    from django.test import RequestFactory

    from shangyou.core.api import api
    from shangyou.core.middleware import UNAVAILABLE_API_MESSAGE, is_serialization_outage

    lost = _serialisation_error(OperationalError("terminating connection due to administrator"))
    assert is_serialization_outage(lost)
    request = RequestFactory().get("/api/v1/customers/1")
    response = api.on_exception(request, lost)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert json.loads(response.content) == {
        "code": "unavailable",
        "message": str(UNAVAILABLE_API_MESSAGE),
    }

    # A bug is still a bug: a 500 (re-raised for Django), whether a wrong statement on a live
    # connection or anything else.
    from django.db import connection

    connection.ensure_connection()
    for raised in (ProgrammingError('relation "x" does not exist'), KeyError("tags")):
        error = _serialisation_error(raised)
        assert not is_serialization_outage(error), raised
        with pytest.raises(type(error)):
            api.on_exception(request, error)
