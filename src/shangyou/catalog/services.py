"""Writes of the catalog app: the category tree and its typed attributes, products (with their
specifications validated against those attributes), images, grants of private products (M4),
price lists with their items, and exchange rates.

The configurator (P2) lives in `configurator.py`, DIY designs (P3) in `diy.py`.
"""

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer, Grade
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.services import model_create, model_update, require_write, soft_delete

from .models import (
    BASE_CURRENCY,
    CURRENCIES,
    AttributeDefinition,
    Category,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
    ProductGrant,
    ProductImage,
)

CATEGORY_FIELDS = ("name", "code", "position", "description")
ATTRIBUTE_FIELDS = ("key", "label", "type", "unit", "choices", "required", "position")
PRODUCT_FIELDS = (
    "sku", "name", "name_en", "description", "unit", "price", "currency", "tax_rate", "status",
    "is_public", "is_configurable", "min_order_quantity", "barcode", "weight_kg",
)  # fmt: skip
PRICE_LIST_FIELDS = ("name", "currency", "valid_from", "valid_to", "is_active", "notes")
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
IMAGE_MAX_BYTES = 10 * 1024 * 1024
# The first bytes of each allowed image type: the name alone is not trusted.
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _strip(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()


def _currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if code not in CURRENCIES:
        raise _fail(
            field,
            _("“%(code)s” is not a supported currency. Use one of: %(list)s.")
            % {"code": value, "list": ", ".join(CURRENCIES)},
        )
    return code


# --- categories ---------------------------------------------------------------------------------
def _category(*, actor: Actor, category_id: int | None, field: str = "category_id"):
    if category_id is None:
        return None
    category = Category.objects.filter(company_id=actor.company_id, pk=category_id).first()
    if category is None:
        raise _fail(field, _("Choose a category of this company."))
    return category


def _parents(*, actor: Actor) -> dict[int, int | None]:
    """{category id: parent id} of the company — one query; trees are small."""
    return dict(Category.objects.filter(company_id=actor.company_id).values_list("pk", "parent_id"))


def _check_no_cycle(*, actor: Actor, category: Category, parent: Category | None) -> None:
    if parent is None:
        return
    parents = _parents(actor=actor)
    node: int | None = parent.pk
    while node is not None:
        if node == category.pk:
            raise _fail(
                "parent_id",
                _("“%(parent)s” is inside “%(name)s”: a category cannot be moved under itself.")
                % {"parent": parent.name, "name": category.name},
            )
        node = parents.get(node)


def category_create(*, actor: Actor, data: dict[str, Any]) -> Category:
    fields = {k: v for k, v in data.items() if k in CATEGORY_FIELDS}
    _strip(fields, "name", "code")
    fields["parent"] = _category(actor=actor, category_id=data.get("parent_id"), field="parent_id")
    return model_create(actor=actor, instance=Category(**fields))


def category_update(
    *, actor: Actor, category: Category, data: dict[str, Any], version: int | None
) -> Category:
    fields = {k: v for k, v in data.items() if k in CATEGORY_FIELDS}
    _strip(fields, "name", "code")
    if "parent_id" in data:
        parent = _category(actor=actor, category_id=data["parent_id"], field="parent_id")
        _check_no_cycle(actor=actor, category=category, parent=parent)
        fields["parent"] = parent
    category, _changes = model_update(
        actor=actor, instance=category, data=fields, expected_version=version
    )
    return category


def category_delete(*, actor: Actor, category: Category) -> None:
    require_write(actor)
    children = Category.objects.filter(company_id=actor.company_id, parent=category).count()
    products = Product.objects.filter(company_id=actor.company_id, category=category).count()
    if children or products:
        raise Conflict(
            _(
                "“%(name)s” still has %(children)d subcategories and %(products)d products. "
                "Move or delete them first."
            )
            % {"name": category.name, "children": children, "products": products}
        )
    soft_delete(actor=actor, instance=category)


def category_lineage_ids(*, actor: Actor, category: Category | None) -> list[int]:
    """The category and its ancestors, nearest first."""
    if category is None:
        return []
    parents = _parents(actor=actor)
    result: list[int] = []
    node: int | None = category.pk
    while node is not None and node not in result:
        result.append(node)
        node = parents.get(node)
    return result


# --- attributes and specifications ---------------------------------------------------------------
def _attribute_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in ATTRIBUTE_FIELDS}
    _strip(fields, "key", "label", "unit")
    if "choices" in fields:
        choices = fields["choices"] or []
        if isinstance(choices, str):
            choices = choices.replace("，", ",").replace("\n", ",").split(",")
        fields["choices"] = [str(c).strip() for c in choices if str(c).strip()]
    return fields


def _check_attribute(attribute: AttributeDefinition) -> None:
    if attribute.type == AttributeDefinition.Type.CHOICE and not attribute.choices:
        raise _fail("choices", _("A choice attribute needs at least one choice."))
    clash = AttributeDefinition.objects.filter(
        company_id=attribute.company_id, category_id=attribute.category_id, key=attribute.key
    ).exclude(pk=attribute.pk)
    if clash.exists():
        raise _fail(
            "key", _("This category already has an attribute “%(key)s”.") % {"key": attribute.key}
        )


def attribute_create(
    *, actor: Actor, category: Category, data: dict[str, Any]
) -> AttributeDefinition:
    require_write(actor)
    attribute = AttributeDefinition(
        company=actor.company, category=category, **_attribute_fields(data)
    )
    _check_attribute(attribute)
    return model_create(actor=actor, instance=attribute)


def attribute_update(
    *, actor: Actor, attribute: AttributeDefinition, data: dict[str, Any], version: int | None
) -> AttributeDefinition:
    require_write(actor)
    fields = _attribute_fields(data)
    probe = AttributeDefinition(
        pk=attribute.pk,
        company_id=attribute.company_id,
        category_id=attribute.category_id,
        **{
            "key": attribute.key,
            "type": attribute.type,
            "choices": attribute.choices,
            **{k: v for k, v in fields.items() if k in {"key", "type", "choices"}},
        },
    )
    _check_attribute(probe)
    attribute, _changes = model_update(
        actor=actor, instance=attribute, data=fields, expected_version=version
    )
    return attribute


def attribute_delete(*, actor: Actor, attribute: AttributeDefinition) -> None:
    soft_delete(actor=actor, instance=attribute)


def attributes_for(*, actor: Actor, category: Category | None) -> list[AttributeDefinition]:
    """The attributes a product of `category` has: its own and its ancestors' (root first)."""
    lineage = category_lineage_ids(actor=actor, category=category)
    if not lineage:
        return []
    depth = {pk: i for i, pk in enumerate(reversed(lineage))}
    attributes = AttributeDefinition.objects.filter(
        company_id=actor.company_id, category_id__in=lineage
    )
    return sorted(attributes, key=lambda a: (depth[a.category_id], a.position, a.label))


TRUE_WORDS = {"1", "true", "yes", "y", "on", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "否"}


def _coerce(attribute: AttributeDefinition, value: Any) -> Any:
    kind = attribute.type
    if kind == AttributeDefinition.Type.NUMBER:
        number = Decimal(str(value).strip().replace(",", ""))
        if not number.is_finite():
            raise ValueError(value)
        return str(number)
    if kind == AttributeDefinition.Type.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(value)
    if kind == AttributeDefinition.Type.CHOICE:
        if str(value).strip() not in [str(c) for c in attribute.choices]:
            raise ValueError(value)
        return str(value).strip()
    return str(value).strip()


def specifications_clean(
    *, actor: Actor, category: Category | None, values: dict[str, Any] | None
) -> dict[str, Any]:
    """Validate a product's specification values against the attributes of its category and
    the category's ancestors: types, required values, choices. Numbers are kept as strings of
    Decimal (exact). Without a category, values are kept as text."""
    values = values or {}
    attributes = attributes_for(actor=actor, category=category)
    if not attributes:
        if category is not None and values:
            raise _fail(
                "specifications",
                _("The category “%(name)s” defines no specifications.") % {"name": category.name},
            )
        return {str(k): str(v).strip() for k, v in values.items() if v not in (None, "")}
    known = {a.key: a for a in attributes}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        attribute = known.get(key)
        if attribute is None:
            errors[f"specifications.{key}"] = [
                _("The category has no specification “%(key)s”.") % {"key": key}
            ]
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            cleaned[key] = _coerce(attribute, value)
        except (ValueError, InvalidOperation):
            if attribute.type == AttributeDefinition.Type.CHOICE:
                message = _("“%(value)s” is not one of: %(choices)s.") % {
                    "value": value,
                    "choices": ", ".join(attribute.choices),
                }
            else:
                message = _("“%(value)s” is not a valid %(type)s.") % {
                    "value": value,
                    "type": attribute.get_type_display().lower(),
                }
            errors[f"specifications.{key}"] = [f"{attribute.label}: {message}"]
    for attribute in attributes:
        key = f"specifications.{attribute.key}"
        if attribute.required and attribute.key not in cleaned and key not in errors:
            errors[key] = [
                _("%(label)s: this specification is required.") % {"label": attribute.label}
            ]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    return cleaned


# --- products -----------------------------------------------------------------------------------
def _check_sku(*, actor: Actor, sku: str, exclude_id: int | None = None) -> None:
    if not sku:
        raise _fail("sku", _("Give the product a SKU (article number)."))
    clash = (
        Product.objects.filter(company_id=actor.company_id, sku=sku)
        .exclude(pk=exclude_id)
        .only("name")
        .first()
    )
    if clash is not None:
        raise _fail(
            "sku",
            _("The SKU “%(sku)s” is already used by “%(name)s”. Choose another one.")
            % {"sku": sku, "name": clash.name},
        )


def _product_fields(
    *, actor: Actor, data: dict[str, Any], product: Product | None
) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in PRODUCT_FIELDS}
    _strip(fields, "sku", "name", "name_en", "unit", "barcode")
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
    if "sku" in fields:
        _check_sku(actor=actor, sku=fields["sku"], exclude_id=product.pk if product else None)
    category = product.category if product else None
    category_changed = False
    if "category_id" in data and (product is None or data["category_id"] != product.category_id):
        category = _category(actor=actor, category_id=data["category_id"])
        fields["category"] = category
        category_changed = True
    if "specifications" in data or category_changed or product is None:
        values = data.get("specifications")
        if values is None:
            values = product.specifications if product else {}
        fields["specifications"] = specifications_clean(
            actor=actor, category=category, values=values
        )
    return fields


@transaction.atomic
def product_create(*, actor: Actor, data: dict[str, Any]) -> Product:
    """Create a product; the SKU is unique in the company and the specifications are checked
    against the category's attributes."""
    require_write(actor)
    fields = _product_fields(actor=actor, data=data, product=None)
    return model_create(actor=actor, instance=Product(**fields))


@transaction.atomic
def product_update(
    *, actor: Actor, product: Product, data: dict[str, Any], version: int | None
) -> Product:
    require_write(actor)
    fields = _product_fields(actor=actor, data=data, product=product)
    product, _changes = model_update(
        actor=actor, instance=product, data=fields, expected_version=version
    )
    return product


def product_delete(*, actor: Actor, product: Product) -> None:
    """To the trash (restorable); SKUs of trashed products may be reused."""
    soft_delete(actor=actor, instance=product)


# --- images -------------------------------------------------------------------------------------
def _is_image(head: bytes) -> bool:
    return head.startswith(IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def product_image_add(
    *, actor: Actor, product: Product, upload: UploadedFile, caption: str = ""
) -> ProductImage:
    """Store an image (PNG, JPEG, GIF, WebP — checked by content, not only by name)."""
    require_write(actor)
    name = Path(upload.name or "image").name[:150]
    extension = Path(name).suffix.lower()
    if extension not in IMAGE_EXTENSIONS:
        raise _fail(
            "file",
            _("Images of type “%(ext)s” cannot be uploaded. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(IMAGE_EXTENSIONS))},
        )
    limit = min(IMAGE_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
    if upload.size > limit:
        raise _fail(
            "file",
            _("The image is %(size).1f MB; the limit is %(max)d MB.")
            % {"size": upload.size / (1024 * 1024), "max": limit // (1024 * 1024)},
        )
    head = next(upload.chunks(chunk_size=64), b"") if upload.size else b""
    upload.seek(0)
    if not _is_image(head):
        raise _fail("file", _("This file is not a PNG, JPEG, GIF or WebP image."))
    digest = hashlib.sha256(f"{product.pk}:{name}".encode()).hexdigest()[:8]
    position = ProductImage.objects.filter(company_id=actor.company_id, product=product).count()
    image = ProductImage(
        company=actor.company, product=product, caption=caption[:200], position=position
    )
    image.file.save(f"{digest}{extension}", upload, save=False)
    try:
        with transaction.atomic():
            image = model_create(actor=actor, instance=image)
    except Exception:
        image.file.delete(save=False)
        raise
    return image


def product_image_delete(*, actor: Actor, image: ProductImage) -> None:
    soft_delete(actor=actor, instance=image)


# --- grants (authorised products, M4) -----------------------------------------------------------
@transaction.atomic
def product_grant_create(
    *,
    actor: Actor,
    product: Product,
    customer: Customer | None = None,
    grade: Grade | None = None,
) -> ProductGrant:
    """Make a (private) product visible to one customer or to every customer of a grade."""
    require_write(actor)
    if (customer is None) == (grade is None):
        raise _fail("customer_id", _("Grant the product to either a customer or a grade."))
    for target in (customer, grade):
        if target is not None and target.company_id != actor.company_id:
            raise NotFound()
    existing = ProductGrant.objects.filter(
        company_id=actor.company_id, product=product, customer=customer, grade=grade
    ).first()
    if existing is not None:
        return existing
    return model_create(
        actor=actor, instance=ProductGrant(product=product, customer=customer, grade=grade)
    )


def product_grant_delete(*, actor: Actor, grant: ProductGrant) -> None:
    soft_delete(actor=actor, instance=grant)


# --- price lists --------------------------------------------------------------------------------
def _price_list_fields(
    *, actor: Actor, data: dict[str, Any], price_list: PriceList | None
) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in PRICE_LIST_FIELDS}
    _strip(fields, "name")
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
    if "grade_id" in data:
        fields["grade"] = None
        if data["grade_id"] is not None:
            fields["grade"] = Grade.objects.filter(
                company_id=actor.company_id, pk=data["grade_id"]
            ).first()
            if fields["grade"] is None:
                raise _fail("grade_id", _("Choose a grade of this company."))
    if "customer_id" in data:
        fields["customer"] = None
        if data["customer_id"] is not None:
            fields["customer"] = Customer.objects.filter(
                company_id=actor.company_id, pk=data["customer_id"]
            ).first()
            if fields["customer"] is None:
                raise _fail("customer_id", _("Choose a customer of this company."))
    grade = fields.get("grade", price_list.grade if price_list else None)
    customer = fields.get("customer", price_list.customer if price_list else None)
    if grade is not None and customer is not None:
        raise _fail("grade_id", _("A price list is for one grade or one customer, not both."))
    start = fields.get("valid_from", price_list.valid_from if price_list else None)
    end = fields.get("valid_to", price_list.valid_to if price_list else None)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise _fail("valid_to", _("The end date is before the start date."))
    return fields


def price_list_create(*, actor: Actor, data: dict[str, Any]) -> PriceList:
    require_write(actor)
    fields = _price_list_fields(actor=actor, data=data, price_list=None)
    return model_create(actor=actor, instance=PriceList(**fields))


def price_list_update(
    *, actor: Actor, price_list: PriceList, data: dict[str, Any], version: int | None
) -> PriceList:
    require_write(actor)
    fields = _price_list_fields(actor=actor, data=data, price_list=price_list)
    price_list, _changes = model_update(
        actor=actor, instance=price_list, data=fields, expected_version=version
    )
    return price_list


def price_list_delete(*, actor: Actor, price_list: PriceList) -> None:
    soft_delete(actor=actor, instance=price_list)


def _positive(value: Any, field: str, *, allow_zero: bool = True) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _fail(field, _("Enter a number.")) from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise _fail(field, _("Enter a positive number."))
    return number


@transaction.atomic
def price_list_item_set(
    *,
    actor: Actor,
    price_list: PriceList,
    product: Product,
    price: Decimal,
    min_quantity: Decimal = Decimal(1),
) -> PriceListItem:
    """The price of `product` from `min_quantity` on in this list: created, or replaced when
    that tier exists."""
    require_write(actor)
    if product.company_id != actor.company_id or price_list.company_id != actor.company_id:
        raise NotFound()
    price = _positive(price, "price")
    min_quantity = _positive(min_quantity, "min_quantity", allow_zero=False)
    item = (
        PriceListItem.objects.select_for_update()
        .filter(
            company_id=actor.company_id,
            price_list=price_list,
            product=product,
            min_quantity=min_quantity,
        )
        .first()
    )
    if item is not None:
        item, _changes = model_update(
            actor=actor, instance=item, data={"price": price}, expected_version=item.version
        )
        return item
    return model_create(
        actor=actor,
        instance=PriceListItem(
            price_list=price_list, product=product, min_quantity=min_quantity, price=price
        ),
    )


def price_list_item_update(
    *, actor: Actor, item: PriceListItem, data: dict[str, Any], version: int | None
) -> PriceListItem:
    fields: dict[str, Any] = {}
    if "price" in data:
        fields["price"] = _positive(data["price"], "price")
    if "min_quantity" in data:
        fields["min_quantity"] = _positive(data["min_quantity"], "min_quantity", allow_zero=False)
        clash = PriceListItem.objects.filter(
            company_id=actor.company_id,
            price_list_id=item.price_list_id,
            product_id=item.product_id,
            min_quantity=fields["min_quantity"],
        ).exclude(pk=item.pk)
        if clash.exists():
            raise _fail("min_quantity", _("This product already has a price from that quantity."))
    item, _changes = model_update(actor=actor, instance=item, data=fields, expected_version=version)
    return item


def price_list_item_delete(*, actor: Actor, item: PriceListItem) -> None:
    soft_delete(actor=actor, instance=item)


# --- exchange rates -----------------------------------------------------------------------------
def _rate_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in ("currency", "rate", "valid_on")}
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
        if fields["currency"] == BASE_CURRENCY:
            raise _fail(
                "currency",
                _("%(base)s is the base currency; its rate is always 1.") % {"base": BASE_CURRENCY},
            )
    if "rate" in fields:
        fields["rate"] = _positive(fields["rate"], "rate", allow_zero=False)
    return fields


def _check_rate_date(*, actor: Actor, currency: str, valid_on, exclude_id=None) -> None:
    clash = ExchangeRate.objects.filter(
        company_id=actor.company_id, currency=currency, valid_on=valid_on
    ).exclude(pk=exclude_id)
    if clash.exists():
        raise _fail(
            "valid_on",
            _("There is already a %(currency)s rate from %(date)s; change that one instead.")
            % {"currency": currency, "date": valid_on},
        )


def exchange_rate_create(*, actor: Actor, data: dict[str, Any]) -> ExchangeRate:
    """1 `currency` = `rate` × the base currency (CNY), from `valid_on` until the next rate."""
    require_write(actor)
    fields = _rate_fields(data)
    _check_rate_date(actor=actor, currency=fields.get("currency"), valid_on=fields.get("valid_on"))
    return model_create(actor=actor, instance=ExchangeRate(**fields))


def exchange_rate_update(
    *, actor: Actor, rate: ExchangeRate, data: dict[str, Any], version: int | None
) -> ExchangeRate:
    require_write(actor)
    fields = _rate_fields(data)
    _check_rate_date(
        actor=actor,
        currency=fields.get("currency", rate.currency),
        valid_on=fields.get("valid_on", rate.valid_on),
        exclude_id=rate.pk,
    )
    rate, _changes = model_update(actor=actor, instance=rate, data=fields, expected_version=version)
    return rate


def exchange_rate_delete(*, actor: Actor, rate: ExchangeRate) -> None:
    soft_delete(actor=actor, instance=rate)
