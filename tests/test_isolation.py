"""Tenant isolation: a member of company B asking for company A's objects gets 404, everywhere.

The endpoints are found by walking Django's URL resolver and the django-ninja OpenAPI schema,
so an endpoint added later is tested without anyone remembering to. Every path parameter needs
an entry in PARAM_FACTORIES (which creates the object in company A); a parameter without one
fails the test and says so. Public, non-tenant URLs are excluded only by PUBLIC_ROUTES below.
"""

import functools
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import shangyou.config.urls  # noqa: F401 - mounts every router on the API object
from shangyou.accounts.models import Invitation
from shangyou.accounts.services import token_create
from shangyou.contacts.models import (
    Contact,
    Customer,
    CustomerMerge,
    Document,
    Grade,
    ImportJob,
    Segment,
    Task,
)
from shangyou.core.api import api
from shangyou.core.models import AuditEntry, TaskProgress, TrashItem
from shangyou.core.progress import progress_start
from shangyou.core.services import soft_delete
from tests.accounts.factories import InvitationFactory
from tests.contacts.factories import CustomerFactory

# URL names reachable without being a member of the company whose data they touch. Each needs a
# reason; everything else that takes a path parameter must 404 across companies.
PUBLIC_ROUTES = {
    # The signed token in the email link *is* the credential; no company exists yet.
    "accounts:register_verify",
    # The invitation's secret token is the credential; the invitee is not a member yet.
    "accounts:invitation_accept",
    # Django's password reset (uidb64 + one-time token); users are not tenant data.
    "accounts:password_reset_confirm",
    # A calendar app fetches the iCalendar feed without a session: the secret token in the
    # address is the credential (and names its company and user).
    "schedule:feed",
}
# Path prefixes served outside the tenant model (static files, translations), should a
# pattern for them ever be added (e.g. `static()` under DEBUG).
PUBLIC_PREFIXES = ("static/", "media/", "i18n/", "jsi18n/")
HTML_METHODS = ("GET", "POST")
API_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class CompanyA:
    """Objects created in company A for one test, and what to check afterwards."""

    tenant: object
    watched: list = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    def customer(self) -> Customer:
        if "customer" not in self.cache:
            self.cache["customer"] = CustomerFactory(
                actor=self.tenant.actor("sales"), name="甲公司机密客户", phone="13800138000"
            )
            self.watched.append(self.cache["customer"])
        return self.cache["customer"]


def _customer_id(a: CompanyA):
    return a.customer().pk


def _member_id(a: CompanyA):
    membership = a.tenant.memberships["sales"]
    a.watched.append(membership)
    return membership.pk


def _team_id(a: CompanyA):
    a.watched.append(a.tenant.team_a)
    return a.tenant.team_a.pk


def _invitation_id(a: CompanyA):
    invitation = InvitationFactory(company=a.tenant.company, invited_by=a.tenant.user("owner"))
    a.watched.append(invitation)
    return invitation.pk


def _token_id(a: CompanyA):
    token, _raw = token_create(user=a.tenant.user("owner"), company=a.tenant.company)
    a.watched.append(token)
    return token.pk


def _trash_item_id(a: CompanyA):
    customer = CustomerFactory(actor=a.tenant.actor("owner"), name="甲公司已删除客户")
    soft_delete(actor=a.tenant.actor("owner"), instance=customer)
    item = TrashItem.objects.get(object_id=customer.pk, company=a.tenant.company)
    a.watched += [item, customer]
    return item.pk


def _job_id(a: CompanyA):
    progress = progress_start(name="import", company=a.tenant.company, total=10)
    a.watched.append(progress)
    return progress.pk


def _kind(a: CompanyA):
    return "contacts.customer"  # history/{kind}/{object_id}: object_id is a customer


def _tab(a: CompanyA):
    return "comments"  # customers/{customer_id}/tabs/{tab}/: a tab of company A's customer


def _tenant_row(a: CompanyA, model, **fields):
    obj = model.objects.create(company=a.tenant.company, **fields)
    a.watched.append(obj)
    return obj.pk


def _contact_id(a: CompanyA):
    return _tenant_row(a, Contact, customer=a.customer(), name="李秘书", phone="13900000000")


def _task_id(a: CompanyA):
    return _tenant_row(
        a,
        Task,
        title="回访",
        customer=a.customer(),
        assignee=a.tenant.user("sales"),
        due_at=timezone.now() + timedelta(days=1),
    )


def _document_id(a: CompanyA):
    upload = SimpleUploadedFile("报价单.txt", b"secret price list")
    return _tenant_row(a, Document, customer=a.customer(), file=upload, name="报价单.txt")


def _grade_id(a: CompanyA):
    return _tenant_row(a, Grade, code="VIP", name="VIP")


def _tag_id(a: CompanyA):
    from shangyou.contacts.models import Tag

    return _tenant_row(a, Tag, name="重点")


def _custom_field_id(a: CompanyA):
    from shangyou.contacts.models import CustomField

    return _tenant_row(a, CustomField, key="volume", label="年采购量")


def _segment_id(a: CompanyA):
    return _tenant_row(a, Segment, name="大客户", filters={"stage": "customer"})


def _import_id(a: CompanyA):
    upload = SimpleUploadedFile("customers.csv", "名称,电话\n张伟,13800138000\n".encode())
    return _tenant_row(a, ImportJob, file=upload, filename="customers.csv")


# --- shared objects between two companies (network): the outsider B must get 404 ------------------
def _third_company(a: CompanyA):
    from shangyou.accounts.models import Company

    if "third" not in a.cache:
        a.cache["third"] = Company.objects.create(name="丙公司", slug=f"c-{a.tenant.company.slug}")
    return a.cache["third"]


def _shared_row(a: CompanyA, model, **fields):
    obj = model.objects.create(**fields)
    a.watched.append(obj)
    return obj.pk


def _company_id(a: CompanyA):
    """A's profile, not listed in the directory: only A's own members may read it."""
    from shangyou.network.models import CompanyProfile

    profile, _created = CompanyProfile.objects.update_or_create(
        company=a.tenant.company, defaults={"is_public": False}
    )
    a.watched.append(profile)
    return a.tenant.company.pk


def _friendship_id(a: CompanyA):
    from shangyou.network.models import Friendship

    return _shared_row(
        a, Friendship, requester=_third_company(a), addressee=a.tenant.company,
        requested_by=a.tenant.user("owner"),
    )  # fmt: skip


def _conversation_id(a: CompanyA):
    from shangyou.network.models import Conversation

    return _shared_row(
        a, Conversation, company_a=a.tenant.company, company_b=_third_company(a), subject="报价"
    )


def _visit_id(a: CompanyA):
    from shangyou.network.models import Visit

    now = timezone.now()
    third = _third_company(a)
    return _shared_row(
        a, Visit, target_company=a.tenant.company, viewer_company=third, viewer_key=third.pk,
        day=timezone.localdate(), first_at=now, last_at=now,
    )  # fmt: skip


def _message_id(a: CompanyA):
    from shangyou.network.models import Conversation, Message

    conversation = Conversation.objects.get(pk=_conversation_id(a))
    return _shared_row(
        a, Message, conversation=conversation, sender_company=a.tenant.company,
        sender_user=a.tenant.user("owner"), body="报价单见附件",
        attachment=SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 secret"),
        attachment_name="报价单.pdf",
    )  # fmt: skip


def _merge_id(a: CompanyA):
    merged = CustomerFactory(actor=a.tenant.actor("owner"), name="甲公司被合并客户")
    merged_pk = _tenant_row(a, CustomerMerge, survivor=a.customer(), merged=merged)
    a.watched.append(merged)
    return merged_pk


# Path parameter name → a function creating the object in company A and returning the value.
PARAM_FACTORIES: dict[str, Callable[[CompanyA], object]] = {
    "customer_id": _customer_id,
    "member_id": _member_id,
    "team_id": _team_id,
    "invitation_id": _invitation_id,
    "token_id": _token_id,
    "trash_item_id": _trash_item_id,
    "job_id": _job_id,
    "object_id": _customer_id,
    "kind": _kind,
    "tab": _tab,
    "contact_id": _contact_id,
    "task_id": _task_id,
    "document_id": _document_id,
    "grade_id": _grade_id,
    "segment_id": _segment_id,
    "tag_id": _tag_id,
    "custom_field_id": _custom_field_id,
    "merge_id": _merge_id,
    "import_id": _import_id,
    "company_id": _company_id,
    "friendship_id": _friendship_id,
    "conversation_id": _conversation_id,
    "visit_id": _visit_id,
    "message_id": _message_id,
}

# Each later app keeps its own entries in tests/<app>/isolation.py: PARAM_FACTORIES (and, with a
# reason each, PUBLIC_ROUTES) — merged here so the harness walks their endpoints too.
for _app in ("catalog", "sales", "orders", "analytics", "purchasing", "network"):
    try:
        _module = importlib.import_module(f"tests.{_app}.isolation")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"tests.{_app}.isolation" and _exc.name != f"tests.{_app}":
            raise
        continue
    _clash = PARAM_FACTORIES.keys() & _module.PARAM_FACTORIES.keys()
    assert not _clash, f"tests/{_app}/isolation.py redefines {_clash}"
    PARAM_FACTORIES.update(_module.PARAM_FACTORIES)
    PUBLIC_ROUTES.update(getattr(_module, "PUBLIC_ROUTES", set()))


# --- walking the endpoints ---------------------------------------------------------------------
ROUTE_PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAM_RE = re.compile(r"\(\?P<(?P<name>\w+)>")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, namespace


def html_routes() -> list[tuple[str, str]]:
    routes = []
    for route, name, namespace in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] == "api":
            continue  # the API is walked operation by operation below
        if not (ROUTE_PARAM_RE.search(route) or REGEX_PARAM_RE.search(route)):
            continue
        if name in PUBLIC_ROUTES or route.lstrip("^").startswith(PUBLIC_PREFIXES):
            continue
        routes.append((route, name))
    return routes


@functools.cache
def openapi_schema() -> dict:
    return api.get_openapi_schema()


def api_operations() -> list[tuple[str, str]]:
    schema = openapi_schema()
    return [
        (path, method)
        for path, operations in schema["paths"].items()
        if "{" in path
        for method in operations
        if method in API_METHODS
    ]


def _resolve_ref(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def minimal_value(schema: dict, root: dict):
    """The smallest value the schema accepts: what a client would send at the very least."""
    schema = _resolve_ref(schema, root)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve_ref(s, root) for s in schema[key]]
            options = [s for s in options if s.get("type") != "null"] or options
            return minimal_value(options[0], root)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {
            name: minimal_value(prop, root)
            for name, prop in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "string":
        return "probe@example.test" if schema.get("format") == "email" else "probe"
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


def api_body(path: str, method: str) -> tuple[str, object] | None:
    """(content type, minimal body) of an operation, or None when it takes no body."""
    schema = openapi_schema()
    body = schema["paths"][path][method].get("requestBody")
    if not body:
        return None
    if "application/json" in body["content"]:
        return "json", minimal_value(body["content"]["application/json"]["schema"], schema)
    form_type = next(
        (
            t
            for t in ("multipart/form-data", "application/x-www-form-urlencoded")
            if t in body["content"]
        ),
        None,
    )
    if form_type:  # sent as multipart, which django-ninja's Form and File both read
        form = _resolve_ref(body["content"][form_type]["schema"], schema)
        data = {}
        for name, prop in form.get("properties", {}).items():
            prop = _resolve_ref(prop, schema)
            if prop.get("format") == "binary":
                data[name] = SimpleUploadedFile("probe.txt", b"probe")
            elif name in form.get("required", []):
                data[name] = minimal_value(prop, schema)
        return "multipart", data
    pytest.fail(f"{method.upper()} {path}: teach api_body() its content type {body['content']}")


# --- helpers ------------------------------------------------------------------------------------
def _values_for(params: list[str], a: CompanyA, where: str) -> dict:
    values = {}
    for name in params:
        if name not in PARAM_FACTORIES:
            pytest.fail(
                f"No factory for the path parameter '{name}' of {where}. Add an entry to "
                f"PARAM_FACTORIES in tests/test_isolation.py that creates the object in company "
                f"A, so the tenant-isolation harness can check that company B gets a 404.",
                pytrace=False,
            )
        values[name] = PARAM_FACTORIES[name](a)
    return values


def _state(objects) -> list:
    result = []
    for obj in objects:
        model = type(obj)
        manager = getattr(model, "all_objects", model._base_manager)
        result.append(manager.filter(pk=obj.pk).values().first())
    return result


@pytest.fixture
def company_a(tenant):
    return CompanyA(tenant)


def _assert_unchanged(company_a: CompanyA, before: list, audit_before: int):
    after = _state(company_a.watched)
    for obj, old, new in zip(company_a.watched, before, after, strict=True):
        assert new is not None, f"{type(obj).__name__} {obj.pk} of company A was deleted"
        assert new == old, f"{type(obj).__name__} {obj.pk} of company A was changed"
    assert AuditEntry.objects.filter(company=company_a.tenant.company).count() == audit_before


# --- the tests ----------------------------------------------------------------------------------
def test_the_walkers_find_the_tenant_endpoints():
    """Guard against a walker that silently finds nothing (the tests below would pass)."""
    routes = {route for route, _name in html_routes()}
    assert "customers/<int:customer_id>/edit/" in routes
    assert "trash/<int:trash_item_id>/restore/" in routes
    operations = set(api_operations())
    assert ("/api/v1/customers/{customer_id}", "patch") in operations
    assert ("/api/v1/trash/{trash_item_id}", "delete") in operations


def test_every_api_operation_is_in_the_schema():
    """The API walk reads the OpenAPI schema; an operation hidden from it would escape."""
    hidden = [
        f"{method} {path}"
        for bound in api._get_bound_routers()
        for path, view in bound.path_operations.items()
        for operation in view.operations
        if not operation.include_in_schema
        for method in operation.methods
    ]
    assert not hidden, f"Operations hidden from the schema escape the isolation test: {hidden}"


@pytest.mark.parametrize(("route", "name"), html_routes(), ids=lambda v: str(v))
def test_html_route_hides_other_company_objects(route, name, company_a, other_tenant):
    params = [m.group("name") for m in ROUTE_PARAM_RE.finditer(route)]
    if not params:
        pytest.fail(f"{route} ({name}) uses a regex with parameters; give it a path() route.")
    values = _values_for(params, company_a, f"the URL {route} ({name})")
    url = "/" + ROUTE_PARAM_RE.sub(lambda m: str(values[m.group("name")]), route)
    before = _state(company_a.watched)
    audit_before = AuditEntry.objects.filter(company=company_a.tenant.company).count()
    client = other_tenant.client("owner")

    statuses = {method: client.generic(method, url).status_code for method in HTML_METHODS}

    assert set(statuses.values()) <= {404, 405}, f"{url}: {statuses}"
    assert 404 in statuses.values(), f"{url}: no method answered 404: {statuses}"
    _assert_unchanged(company_a, before, audit_before)


@pytest.mark.parametrize(("path", "method"), api_operations(), ids=lambda v: str(v))
def test_api_operation_hides_other_company_objects(path, method, company_a, other_tenant):
    params = re.findall(r"{(\w+)}", path)
    values = _values_for(params, company_a, f"the API operation {method.upper()} {path}")
    url = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
    body = api_body(path, method)
    before = _state(company_a.watched)
    audit_before = AuditEntry.objects.filter(company=company_a.tenant.company).count()
    client = other_tenant.api("owner")

    if body is None:
        response = client.generic(method.upper(), url)
    elif body[0] == "json":
        response = client.generic(
            method.upper(), url, json.dumps(body[1]), content_type="application/json"
        )
    else:
        payload = encode_multipart(BOUNDARY, body[1])
        response = client.generic(method.upper(), url, payload, content_type=MULTIPART_CONTENT)

    assert response.status_code == 404, f"{method.upper()} {url} {body}: {response.content!r}"
    assert response.json()["code"] == "not_found"
    _assert_unchanged(company_a, before, audit_before)


def test_other_company_still_reaches_its_own_objects(tenant, other_tenant):
    """The 404s above come from the company scope, not from broken endpoints."""
    customer = CustomerFactory(actor=other_tenant.actor("owner"), name="乙公司客户")
    assert other_tenant.api("owner").get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert other_tenant.client("owner").get(f"/customers/{customer.pk}/").status_code == 200
    assert tenant.api("owner").get(f"/api/v1/customers/{customer.pk}").status_code == 404


def test_unknown_path_parameter_fails_with_advice(company_a):
    with pytest.raises(pytest.fail.Exception, match="Add an entry to PARAM_FACTORIES"):
        _values_for(["gizmo_id"], company_a, "the URL gizmos/<int:gizmo_id>/")


def test_job_and_invitation_factories_create_company_a_objects(company_a):
    job = TaskProgress.objects.get(pk=_job_id(company_a))
    invitation = Invitation.objects.get(pk=_invitation_id(company_a))
    assert job.company == invitation.company == company_a.tenant.company
