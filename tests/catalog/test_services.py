"""Categories, specifications, products, images, grants, price lists, exchange rates."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shangyou.catalog import selectors, services
from shangyou.catalog.models import Category, Product, ProductImage
from shangyou.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry, TrashItem
from shangyou.core.services import trash_restore
from tests.catalog.factories import PNG, make_attribute, make_category, make_product

pytestmark = pytest.mark.django_db


# --- categories ---------------------------------------------------------------------------------
def test_category_cannot_be_moved_under_its_own_descendant(tenant, english):
    owner = tenant.actor("owner")
    root = make_category(owner, "机械")
    child = make_category(owner, "机床", parent=root)
    grandchild = make_category(owner, "车床", parent=child)

    with pytest.raises(ValidationFailed) as exc:
        services.category_update(
            actor=owner, category=root, data={"parent_id": grandchild.pk}, version=root.version
        )

    assert "cannot be moved under itself" in str(exc.value.message)
    assert "parent_id" in exc.value.errors
    assert Category.objects.get(pk=root.pk).parent_id is None


def test_category_cannot_be_its_own_parent(tenant):
    owner = tenant.actor("owner")
    root = make_category(owner)
    with pytest.raises(ValidationFailed):
        services.category_update(
            actor=owner, category=root, data={"parent_id": root.pk}, version=root.version
        )


def test_category_with_products_or_children_cannot_be_deleted(tenant, english):
    owner = tenant.actor("owner")
    root = make_category(owner, "机械")
    child = make_category(owner, "机床", parent=root)
    make_product(owner, category_id=child.pk)

    with pytest.raises(Conflict, match="1 subcategories and 0 products"):
        services.category_delete(actor=owner, category=root)
    with pytest.raises(Conflict, match="0 subcategories and 1 products"):
        services.category_delete(actor=owner, category=child)


def test_empty_category_goes_to_the_trash(tenant):
    owner = tenant.actor("owner")
    category = make_category(owner)
    services.category_delete(actor=owner, category=category)
    assert not Category.objects.filter(pk=category.pk).exists()
    assert TrashItem.objects.filter(object_id=category.pk, company=tenant.company).exists()


def test_category_parent_of_another_company_is_refused(tenant, other_tenant):
    foreign = make_category(other_tenant.actor("owner"))
    with pytest.raises(ValidationFailed):
        make_category(tenant.actor("owner"), parent=foreign)


# --- specifications -----------------------------------------------------------------------------
@pytest.fixture
def machine_category(tenant):
    owner = tenant.actor("owner")
    root = make_category(owner, "机械设备")
    make_attribute(owner, root, "power_kw", type="number", required=True, unit="kW")
    child = make_category(owner, "数控机床", parent=root)
    make_attribute(owner, child, "voltage", type="choice", choices=["220", "380"])
    make_attribute(owner, child, "fanless", type="boolean")
    make_attribute(owner, child, "color")
    return child


def test_specifications_are_typed_by_the_category_and_its_ancestors(tenant, machine_category):
    product = make_product(
        tenant.actor("owner"),
        category_id=machine_category.pk,
        specifications={"power_kw": "7.50", "voltage": "380", "fanless": "是", "color": " 蓝 "},
    )
    assert product.specifications == {
        "power_kw": "7.50",
        "voltage": "380",
        "fanless": True,
        "color": "蓝",
    }


def test_numbers_are_stored_as_exact_decimal_strings(tenant, machine_category):
    product = make_product(
        tenant.actor("owner"), category_id=machine_category.pk, specifications={"power_kw": 0.1}
    )
    assert product.specifications["power_kw"] == "0.1"


def test_required_specification_of_an_ancestor_is_enforced(tenant, machine_category, english):
    with pytest.raises(ValidationFailed) as exc:
        make_product(tenant.actor("owner"), category_id=machine_category.pk, specifications={})
    assert exc.value.errors == {
        "specifications.power_kw": ["Power_Kw: this specification is required."]
    }


def test_invalid_number_choice_and_unknown_key_are_refused(tenant, machine_category, english):
    with pytest.raises(ValidationFailed) as exc:
        make_product(
            tenant.actor("owner"),
            category_id=machine_category.pk,
            specifications={"power_kw": "lots", "voltage": "110", "weight": "3"},
        )
    errors = exc.value.errors
    assert "not a valid number" in errors["specifications.power_kw"][0]
    assert "is not one of: 220, 380" in errors["specifications.voltage"][0]
    assert "no specification “weight”" in errors["specifications.weight"][0]


def test_changing_the_category_revalidates_the_specifications(tenant, machine_category):
    owner = tenant.actor("owner")
    product = make_product(owner, specifications={"note": "x"})
    with pytest.raises(ValidationFailed):
        services.product_update(
            actor=owner,
            product=product,
            data={"category_id": machine_category.pk},
            version=product.version,
        )
    product = services.product_update(
        actor=owner,
        product=product,
        data={"category_id": machine_category.pk, "specifications": {"power_kw": "3"}},
        version=product.version,
    )
    assert product.specifications == {"power_kw": "3"}


def test_choice_attribute_needs_choices(tenant):
    owner = tenant.actor("owner")
    with pytest.raises(ValidationFailed):
        make_attribute(owner, make_category(owner), "voltage", type="choice")


def test_attribute_key_is_unique_in_its_category(tenant):
    owner = tenant.actor("owner")
    category = make_category(owner)
    make_attribute(owner, category, "power")
    with pytest.raises(ValidationFailed):
        make_attribute(owner, category, "power")


# --- products -----------------------------------------------------------------------------------
def test_sku_is_unique_per_company_with_a_clear_message(tenant, english):
    owner = tenant.actor("owner")
    make_product(owner, name="轴承 6205", sku="B-6205")
    with pytest.raises(ValidationFailed) as exc:
        make_product(owner, sku="B-6205")
    assert exc.value.errors["sku"] == [
        "The SKU “B-6205” is already used by “轴承 6205”. Choose another one."
    ]


def test_the_same_sku_may_exist_in_two_companies(tenant, other_tenant):
    make_product(tenant.actor("owner"), sku="B-6205")
    make_product(other_tenant.actor("owner"), sku="B-6205")
    assert Product.objects.filter(sku="B-6205").count() == 2


def test_sku_of_a_trashed_product_can_be_reused(tenant):
    owner = tenant.actor("owner")
    old = make_product(owner, sku="B-6205")
    services.product_delete(actor=owner, product=old)
    assert make_product(owner, sku="B-6205").pk != old.pk


def test_product_delete_and_restore_through_the_trash(tenant):
    owner = tenant.actor("owner")
    product = make_product(owner)
    services.product_delete(actor=owner, product=product)
    assert not selectors.product_list(actor=owner).filter(pk=product.pk).exists()

    item = TrashItem.objects.get(object_id=product.pk, company=tenant.company)
    trash_restore(actor=owner, item_id=item.pk)

    assert selectors.product_list(actor=owner).filter(pk=product.pk).exists()


def test_product_update_is_audited_and_versioned(tenant):
    owner = tenant.actor("owner")
    product = make_product(owner, price=Decimal(10))
    product = services.product_update(
        actor=owner, product=product, data={"price": Decimal(12)}, version=product.version
    )
    entry = AuditEntry.objects.filter(object_id=str(product.pk), action="update").get()
    assert entry.changes["price"] == ["10", "12"]
    assert product.version == 2


def test_stale_product_update_is_refused(tenant):
    owner = tenant.actor("owner")
    product = make_product(owner)
    services.product_update(actor=owner, product=product, data={"name": "A"}, version=1)
    stale = Product.objects.get(pk=product.pk)
    with pytest.raises(Conflict):
        services.product_update(actor=owner, product=stale, data={"name": "B"}, version=1)


def test_readonly_member_cannot_create_products(tenant):
    with pytest.raises(PermissionDenied):
        make_product(tenant.actor("readonly"))


def test_unknown_currency_is_refused(tenant, english):
    with pytest.raises(ValidationFailed, match="not a supported currency"):
        make_product(tenant.actor("owner"), currency="XYZ")


def test_product_list_searches_name_pinyin_initials_and_sku(tenant):
    owner = tenant.actor("owner")
    bearing = make_product(owner, name="深沟球轴承", sku="PRT-6205")
    make_product(owner, name="液压油缸", sku="PRT-HC63")

    def found(q):
        return list(selectors.product_list(actor=owner, q=q).values_list("pk", flat=True))

    assert found("轴承") == [bearing.pk]
    assert found("zhoucheng") == [bearing.pk]
    assert found("sgqzc") == [bearing.pk]
    assert found("6205") == [bearing.pk]


def test_product_list_category_filter_includes_subcategories(tenant):
    owner = tenant.actor("owner")
    root = make_category(owner)
    child = make_category(owner, parent=root)
    in_child = make_product(owner, category_id=child.pk)
    in_root = make_product(owner, category_id=root.pk)
    make_product(owner)

    ids = set(selectors.product_list(actor=owner, category_id=root.pk).values_list("pk", flat=True))

    assert ids == {in_child.pk, in_root.pk}


def test_product_list_filters_status_and_visibility(tenant):
    owner = tenant.actor("owner")
    concept = make_product(owner, status="concept")
    private = make_product(owner, is_public=False)
    assert list(selectors.product_list(actor=owner, status="concept")) == [concept]
    assert list(selectors.product_list(actor=owner, public="0")) == [private]


# --- images -------------------------------------------------------------------------------------
def test_image_upload_is_stored_and_checked_by_content(tenant, english):
    owner = tenant.actor("owner")
    product = make_product(owner)
    image = services.product_image_add(
        actor=owner, product=product, upload=SimpleUploadedFile("photo.png", PNG)
    )
    assert image.file.read() == PNG

    with pytest.raises(ValidationFailed, match="not a PNG, JPEG, GIF or WebP"):
        services.product_image_add(
            actor=owner, product=product, upload=SimpleUploadedFile("fake.png", b"<svg>")
        )
    with pytest.raises(ValidationFailed, match="cannot be uploaded"):
        services.product_image_add(
            actor=owner, product=product, upload=SimpleUploadedFile("x.svg", b"<svg>")
        )
    assert ProductImage.objects.filter(product=product).count() == 1


def test_too_large_image_is_refused(tenant, settings, english):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    owner = tenant.actor("owner")
    upload = SimpleUploadedFile("big.png", PNG + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationFailed, match="the limit is 1 MB"):
        services.product_image_add(actor=owner, product=make_product(owner), upload=upload)


# --- grants and visibility ----------------------------------------------------------------------
@pytest.fixture
def shop(tenant):
    from shangyou.contacts.grading import grade_create
    from tests.contacts.factories import CustomerFactory

    owner = tenant.actor("owner")
    vip = grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    return {
        "owner": owner,
        "vip": vip,
        "vip_customer": CustomerFactory(actor=owner, name="VIP 客户", grade_id=vip.pk),
        "plain": CustomerFactory(actor=owner, name="普通客户"),
        "public": make_product(owner, name="公开产品"),
        "private": make_product(owner, name="私有产品", is_public=False),
        "for_plain": make_product(owner, name="专供产品", is_public=False),
        "old": make_product(owner, name="停产产品", status="discontinued"),
    }


def test_private_products_are_visible_only_to_granted_customers_and_grades(tenant, shop):
    services.product_grant_create(actor=shop["owner"], product=shop["private"], grade=shop["vip"])
    services.product_grant_create(
        actor=shop["owner"], product=shop["for_plain"], customer=shop["plain"]
    )

    def visible(customer):
        return set(selectors.products_visible_to(company=tenant.company, customer=customer))

    assert visible(shop["vip_customer"]) == {shop["public"], shop["private"]}
    assert visible(shop["plain"]) == {shop["public"], shop["for_plain"]}
    assert visible(None) == {shop["public"]}


def test_discontinued_products_are_never_visible(tenant, shop):
    services.product_grant_create(actor=shop["owner"], product=shop["old"], customer=shop["plain"])
    assert shop["old"] not in selectors.products_visible_to(
        company=tenant.company, customer=shop["plain"]
    )


def test_granting_twice_returns_the_same_grant(tenant, shop):
    first = services.product_grant_create(
        actor=shop["owner"], product=shop["private"], grade=shop["vip"]
    )
    again = services.product_grant_create(
        actor=shop["owner"], product=shop["private"], grade=shop["vip"]
    )
    assert first.pk == again.pk


def test_grant_needs_exactly_one_target(tenant, shop):
    with pytest.raises(ValidationFailed):
        services.product_grant_create(actor=shop["owner"], product=shop["private"])
    with pytest.raises(ValidationFailed):
        services.product_grant_create(
            actor=shop["owner"], product=shop["private"], customer=shop["plain"], grade=shop["vip"]
        )


def test_public_products_span_companies_and_skip_private_discontinued_and_deleted(
    tenant, other_tenant
):
    owner, other = tenant.actor("owner"), other_tenant.actor("owner")
    ours = make_product(owner, name="数控车床")
    theirs = make_product(other, name="数控铣床")
    make_product(owner, name="数控私有", is_public=False)
    make_product(owner, name="数控旧款", status="discontinued")
    gone = make_product(other, name="数控删除")
    services.product_delete(actor=other, product=gone)

    assert set(selectors.public_products(q="数控")) == {ours, theirs}
    assert list(selectors.public_products(q="车床")) == [ours]


# --- price lists and exchange rates: writes -----------------------------------------------------
def test_price_list_for_grade_and_customer_at_once_is_refused(tenant, shop):
    with pytest.raises(ValidationFailed):
        services.price_list_create(
            actor=shop["owner"],
            data={"name": "x", "grade_id": shop["vip"].pk, "customer_id": shop["plain"].pk},
        )


def test_price_list_end_before_start_is_refused(tenant):
    from datetime import date

    with pytest.raises(ValidationFailed):
        services.price_list_create(
            actor=tenant.actor("owner"),
            data={"name": "x", "valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 1)},
        )


def test_setting_the_same_tier_replaces_the_price(tenant):
    owner = tenant.actor("owner")
    product = make_product(owner)
    price_list = services.price_list_create(actor=owner, data={"name": "标准"})
    first = services.price_list_item_set(
        actor=owner, price_list=price_list, product=product, price=Decimal(90)
    )
    second = services.price_list_item_set(
        actor=owner, price_list=price_list, product=product, price=Decimal(80)
    )
    assert first.pk == second.pk
    assert selectors.price_list_items(actor=owner, price_list=price_list).get().price == 80


def test_exchange_rate_for_the_base_currency_or_a_taken_date_is_refused(tenant, english):
    from datetime import date

    owner = tenant.actor("owner")
    with pytest.raises(ValidationFailed, match="base currency"):
        services.exchange_rate_create(
            actor=owner, data={"currency": "CNY", "rate": 1, "valid_on": date(2026, 1, 1)}
        )
    services.exchange_rate_create(
        actor=owner, data={"currency": "usd", "rate": "7.1", "valid_on": date(2026, 1, 1)}
    )
    with pytest.raises(ValidationFailed, match="already a USD rate"):
        services.exchange_rate_create(
            actor=owner, data={"currency": "USD", "rate": "7.2", "valid_on": date(2026, 1, 1)}
        )
