"""Sales test data made through services: customers, products (the generic `model_create`,
so the test does not depend on the catalogue's forms), opportunities and quotations."""

from decimal import Decimal

from shangyou.catalog.models import Configuration, Product
from shangyou.core.services import model_create
from shangyou.sales import services
from tests.contacts.factories import CustomerFactory

__all__ = ["CustomerFactory", "configuration", "opportunity", "product", "quotation"]


def product(actor, *, sku: str, name: str, price: str = "100.00", tax_rate: str = "13.00",
            unit: str = "台", **fields) -> Product:  # fmt: skip
    return model_create(
        actor=actor,
        instance=Product(
            sku=sku, name=name, price=Decimal(price), tax_rate=Decimal(tax_rate), unit=unit,
            **fields,
        ),
    )  # fmt: skip


def configuration(actor, *, product: Product, unit_price: str, summary: str, **fields):
    return model_create(
        actor=actor,
        instance=Configuration(
            product=product,
            unit_price=Decimal(unit_price),
            summary=summary,
            **{"option_ids": [1], **fields},
        ),  # fmt: skip
    )


def opportunity(actor, *, customer, **data):
    return services.opportunity_create(
        actor=actor, data={"customer_id": customer.pk, "name": "年度采购", **data}
    )


def quotation(actor, *, customer, lines=None, **data):
    lines = lines if lines is not None else [
        {"description": "安装服务", "quantity": "2", "unit_price": "150.00", "tax_rate": "6"}
    ]  # fmt: skip
    return services.quotation_create(
        actor=actor, data={"customer_id": customer.pk, **data}, lines=lines
    )
