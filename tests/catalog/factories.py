"""Catalogue rows made through the services, so search text, audit and validation are real."""

from decimal import Decimal
from itertools import count

from shangyou.catalog import configurator, services

_seq = count(1)

# The smallest valid PNG (1×1 transparent pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def make_category(actor, name=None, parent=None, **data):
    return services.category_create(
        actor=actor,
        data={"name": name or f"Category {next(_seq)}", "parent_id": parent.pk if parent else None,
              **data},
    )  # fmt: skip


def make_attribute(actor, category, key, *, type="text", required=False, choices=(), unit=""):  # noqa: A002
    return services.attribute_create(
        actor=actor,
        category=category,
        data={"key": key, "label": key.title(), "type": type, "required": required,
              "choices": list(choices), "unit": unit},
    )  # fmt: skip


def make_product(actor, name=None, **data):
    n = next(_seq)
    fields = {"sku": f"SKU-{n:04d}", "name": name or f"Product {n}", "price": Decimal(100)}
    fields.update(data)
    return services.product_create(actor=actor, data=fields)


def make_configurable(actor, *, price=Decimal(1000)):
    """An industrial PC: CPU (required, one), memory (required, one), extras (optional, many);
    i9 excludes the fanless case, the GPU requires the big PSU."""
    product = make_product(actor, name="工控机", price=price, specifications={"ip": "IP40"})
    options = {}

    def group(name, required, multiple, rows):
        g = configurator.component_group_create(
            actor=actor,
            product=product,
            data={"name": name, "required": required, "allow_multiple": multiple},
        )
        for option_name, delta, specs, default in rows:
            options[option_name] = configurator.component_option_create(
                actor=actor,
                group=g,
                data={"name": option_name, "price_delta": Decimal(delta), "specifications": specs,
                      "is_default": default},
            )  # fmt: skip
        return g

    group(
        "CPU", True, False, [("i5", "0", {"cpu": "i5"}, True), ("i9", "800", {"cpu": "i9"}, False)]
    )
    group(
        "Memory",
        True,
        False,
        [("8GB", "0", {"ram": "8"}, True), ("32GB", "400", {"ram": "32"}, False)],
    )
    group("Extras", False, True, [("fanless", "150", {"fanless": "yes"}, False),
                                  ("gpu", "900", {"gpu": "RTX"}, False),
                                  ("psu", "120", {"psu": "800W"}, False)])  # fmt: skip
    product.refresh_from_db()
    configurator.compatibility_rule_create(
        actor=actor, product=product, option_id=options["i9"].pk, kind="excludes",
        other_id=options["fanless"].pk, message="i9 runs too hot for the fanless case.",
    )  # fmt: skip
    configurator.compatibility_rule_create(
        actor=actor, product=product, option_id=options["gpu"].pk, kind="requires",
        other_id=options["psu"].pk,
    )  # fmt: skip
    product.refresh_from_db()
    return product, options
