import pytest

from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_update

from .factories import CustomerFactory
from .test_selectors import FINDS_NOTHING, FINDS_ZHANG_WEI, ZHANG_WEI


def _patch(client, customer_id, body, **headers):
    return client.patch(
        f"/api/v1/customers/{customer_id}", body, content_type="application/json", headers=headers
    )


def test_create_and_get_a_customer(tenant):
    client = tenant.api("sales")
    created = client.post(
        "/api/v1/customers",
        {"name": "张伟", "phone": "13800138000"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = client.get(f"/api/v1/customers/{created.json()['id']}").json()
    assert (body["name"], body["owner_id"], body["version"]) == ("张伟", tenant.user("sales").pk, 1)


@pytest.fixture
def changed_customer(tenant):
    """A customer at version 2, changed by the manager after the salesperson loaded version 1."""
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    customer_update(
        actor=tenant.actor("manager"), customer=customer, data={"notes": "x"}, version=1
    )
    return customer


def test_patch_with_a_stale_version_in_the_body_is_409(tenant, changed_customer):
    response = _patch(tenant.api("sales"), changed_customer.pk, {"name": "张三", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert tenant.user("manager").full_name in body["message"]
    assert body["extra"]["current_version"] == 2
    assert Customer.objects.get(pk=changed_customer.pk).name == "张伟"


def test_patch_with_a_stale_if_match_header_is_409(tenant, changed_customer):
    response = _patch(tenant.api("sales"), changed_customer.pk, {"name": "张三"}, If_Match='"1"')
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_patch_with_a_current_if_match_header_saves(tenant, changed_customer):
    response = _patch(tenant.api("sales"), changed_customer.pk, {"name": "张三"}, If_Match="2")
    assert response.status_code == 200
    assert response.json()["version"] == 3


def test_patch_without_a_version_is_422(tenant, changed_customer):
    response = _patch(tenant.api("sales"), changed_customer.pk, {"name": "张三"})
    assert response.status_code == 422
    assert "version" in response.json()["errors"]


def test_sales_gets_404_for_a_colleagues_customer(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales_b"), name="李娜")
    client = tenant.api("sales")
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 404
    assert _patch(client, customer.pk, {"name": "x", "version": 1}).status_code == 404
    assert client.delete(f"/api/v1/customers/{customer.pk}").status_code == 404
    assert Customer.objects.get(pk=customer.pk).name == "李娜"


def test_manager_reaches_the_teams_customers_only(tenant):
    mine = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    other = CustomerFactory(actor=tenant.actor("sales_b"), name="李娜")
    client = tenant.api("manager")
    assert client.get(f"/api/v1/customers/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/customers/{other.pk}").status_code == 404
    assert [c["name"] for c in client.get("/api/v1/customers").json()["items"]] == ["张伟"]


@pytest.mark.parametrize("role", ["owner", "admin", "readonly"])
def test_owner_admin_and_readonly_list_every_customer(tenant, role):
    for key in ("sales", "sales_b", "manager"):
        CustomerFactory(actor=tenant.actor(key), name=key)
    assert tenant.api(role).get("/api/v1/customers").json()["count"] == 3


def test_readonly_every_write_is_403_with_a_message(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="张伟")
    client = tenant.api("readonly")
    responses = [
        client.post("/api/v1/customers", {"name": "x"}, content_type="application/json"),
        _patch(client, customer.pk, {"name": "x", "version": 1}),
        client.delete(f"/api/v1/customers/{customer.pk}"),
    ]
    for response in responses:
        assert response.status_code == 403
        assert response.json()["message"] == "Your role is read-only in this company."
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200


def test_customer_list_api_without_n_plus_1(tenant, django_assert_max_num_queries):
    for i in range(30):
        CustomerFactory(actor=tenant.actor(("sales", "sales_b")[i % 2]), name=f"客户{i:02d}")
    client = tenant.api("owner")
    client.get("/api/v1/customers")
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/customers", {"limit": 50}).json()
    assert body["count"] == 30 and len(body["items"]) == 30


@pytest.fixture
def zhang_wei(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), **ZHANG_WEI)
    CustomerFactory(actor=tenant.actor("sales"), name="王芳", phone="13912345678")
    return customer


@pytest.mark.parametrize("q", FINDS_ZHANG_WEI)
def test_api_search_finds_zhang_wei(tenant, zhang_wei, q):
    items = tenant.api("sales").get("/api/v1/customers", {"q": q}).json()["items"]
    assert [c["name"] for c in items] == ["张伟"]


@pytest.mark.parametrize("q", FINDS_NOTHING)
def test_api_search_without_a_match_finds_nothing(tenant, zhang_wei, q):
    assert tenant.api("sales").get("/api/v1/customers", {"q": q}).json()["count"] == 0


def test_api_search_after_rename_and_delete(tenant, zhang_wei):
    client = tenant.api("sales")
    _patch(client, zhang_wei.pk, {"name": "李娜", "version": 1})
    assert client.get("/api/v1/customers", {"q": "张伟"}).json()["count"] == 0
    assert client.get("/api/v1/customers", {"q": "lina"}).json()["count"] == 1
    client.delete(f"/api/v1/customers/{zhang_wei.pk}")
    assert client.get("/api/v1/customers", {"q": "lina"}).json()["count"] == 0


def test_api_search_respects_company_and_role(tenant, other_tenant, zhang_wei):
    assert other_tenant.api("owner").get("/api/v1/customers", {"q": "张伟"}).json()["count"] == 0
    assert tenant.api("sales_b").get("/api/v1/customers", {"q": "张伟"}).json()["count"] == 0
    assert tenant.api("manager").get("/api/v1/customers", {"q": "张伟"}).json()["count"] == 1


def test_contact_list_follows_the_record_rules_and_the_trash(tenant, other_tenant):
    """GET /api/v1/contacts: primary contacts first, then by name; a salesperson sees the
    contacts of their own customers; a trashed customer's contacts are gone, and come back
    with it; another company's never appear."""
    from shangyou.contacts.services import contact_create, customer_delete
    from shangyou.core.models import TrashItem
    from shangyou.core.services import trash_restore

    ours = CustomerFactory(actor=tenant.actor("sales"), name="华东机械")
    theirs = CustomerFactory(actor=tenant.actor("sales_b"), name="华南电子")
    foreign = CustomerFactory(actor=other_tenant.actor("sales"), name="乙方客户")
    contact_create(actor=tenant.actor(), customer=ours, data={"name": "王工"})
    contact_create(actor=tenant.actor(), customer=ours, data={"name": "李经理", "is_primary": True})
    contact_create(actor=tenant.actor(), customer=theirs, data={"name": "赵总"})
    contact_create(actor=other_tenant.actor(), customer=foreign, data={"name": "外人"})

    def names(key="owner", **params):
        body = tenant.api(key).get("/api/v1/contacts", params).json()
        return [c["name"] for c in body["items"]]

    assert names() == ["李经理", "王工", "赵总"]
    assert names("sales") == ["李经理", "王工"]
    assert names("sales_b") == ["赵总"]
    assert names(customer=theirs.pk) == ["赵总"]
    assert names("sales", customer=theirs.pk) == []

    customer_delete(actor=tenant.actor(), customer=ours)
    assert names() == ["赵总"]
    item = TrashItem.objects.get(company=tenant.company, object_id=ours.pk)
    trash_restore(actor=tenant.actor(), item_id=item.pk)
    assert names() == ["李经理", "王工", "赵总"]
