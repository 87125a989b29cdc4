"""Catalogue pages: render in zh-hans and English, forms post, read-only members are refused,
the product list's query count does not grow with its rows."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shangyou.catalog import diy, services
from shangyou.catalog.models import Category, DiyDesign, PriceListItem, Product, ProductImage
from tests.catalog.factories import (
    PNG,
    make_attribute,
    make_category,
    make_configurable,
    make_product,
)
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tenant):
    owner = tenant.actor("owner")
    category = make_category(owner, "机械设备")
    make_attribute(owner, category, "power_kw", type="number", required=True, unit="kW")
    product = make_product(
        owner, name="液压机", sku="HP-200", category_id=category.pk,
        specifications={"power_kw": "15"},
    )  # fmt: skip
    ipc, _options = make_configurable(owner)
    price_list = services.price_list_create(actor=owner, data={"name": "标准价目表"})
    services.price_list_item_set(
        actor=owner, price_list=price_list, product=product, price=Decimal(90)
    )
    customer = CustomerFactory(actor=tenant.actor("sales"), name="华东机械")
    design = diy.diy_design_create(actor=owner, customer=customer, title="定制外壳")
    services.exchange_rate_create(
        actor=owner, data={"currency": "USD", "rate": "7.1", "valid_on": "2026-01-01"}
    )
    return {"category": category, "product": product, "ipc": ipc, "price_list": price_list,
            "customer": customer, "design": design}  # fmt: skip


def _pages(c):
    return [
        "/products/",
        "/products/new/",
        f"/products/{c['product'].pk}/",
        f"/products/{c['product'].pk}/edit/",
        f"/products/{c['ipc'].pk}/components/",
        f"/products/{c['ipc'].pk}/configure/",
        "/products/categories/",
        f"/products/categories/{c['category'].pk}/",
        "/products/price-lists/",
        f"/products/price-lists/{c['price_list'].pk}/",
        "/products/rates/",
        "/products/designs/",
        "/products/designs/new/",
        f"/products/designs/{c['design'].pk}/",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders(tenant, catalogue, language):
    client = tenant.client("owner")
    client.cookies["django_language"] = language
    for url in _pages(catalogue):
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode(), url


def test_english_product_page_shows_prices_and_specs(tenant, catalogue, english):
    body = tenant.client("owner").get(f"/products/{catalogue['product'].pk}/").content.decode()
    assert "标准价目表" in body
    assert "Power_Kw" in body and "15 kW" in body


def test_create_product_through_the_form(tenant, catalogue):
    response = tenant.client("sales").post(
        "/products/new/",
        {"sku": "NEW-1", "name": "新产品", "category_id": catalogue["category"].pk,
         "status": "standard", "unit": "台", "price": "10", "currency": "CNY",
         "tax_rate": "13", "min_order_quantity": "1", "is_public": "on",
         "spec_power_kw": "2.2"},
    )  # fmt: skip
    product = Product.objects.get(sku="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/"
    assert product.specifications == {"power_kw": "2.2"}


def test_form_shows_the_duplicate_sku_and_spec_errors(tenant, catalogue, english):
    response = tenant.client("owner").post(
        "/products/new/",
        {"sku": "HP-200", "name": "x", "category_id": catalogue["category"].pk,
         "status": "standard", "unit": "pcs", "price": "1", "currency": "CNY",
         "tax_rate": "13", "min_order_quantity": "1"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "is already used by" in body or "this specification is required" in body


def test_spec_fields_follow_the_category(tenant, catalogue):
    response = tenant.client("owner").get(
        f"/products/spec-fields/?category_id={catalogue['category'].pk}",
        headers={"HX-Request": "true"},
    )
    assert 'name="spec_power_kw"' in response.content.decode()
    empty = tenant.client("owner").get("/products/spec-fields/?category_id=")
    assert 'id="no-spec-fields"' in empty.content.decode()


def test_edit_with_a_stale_version_shows_the_conflict(tenant, catalogue, english):
    product = catalogue["product"]
    services.product_update(
        actor=tenant.actor("owner"), product=product, data={"name": "新名"}, version=1
    )
    response = tenant.client("owner").post(
        f"/products/{product.pk}/edit/",
        {"sku": "HP-200", "name": "旧名", "category_id": catalogue["category"].pk,
         "status": "standard", "unit": "台", "price": "1", "currency": "CNY", "tax_rate": "13",
         "min_order_quantity": "1", "spec_power_kw": "15", "version": "1"},
    )  # fmt: skip
    assert "changed this record" in response.content.decode()
    assert Product.objects.get(pk=product.pk).name == "新名"


def test_readonly_member_sees_no_edit_buttons_and_gets_403(tenant, catalogue):
    client = tenant.client("readonly")
    product = catalogue["product"]
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert 'id="edit-product"' not in page and 'id="delete-product"' not in page
    assert 'id="new-product"' not in client.get("/products/").content.decode()

    assert client.get("/products/new/").status_code == 403
    assert client.post(f"/products/{product.pk}/delete/").status_code == 403
    assert client.post("/products/categories/", {"name": "x", "position": 0}).status_code == 403
    assert client.post("/products/rates/", {}).status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()
    assert not Category.objects.filter(name="x").exists()


def test_product_list_query_count_does_not_grow(tenant, catalogue, django_assert_max_num_queries):
    client = tenant.client("owner")
    client.get("/products/")  # warm the session and caches
    with django_assert_max_num_queries(14) as captured:
        client.get("/products/")
    few = len(captured.captured_queries)
    owner = tenant.actor("owner")
    for i in range(15):
        make_product(owner, name=f"批量 {i}", category_id=catalogue["category"].pk,
                     specifications={"power_kw": "1"})  # fmt: skip
    with django_assert_max_num_queries(few):
        response = client.get("/products/?q=pl&sort=-price")
    assert response.status_code == 200


def test_search_as_you_type_returns_the_table(tenant, catalogue):
    response = tenant.client("owner").get("/products/?q=yeyaji", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "液压机" in body and "<html" not in body


def test_image_upload_and_authorised_serving(tenant, other_tenant, catalogue):
    product = catalogue["product"]
    client = tenant.client("owner")
    client.post(
        f"/products/{product.pk}/images/",
        {"file": SimpleUploadedFile("p.png", PNG), "caption": "正面"},
    )
    image = ProductImage.objects.get(product=product)
    served = client.get(f"/products/images/{image.pk}/")
    assert b"".join(served.streaming_content) == PNG
    assert other_tenant.client("owner").get(f"/products/images/{image.pk}/").status_code == 404


def test_configurator_updates_live_and_saves_for_a_customer(tenant, catalogue):
    ipc = catalogue["ipc"]
    groups = {g.name: g for g in ipc.component_groups.all()}
    options = {o.name: o for g in groups.values() for o in g.options.all()}
    client = tenant.client("owner")
    query = (
        f"configured=1&option_{groups['CPU'].pk}={options['i9'].pk}"
        f"&option_{groups['Memory'].pk}={options['8GB'].pk}"
        f"&option_{groups['Extras'].pk}={options['fanless'].pk}"
    )
    partial = client.get(f"/products/{ipc.pk}/configure/?{query}", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "i9 runs too hot for the fanless case." in body
    assert 'id="config-errors"' in body

    response = client.post(
        f"/products/{ipc.pk}/configure/",
        {"configured": "1", f"option_{groups['CPU'].pk}": options["i9"].pk,
         f"option_{groups['Memory'].pk}": options["32GB"].pk,
         "customer_id": catalogue["customer"].pk, "name": "客户方案"},
    )  # fmt: skip
    assert response.status_code == 302
    configuration = ipc.configurations.get()
    assert (configuration.name, configuration.customer_id) == ("客户方案", catalogue["customer"].pk)
    assert configuration.unit_price == Decimal(2200)


def test_component_editor_adds_group_option_and_rule(tenant):
    owner = tenant.actor("owner")
    product = make_product(owner, name="自行车")
    client = tenant.client("owner")
    client.post(
        f"/products/{product.pk}/components/",
        {"group-name": "车架", "group-required": "on", "group-position": "0"},
    )
    group = product.component_groups.get()
    for name in ("铝", "碳"):
        client.post(
            f"/products/components/groups/{group.pk}/options/",
            {"option-name": name, "option-price_delta": "100",
             "option-specifications": "frame=" + name, "option-position": "0"},
        )  # fmt: skip
    aluminium, carbon = group.options.order_by("name")
    client.post(
        f"/products/{product.pk}/rules/",
        {"rule-option_id": aluminium.pk, "rule-kind": "excludes", "rule-other_id": carbon.pk},
    )
    assert product.compatibility_rules.count() == 1
    assert carbon.specifications == {"frame": "碳"} or aluminium.specifications == {"frame": "碳"}


def test_category_page_creates_categories_and_attributes(tenant, english):
    client = tenant.client("owner")
    client.post("/products/categories/", {"name": "电子", "position": "0"})
    category = Category.objects.get(name="电子")
    client.post(
        f"/products/categories/{category.pk}/attributes/",
        {"attr-label": "电压", "attr-key": "voltage", "attr-type": "choice",
         "attr-choices": "220, 380", "attr-position": "0"},
    )  # fmt: skip
    assert list(category.attributes.values_list("choices", flat=True)) == [["220", "380"]]
    make_product(tenant.actor("owner"), category_id=category.pk)
    response = client.post(f"/products/categories/{category.pk}/delete/", follow=True)
    assert "Move or delete them first." in response.content.decode()


def test_price_list_editor_sets_a_tier(tenant, catalogue):
    client = tenant.client("owner")
    price_list = catalogue["price_list"]
    client.post(
        f"/products/price-lists/{price_list.pk}/items/",
        {"product_id": catalogue["product"].pk, "min_quantity": "50", "price": "80"},
    )
    tiers = PriceListItem.objects.filter(price_list=price_list).order_by("min_quantity")
    assert [(t.min_quantity, t.price) for t in tiers] == [(1, 90), (50, 80)]


def test_design_page_reviews_and_features(tenant, catalogue):
    design = catalogue["design"]
    client = tenant.client("manager")
    client.post(f"/products/designs/{design.pk}/review/", {"decision": "approve", "version": 1})
    client.post(f"/products/designs/{design.pk}/feature/", {"featured": "1"})
    design.refresh_from_db()
    assert (design.status, design.is_featured) == ("approved", True)


def test_design_is_created_from_the_designs_page_with_a_customer(tenant, catalogue):
    client = tenant.client("owner")
    response = client.post(
        "/products/designs/new/",
        {"customer_id": catalogue["customer"].pk, "title": "我的灯",
         "file": SimpleUploadedFile("lamp.pdf", b"%PDF")},
    )  # fmt: skip
    design = DiyDesign.objects.get(title="我的灯")
    assert response["Location"] == f"/products/designs/{design.pk}/"
    status = client.get("/products/designs/?status=submitted").content.decode()
    assert "我的灯" in status


def test_customer_picker_answers_json(tenant, catalogue):
    response = tenant.client("owner").get("/products/lookup/customers/?q=华东")
    assert response.json() == [{"value": catalogue["customer"].pk, "text": "华东机械"}]
