"""Tenant-isolation factories for the platform's product routes (merged into
tests/test_isolation.py). Each returns a PRIVATE product (or an image of one) of company A: a
private product has no public page, so company B must get 404. That a public product *is*
visible to other companies is tested in tests/network/test_products.py."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from shangyou.catalog.models import Product, ProductImage
from tests.catalog.factories import PNG
from tests.test_isolation import _tenant_row


def _private_product(a):
    if "private_product" not in a.cache:
        a.cache["private_product"] = _tenant_row(
            a, Product, sku="PRIVATE-1", name="甲公司未公开产品", price=Decimal(99), is_public=False
        )
    return a.cache["private_product"]


def _private_product_image(a):
    upload = SimpleUploadedFile("private.png", PNG)
    return _tenant_row(a, ProductImage, product_id=_private_product(a), file=upload)


PARAM_FACTORIES = {
    "public_product_id": _private_product,
    "public_product_image_id": _private_product_image,
}
