"""Tenant-isolation factories for the catalogue's path parameters (merged into
tests/test_isolation.py): each creates the object in company A."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from shangyou.catalog.models import (
    AttributeDefinition,
    Category,
    CompatibilityRule,
    ComponentGroup,
    ComponentOption,
    Configuration,
    DiyDesign,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
    ProductGrant,
    ProductImage,
)
from tests.catalog.factories import PNG
from tests.test_isolation import _tenant_row


def _cached(a, key, make):
    if key not in a.cache:
        a.cache[key] = make()
    return a.cache[key]


def _category(a):
    return _cached(a, "category", lambda: _tenant_row(a, Category, name="甲公司机密分类"))


def _product(a):
    def make():
        pk = _tenant_row(a, Product, sku="SECRET-1", name="甲公司机密产品", price=Decimal(99))
        Product.objects.filter(pk=pk).update(category_id=_category(a))
        return pk

    return _cached(a, "product", make)


def _attribute_id(a):
    return _tenant_row(a, AttributeDefinition, category_id=_category(a), key="power", label="功率")


def _product_image_id(a):
    upload = SimpleUploadedFile("secret.png", PNG)
    return _tenant_row(a, ProductImage, product_id=_product(a), file=upload)


def _grant_id(a):
    return _tenant_row(a, ProductGrant, product_id=_product(a), customer=a.customer())


def _group(a):
    return _cached(
        a, "group", lambda: _tenant_row(a, ComponentGroup, product_id=_product(a), name="CPU")
    )


def _option(a, name="i7"):
    return _tenant_row(a, ComponentOption, group_id=_group(a), name=name)


def _component_option_id(a):
    return _option(a)


def _compat_rule_id(a):
    return _tenant_row(
        a,
        CompatibilityRule,
        product_id=_product(a),
        option_id=_option(a, "i9"),
        kind="excludes",
        other_id=_option(a, "fanless"),
    )


def _configuration_id(a):
    return _tenant_row(a, Configuration, product_id=_product(a), option_ids=[], summary="机密")


def _price_list(a):
    return _cached(a, "price_list", lambda: _tenant_row(a, PriceList, name="甲公司 VIP 价"))


def _price_item_id(a):
    return _tenant_row(
        a, PriceListItem, price_list_id=_price_list(a), product_id=_product(a), price=Decimal(1)
    )


def _rate_id(a):
    return _tenant_row(a, ExchangeRate, currency="USD", rate=Decimal(7), valid_on=date(2026, 1, 1))


def _design_id(a):
    upload = SimpleUploadedFile("设计.pdf", b"%PDF-1.4 secret design")
    return _tenant_row(
        a,
        DiyDesign,
        customer=a.customer(),
        title="甲公司客户的设计",
        source="staff",
        file=upload,
        file_name="设计.pdf",
    )


PARAM_FACTORIES = {
    "product_id": _product,
    "category_id": _category,
    "attribute_id": _attribute_id,
    "product_image_id": _product_image_id,
    "grant_id": _grant_id,
    "component_group_id": _group,
    "component_option_id": _component_option_id,
    "compat_rule_id": _compat_rule_id,
    "configuration_id": _configuration_id,
    "price_list_id": _price_list,
    "price_item_id": _price_item_id,
    "rate_id": _rate_id,
    "design_id": _design_id,
}
PUBLIC_ROUTES: set[str] = set()
