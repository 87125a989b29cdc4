"""The catalogue API: CRUD, version conflicts, filters, the price endpoint, configurator,
designs."""

from datetime import date
from decimal import Decimal

import pytest

from shangyou.catalog import services
from shangyou.catalog.models import Product
from tests.catalog.factories import PNG, make_category, make_configurable, make_product
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_product_crud(tenant):
    api = tenant.api("owner")
    category = make_category(tenant.actor("owner"), "轴承")

    created = api.post(
        "/api/v1/products",
        {"sku": "B-6205", "name": "深沟球轴承", "category_id": category.pk, "price": "18.50"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    product = created.json()
    assert (product["sku"], Decimal(product["price"]), product["version"]) == (
        "B-6205",
        Decimal("18.5"),
        1,
    )

    read = api.get(f"/api/v1/products/{product['id']}")
    assert read.json()["name"] == "深沟球轴承"

    patched = api.patch(
        f"/api/v1/products/{product['id']}",
        {"price": "17", "version": 1},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert (Decimal(patched.json()["price"]), patched.json()["version"]) == (Decimal(17), 2)

    assert api.delete(f"/api/v1/products/{product['id']}").status_code == 204
    assert api.get(f"/api/v1/products/{product['id']}").status_code == 404


def test_stale_version_gets_409(tenant):
    api = tenant.api("owner")
    product = make_product(tenant.actor("owner"))
    api.patch(f"/api/v1/products/{product.pk}", {"name": "A", "version": 1}, "application/json")
    response = api.patch(
        f"/api/v1/products/{product.pk}", {"name": "B", "version": 1}, "application/json"
    )
    assert response.status_code == 409
    assert response.json()["extra"]["current_version"] == 2
    assert Product.objects.get(pk=product.pk).name == "A"


def test_duplicate_sku_gets_422_on_the_sku_field(tenant):
    make_product(tenant.actor("owner"), sku="X-1")
    response = tenant.api("owner").post(
        "/api/v1/products", {"sku": "X-1", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "sku" in response.json()["errors"]


def test_product_list_filters(tenant):
    owner = tenant.actor("owner")
    root = make_category(owner)
    child = make_category(owner, parent=root)
    bearing = make_product(owner, name="深沟球轴承", sku="PRT-6205", category_id=child.pk)
    make_product(owner, name="概念机器人", status="concept", is_public=False)
    api = tenant.api("readonly")

    def names(query):
        response = api.get(f"/api/v1/products?{query}")
        assert response.status_code == 200
        return [p["name"] for p in response.json()["items"]]

    assert names("q=zhoucheng") == ["深沟球轴承"]
    assert names(f"category={root.pk}") == ["深沟球轴承"]
    assert names("status=concept") == ["概念机器人"]
    assert names("public=false") == ["概念机器人"]
    assert names("sort=-name&limit=1") in (["深沟球轴承"], ["概念机器人"])
    assert api.get("/api/v1/products").json()["count"] == 2
    assert bearing.pk


def test_readonly_member_cannot_write(tenant):
    response = tenant.api("readonly").post(
        "/api/v1/products", {"sku": "X", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_category_tree_crud_and_cycle_refused(tenant):
    api = tenant.api("owner")
    root = api.post("/api/v1/categories", {"name": "机械"}, "application/json").json()
    child = api.post(
        "/api/v1/categories", {"name": "机床", "parent_id": root["id"]}, "application/json"
    ).json()
    cycle = api.patch(
        f"/api/v1/categories/{root['id']}",
        {"parent_id": child["id"], "version": root["version"]},
        "application/json",
    )
    assert cycle.status_code == 422
    listed = api.get("/api/v1/categories").json()["items"]
    assert [c["name"] for c in listed] == ["机械", "机床"]
    assert api.delete(f"/api/v1/categories/{root['id']}").status_code == 409
    assert api.delete(f"/api/v1/categories/{child['id']}").status_code == 204


def test_attributes_validate_product_specifications(tenant):
    api = tenant.api("owner")
    category = api.post("/api/v1/categories", {"name": "电机"}, "application/json").json()
    attribute = api.post(
        f"/api/v1/categories/{category['id']}/attributes",
        {"key": "power_kw", "label": "功率", "type": "number", "required": True},
        "application/json",
    )
    assert attribute.status_code == 201
    bad = api.post(
        "/api/v1/products",
        {"sku": "M-1", "name": "电机", "category_id": category["id"],
         "specifications": {"power_kw": "abc"}},
        "application/json",
    )  # fmt: skip
    assert bad.status_code == 422
    assert "specifications.power_kw" in bad.json()["errors"]
    good = api.post(
        "/api/v1/products",
        {"sku": "M-1", "name": "电机", "category_id": category["id"],
         "specifications": {"power_kw": 5.5}},
        "application/json",
    )  # fmt: skip
    assert good.json()["specifications"] == {"power_kw": "5.5"}


def test_price_endpoint(tenant):
    owner = tenant.actor("owner")
    customer = CustomerFactory(actor=owner, name="老客户")
    product = make_product(owner, price=Decimal("100"))
    own = services.price_list_create(actor=owner, data={"name": "专属", "customer_id": customer.pk})
    services.price_list_item_set(
        actor=owner, price_list=own, product=product, price=Decimal(90), min_quantity=Decimal(10)
    )
    services.exchange_rate_create(
        actor=owner, data={"currency": "USD", "rate": Decimal("7.2"), "valid_on": date(2026, 1, 1)}
    )
    api = tenant.api("sales_b")

    response = api.get(
        f"/api/v1/products/{product.pk}/price?customer={customer.pk}&quantity=10"
        "&currency=USD&date=2026-06-01"
    )
    # sales_b may not see a colleague's customer: 404, not someone else's price
    assert response.status_code == 404

    response = tenant.api("owner").get(
        f"/api/v1/products/{product.pk}/price?customer={customer.pk}&quantity=10"
        "&currency=USD&date=2026-06-01"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["unit_price"], body["currency"], body["price_list_id"]) == (
        "12.5000",
        "USD",
        own.pk,
    )

    missing = tenant.api("owner").get(f"/api/v1/products/{product.pk}/price?currency=EUR")
    assert missing.status_code == 422


def test_price_lists_items_and_rates(tenant):
    api = tenant.api("owner")
    product = make_product(tenant.actor("owner"))
    price_list = api.post(
        "/api/v1/price-lists", {"name": "标准", "currency": "CNY"}, "application/json"
    ).json()
    item = api.post(
        f"/api/v1/price-lists/{price_list['id']}/items",
        {"product_id": product.pk, "min_quantity": "100", "price": "9.9"},
        "application/json",
    )
    assert item.status_code == 201
    items = api.get(f"/api/v1/price-lists/{price_list['id']}/items").json()
    assert [(Decimal(i["min_quantity"]), Decimal(i["price"])) for i in items["items"]] == [
        (Decimal(100), Decimal("9.9"))
    ]
    stale = api.patch(
        f"/api/v1/price-lists/{price_list['id']}", {"name": "x", "version": 0}, "application/json"
    )
    assert stale.status_code == 409
    rate = api.post(
        "/api/v1/exchange-rates",
        {"currency": "EUR", "rate": "7.8", "valid_on": "2026-01-01"},
        "application/json",
    )
    assert rate.status_code == 201
    assert api.get("/api/v1/exchange-rates?currency=EUR").json()["count"] == 1


def test_grants_endpoint(tenant):
    owner = tenant.actor("owner")
    customer = CustomerFactory(actor=owner, name="授权客户")
    product = make_product(owner, is_public=False)
    api = tenant.api("owner")
    grant = api.post(
        f"/api/v1/products/{product.pk}/grants", {"customer_id": customer.pk}, "application/json"
    )
    assert grant.status_code == 201
    assert len(api.get(f"/api/v1/products/{product.pk}/grants").json()) == 1
    assert api.delete(f"/api/v1/grants/{grant.json()['id']}").status_code == 204


def test_image_upload_and_serving(tenant, other_tenant):
    product = make_product(tenant.actor("owner"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = tenant.api("owner")
    response = api.post(
        f"/api/v1/products/{product.pk}/images",
        {"file": SimpleUploadedFile("p.png", PNG), "caption": "正面"},
    )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert b"".join(api.get(url).streaming_content) == PNG
    assert other_tenant.api("owner").get(url).status_code == 404


def test_configure_and_save_configurations(tenant):
    product, options = make_configurable(tenant.actor("owner"))
    api = tenant.api("sales")
    computed = api.post(
        f"/api/v1/products/{product.pk}/configure",
        {"option_ids": [options["i9"].pk, options["8GB"].pk, options["fanless"].pk]},
        "application/json",
    ).json()
    assert computed["ok"] is False
    assert computed["errors"] == ["i9 runs too hot for the fanless case."]
    assert Decimal(computed["unit_price"]) == Decimal(1950)

    refused = api.post(
        f"/api/v1/products/{product.pk}/configurations",
        {"option_ids": [options["i9"].pk, options["8GB"].pk, options["fanless"].pk]},
        "application/json",
    )
    assert refused.status_code == 422

    saved = api.post(
        f"/api/v1/products/{product.pk}/configurations", {"option_ids": None}, "application/json"
    )
    assert saved.status_code == 201
    configuration = saved.json()
    assert Decimal(configuration["unit_price"]) == Decimal(1000)
    assert api.get(f"/api/v1/configurations/{configuration['id']}").status_code == 200
    assert api.get(f"/api/v1/products/{product.pk}/configurations").json()["count"] == 1
    components = api.get(f"/api/v1/products/{product.pk}/components").json()
    assert [g["name"] for g in components["groups"]] == ["CPU", "Memory", "Extras"]
    assert len(components["rules"]) == 2


def test_designs_endpoints(tenant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = CustomerFactory(actor=tenant.actor("sales"), name="设计客户")
    api = tenant.api("sales")
    created = api.post(
        f"/api/v1/customers/{customer.pk}/designs",
        {"title": "定制外壳", "file": SimpleUploadedFile("case.stl", b"solid case")},
    )
    assert created.status_code == 201, created.content
    design = created.json()
    assert design["source"] == "staff"
    file = api.get(f"/api/v1/designs/{design['id']}/file")
    assert b"".join(file.streaming_content) == b"solid case"
    reject = api.post(
        f"/api/v1/designs/{design['id']}/review", {"approve": False}, "application/json"
    )
    assert reject.status_code == 422
    approve = api.post(
        f"/api/v1/designs/{design['id']}/review", {"approve": True}, "application/json"
    )
    assert approve.json()["status"] == "approved"
    featured = api.post(f"/api/v1/designs/{design['id']}/feature", {}, "application/json")
    assert featured.json()["is_featured"] is True
    assert api.get("/api/v1/designs?status=approved").json()["count"] == 1
    assert api.get("/api/v1/designs?status=submitted").json()["count"] == 0
