"""Product catalogue API (P1–P3, M4): products, the category tree and its attributes, images,
grants, price lists and their items, exchange rates, the price of a product for a customer,
the configurator and saved configurations, DIY designs."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from shangyou.contacts.selectors import customer_get, grade_get
from shangyou.core.api import Page, paginate, version_from
from shangyou.core.schema import Schema

from . import configurator, diy, selectors, services

router = Router(tags=["catalog"])

# Literals, not the models' TextChoices: enum names like "Status" or "Kind" would clash with
# other apps' in the OpenAPI components.
AttributeType = Literal["text", "number", "choice", "boolean"]
ProductStatus = Literal["standard", "concept", "discontinued"]
RuleKind = Literal["requires", "excludes"]
DesignStatus = Literal["submitted", "approved", "rejected"]


# --- schemas ------------------------------------------------------------------------------------
class CategoryIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    code: str = ""
    parent_id: int | None = None
    position: int = 0
    description: str = ""


class CategoryPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    code: str | None = None
    parent_id: int | None = None
    position: int | None = None
    description: str | None = None
    version: int | None = None


class CategoryOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    position: int
    description: str
    version: int


class AttributeIn(Schema):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    label: str = Field(min_length=1, max_length=60)
    type: AttributeType = "text"
    unit: str = ""
    choices: list[str] = []
    required: bool = False
    position: int = 0


class AttributePatch(Schema):
    key: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    label: str | None = Field(default=None, min_length=1, max_length=60)
    type: AttributeType | None = None
    unit: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    position: int | None = None
    version: int | None = None


class AttributeOut(Schema):
    id: int
    category_id: int
    key: str
    label: str
    type: str
    unit: str
    choices: list[str]
    required: bool
    position: int
    version: int


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = ""
    category_id: int | None = None
    description: str = ""
    specifications: dict[str, Any] = {}
    unit: str = "pcs"
    price: Decimal = Decimal(0)
    currency: str = "CNY"
    tax_rate: Decimal = Decimal("13.00")
    status: ProductStatus = "standard"
    is_public: bool = True
    is_configurable: bool = False
    min_order_quantity: Decimal = Decimal(1)
    barcode: str = ""
    weight_kg: Decimal | None = None


class ProductPatch(Schema):
    sku: str | None = Field(default=None, min_length=1, max_length=60)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = None
    category_id: int | None = None
    description: str | None = None
    specifications: dict[str, Any] | None = None
    unit: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    tax_rate: Decimal | None = None
    status: ProductStatus | None = None
    is_public: bool | None = None
    is_configurable: bool | None = None
    min_order_quantity: Decimal | None = None
    barcode: str | None = None
    weight_kg: Decimal | None = None
    version: int | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    name_en: str
    category_id: int | None
    description: str
    specifications: dict[str, Any]
    unit: str
    price: Decimal
    currency: str
    tax_rate: Decimal
    status: str
    is_public: bool
    is_configurable: bool
    min_order_quantity: Decimal
    barcode: str
    weight_kg: Decimal | None
    version: int
    created_at: datetime
    updated_at: datetime


class ProductFilters(Schema):
    q: str = ""
    category: int | None = None
    status: str = ""
    public: str = ""
    configurable: str = ""
    sort: str = "name"
    limit: int = 50
    offset: int = 0


class ImageOut(Schema):
    id: int
    product_id: int
    caption: str
    position: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/product-images/{obj.pk}/file"


class GrantIn(Schema):
    customer_id: int | None = None
    grade_id: int | None = None


class GrantOut(Schema):
    id: int
    product_id: int
    customer_id: int | None
    grade_id: int | None
    created_at: datetime


class PriceOut(Schema):
    unit_price: Decimal
    currency: str
    source: str
    price_list_id: int | None
    min_quantity: Decimal | None
    original_price: Decimal | None
    original_currency: str


class PriceListIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    currency: str = "CNY"
    grade_id: int | None = None
    customer_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True
    notes: str = ""


class PriceListPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    currency: str | None = None
    grade_id: int | None = None
    customer_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool | None = None
    notes: str | None = None
    version: int | None = None


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    grade_id: int | None
    customer_id: int | None
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    notes: str
    version: int


class PriceItemIn(Schema):
    product_id: int
    min_quantity: Decimal = Decimal(1)
    price: Decimal


class PriceItemPatch(Schema):
    min_quantity: Decimal | None = None
    price: Decimal | None = None
    version: int | None = None


class PriceItemOut(Schema):
    id: int
    price_list_id: int
    product_id: int
    min_quantity: Decimal
    price: Decimal
    version: int


class RateIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    rate: Decimal
    valid_on: date


class RatePatch(Schema):
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    rate: Decimal | None = None
    valid_on: date | None = None
    version: int | None = None


class RateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_on: date
    version: int


class OptionIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    price_delta: Decimal = Decimal(0)
    specifications: dict[str, Any] = {}
    is_default: bool = False
    position: int = 0
    component_id: int | None = None


class OptionOut(Schema):
    id: int
    group_id: int
    name: str
    component_id: int | None
    price_delta: Decimal
    specifications: dict[str, Any]
    is_default: bool
    position: int


class GroupIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    required: bool = True
    allow_multiple: bool = False
    position: int = 0


class GroupOut(Schema):
    id: int
    product_id: int
    name: str
    required: bool
    allow_multiple: bool
    position: int
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj) -> list:
        return list(obj.options.all())


class RuleIn(Schema):
    option_id: int
    kind: RuleKind
    other_id: int
    message: str = ""


class RuleOut(Schema):
    id: int
    product_id: int
    option_id: int
    kind: str
    other_id: int
    message: str


class ComponentsOut(Schema):
    groups: list[GroupOut]
    rules: list[RuleOut]


class ConfigureIn(Schema):
    option_ids: list[int] | None = None


class ConfigureOut(Schema):
    product_id: int
    option_ids: list[int]
    unit_price: Decimal
    currency: str
    specifications: dict[str, Any]
    summary: str
    errors: list[str]
    ok: bool

    @staticmethod
    def resolve_product_id(obj) -> int:
        return obj.product.pk


class ConfigurationIn(Schema):
    option_ids: list[int] | None = None
    customer_id: int | None = None
    name: str = ""


class ConfigurationOut(Schema):
    id: int
    product_id: int
    customer_id: int | None
    name: str
    option_ids: list[int]
    unit_price: Decimal
    currency: str
    specifications: dict[str, Any]
    summary: str
    created_at: datetime


class DesignOut(Schema):
    id: int
    customer_id: int
    product_id: int | None
    title: str
    description: str
    file_name: str
    status: str
    source: str
    is_featured: bool
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    review_note: str
    version: int
    created_at: datetime


class ReviewIn(Schema):
    approve: bool
    note: str = ""
    version: int | None = None


class FeatureIn(Schema):
    featured: bool = True


# --- categories and attributes ------------------------------------------------------------------
@router.get("/categories", response=Page[CategoryOut])
def category_list(request: HttpRequest, limit: int = 200, offset: int = 0):
    """The category tree, flattened in tree order (each row has its `parent_id`)."""
    nodes = [n.category for n in selectors.category_tree(actor=request.auth)]
    return paginate(request, nodes, limit=limit, offset=offset)


@router.post("/categories", response={201: CategoryOut})
def category_create(request: HttpRequest, payload: CategoryIn):
    return Status(201, services.category_create(actor=request.auth, data=payload.dict()))


@router.get("/categories/{category_id}", response=CategoryOut)
def category_get(request: HttpRequest, category_id: int):
    return selectors.category_get(actor=request.auth, id=category_id)


@router.patch("/categories/{category_id}", response=CategoryOut)
def category_update(request: HttpRequest, category_id: int, payload: CategoryPatch):
    category = selectors.category_get(actor=request.auth, id=category_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.category_update(
        actor=request.auth, category=category, data=data, version=version
    )


@router.delete("/categories/{category_id}", response={204: None})
def category_delete(request: HttpRequest, category_id: int):
    """Refused (409) while the category has subcategories or products."""
    category = selectors.category_get(actor=request.auth, id=category_id)
    services.category_delete(actor=request.auth, category=category)
    return Status(204, None)


@router.get("/categories/{category_id}/attributes", response=list[AttributeOut])
def attribute_list(request: HttpRequest, category_id: int, inherited: bool = False):
    """The category's attributes; with `inherited=true` also its ancestors' (what a product of
    this category is validated against)."""
    category = selectors.category_get(actor=request.auth, id=category_id)
    if inherited:
        return services.attributes_for(actor=request.auth, category=category)
    return list(selectors.attribute_list(actor=request.auth, category=category))


@router.post("/categories/{category_id}/attributes", response={201: AttributeOut})
def attribute_create(request: HttpRequest, category_id: int, payload: AttributeIn):
    category = selectors.category_get(actor=request.auth, id=category_id)
    return Status(
        201,
        services.attribute_create(actor=request.auth, category=category, data=payload.dict()),
    )


@router.patch("/attributes/{attribute_id}", response=AttributeOut)
def attribute_update(request: HttpRequest, attribute_id: int, payload: AttributePatch):
    attribute = selectors.attribute_get(actor=request.auth, id=attribute_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.attribute_update(
        actor=request.auth, attribute=attribute, data=data, version=version
    )


@router.delete("/attributes/{attribute_id}", response={204: None})
def attribute_delete(request: HttpRequest, attribute_id: int):
    attribute = selectors.attribute_get(actor=request.auth, id=attribute_id)
    services.attribute_delete(actor=request.auth, attribute=attribute)
    return Status(204, None)


# --- products -----------------------------------------------------------------------------------
@router.get("/products", response=Page[ProductOut])
def product_list(request: HttpRequest, filters: Query[ProductFilters]):
    products = selectors.product_list(
        actor=request.auth,
        q=filters.q,
        category_id=filters.category,
        status=filters.status,
        public=filters.public,
        configurable=filters.configurable,
        sort=filters.sort,
    )
    return paginate(request, products, limit=filters.limit, offset=filters.offset)


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn):
    """Create a product. A SKU already used in the company is refused (422, `errors.sku`);
    specifications are checked against the category's attributes."""
    return Status(201, services.product_create(actor=request.auth, data=payload.dict()))


@router.get("/products/{product_id}", response=ProductOut)
def product_get(request: HttpRequest, product_id: int):
    return selectors.product_get(actor=request.auth, id=product_id)


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch):
    """Send the `version` you read (or `If-Match`); a stale version gets 409."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.product_update(actor=request.auth, product=product, data=data, version=version)


@router.delete("/products/{product_id}", response={204: None})
def product_delete(request: HttpRequest, product_id: int):
    """To the trash (restore it from `/api/v1/trash`)."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    services.product_delete(actor=request.auth, product=product)
    return Status(204, None)


@router.get("/products/{product_id}/price", response=PriceOut)
def product_price(
    request: HttpRequest,
    product_id: int,
    customer: int | None = None,
    quantity: Decimal = Decimal(1),
    currency: str | None = None,
    date: date | None = None,  # noqa: A002 - query parameter name
):
    """The unit price for a customer, quantity, date and currency, and where it comes from."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    buyer = customer_get(actor=request.auth, id=customer) if customer else None
    return selectors.price_for(
        actor=request.auth,
        product=product,
        customer=buyer,
        quantity=quantity,
        on_date=date,
        currency=currency,
    )


@router.get("/products/{product_id}/images", response=list[ImageOut])
def product_image_list(request: HttpRequest, product_id: int):
    product = selectors.product_get(actor=request.auth, id=product_id)
    return list(selectors.product_images(actor=request.auth, product=product))


@router.post("/products/{product_id}/images", response={201: ImageOut})
def product_image_add(
    request: HttpRequest, product_id: int, file: File[UploadedFile], caption: Form[str] = ""
):
    """PNG, JPEG, GIF or WebP (checked by content)."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    return Status(
        201,
        services.product_image_add(
            actor=request.auth, product=product, upload=file, caption=caption
        ),
    )


@router.get("/product-images/{product_image_id}/file")
def product_image_file(request: HttpRequest, product_image_id: int):
    image = selectors.product_image_get(actor=request.auth, id=product_image_id)
    return FileResponse(image.file.open("rb"))


@router.delete("/product-images/{product_image_id}", response={204: None})
def product_image_delete(request: HttpRequest, product_image_id: int):
    image = selectors.product_image_get(actor=request.auth, id=product_image_id)
    services.product_image_delete(actor=request.auth, image=image)
    return Status(204, None)


# --- grants -------------------------------------------------------------------------------------
@router.get("/products/{product_id}/grants", response=list[GrantOut])
def grant_list(request: HttpRequest, product_id: int):
    product = selectors.product_get(actor=request.auth, id=product_id)
    return list(selectors.grant_list(actor=request.auth, product=product))


@router.post("/products/{product_id}/grants", response={201: GrantOut})
def grant_create(request: HttpRequest, product_id: int, payload: GrantIn):
    """Make the (private) product visible to one customer or every customer of a grade."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    return Status(
        201,
        services.product_grant_create(
            actor=request.auth,
            product=product,
            customer=customer_get(actor=request.auth, id=payload.customer_id)
            if payload.customer_id
            else None,
            grade=grade_get(actor=request.auth, id=payload.grade_id) if payload.grade_id else None,
        ),
    )


@router.delete("/grants/{grant_id}", response={204: None})
def grant_delete(request: HttpRequest, grant_id: int):
    grant = selectors.grant_get(actor=request.auth, id=grant_id)
    services.product_grant_delete(actor=request.auth, grant=grant)
    return Status(204, None)


# --- components and the configurator ------------------------------------------------------------
@router.get("/products/{product_id}/components", response=ComponentsOut)
def component_list(request: HttpRequest, product_id: int):
    product = selectors.product_get(actor=request.auth, id=product_id)
    return {
        "groups": selectors.component_groups(actor=request.auth, product=product),
        "rules": list(selectors.compatibility_rules(actor=request.auth, product=product)),
    }


@router.post("/products/{product_id}/component-groups", response={201: GroupOut})
def component_group_create(request: HttpRequest, product_id: int, payload: GroupIn):
    product = selectors.product_get(actor=request.auth, id=product_id)
    return Status(
        201,
        configurator.component_group_create(
            actor=request.auth, product=product, data=payload.dict()
        ),
    )


@router.delete("/component-groups/{component_group_id}", response={204: None})
def component_group_delete(request: HttpRequest, component_group_id: int):
    group = selectors.component_group_get(actor=request.auth, id=component_group_id)
    configurator.component_group_delete(actor=request.auth, group=group)
    return Status(204, None)


@router.post("/component-groups/{component_group_id}/options", response={201: OptionOut})
def component_option_create(request: HttpRequest, component_group_id: int, payload: OptionIn):
    group = selectors.component_group_get(actor=request.auth, id=component_group_id)
    return Status(
        201,
        configurator.component_option_create(actor=request.auth, group=group, data=payload.dict()),
    )


@router.delete("/component-options/{component_option_id}", response={204: None})
def component_option_delete(request: HttpRequest, component_option_id: int):
    option = selectors.component_option_get(actor=request.auth, id=component_option_id)
    configurator.component_option_delete(actor=request.auth, option=option)
    return Status(204, None)


@router.post("/products/{product_id}/rules", response={201: RuleOut})
def compatibility_rule_create(request: HttpRequest, product_id: int, payload: RuleIn):
    product = selectors.product_get(actor=request.auth, id=product_id)
    return Status(
        201,
        configurator.compatibility_rule_create(
            actor=request.auth, product=product, **payload.dict()
        ),
    )


@router.delete("/compatibility-rules/{compat_rule_id}", response={204: None})
def compatibility_rule_delete(request: HttpRequest, compat_rule_id: int):
    rule = selectors.compatibility_rule_get(actor=request.auth, id=compat_rule_id)
    configurator.compatibility_rule_delete(actor=request.auth, rule=rule)
    return Status(204, None)


@router.post("/products/{product_id}/configure", response=ConfigureOut)
def product_configure(request: HttpRequest, product_id: int, payload: ConfigureIn):
    """Compute price, specification and summary of a set of options (the defaults when
    `option_ids` is null); `errors` says what stops it (`ok` is then false)."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    return configurator.configuration_compute(
        actor=request.auth, product=product, option_ids=payload.option_ids
    )


@router.get("/products/{product_id}/configurations", response=Page[ConfigurationOut])
def configuration_list(request: HttpRequest, product_id: int, limit: int = 50, offset: int = 0):
    product = selectors.product_get(actor=request.auth, id=product_id)
    configurations = selectors.configuration_list(actor=request.auth, product=product)
    return paginate(request, configurations, limit=limit, offset=offset)


@router.post("/products/{product_id}/configurations", response={201: ConfigurationOut})
def configuration_save(request: HttpRequest, product_id: int, payload: ConfigurationIn):
    """Save a valid configuration (422 with the configurator's errors otherwise)."""
    product = selectors.product_get(actor=request.auth, id=product_id)
    customer = (
        customer_get(actor=request.auth, id=payload.customer_id) if payload.customer_id else None
    )
    return Status(
        201,
        configurator.configuration_save(
            actor=request.auth,
            product=product,
            option_ids=payload.option_ids,
            customer=customer,
            name=payload.name,
        ),
    )


@router.get("/configurations/{configuration_id}", response=ConfigurationOut)
def configuration_get(request: HttpRequest, configuration_id: int):
    return selectors.configuration_get(actor=request.auth, id=configuration_id)


# --- price lists and exchange rates -------------------------------------------------------------
@router.get("/price-lists", response=Page[PriceListOut])
def price_list_list(
    request: HttpRequest, active: bool | None = None, limit: int = 50, offset: int = 0
):
    lists = selectors.price_list_list(actor=request.auth, active=active)
    return paginate(request, lists, limit=limit, offset=offset)


@router.post("/price-lists", response={201: PriceListOut})
def price_list_create(request: HttpRequest, payload: PriceListIn):
    return Status(201, services.price_list_create(actor=request.auth, data=payload.dict()))


@router.get("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_get(request: HttpRequest, price_list_id: int):
    return selectors.price_list_get(actor=request.auth, id=price_list_id)


@router.patch("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_update(request: HttpRequest, price_list_id: int, payload: PriceListPatch):
    price_list = selectors.price_list_get(actor=request.auth, id=price_list_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.price_list_update(
        actor=request.auth, price_list=price_list, data=data, version=version
    )


@router.delete("/price-lists/{price_list_id}", response={204: None})
def price_list_delete(request: HttpRequest, price_list_id: int):
    price_list = selectors.price_list_get(actor=request.auth, id=price_list_id)
    services.price_list_delete(actor=request.auth, price_list=price_list)
    return Status(204, None)


@router.get("/price-lists/{price_list_id}/items", response=Page[PriceItemOut])
def price_item_list(request: HttpRequest, price_list_id: int, limit: int = 100, offset: int = 0):
    price_list = selectors.price_list_get(actor=request.auth, id=price_list_id)
    items = selectors.price_list_items(actor=request.auth, price_list=price_list)
    return paginate(request, items, limit=limit, offset=offset)


@router.post("/price-lists/{price_list_id}/items", response={201: PriceItemOut})
def price_item_set(request: HttpRequest, price_list_id: int, payload: PriceItemIn):
    """Set the price of a product from a quantity on (replaces that tier when it exists)."""
    price_list = selectors.price_list_get(actor=request.auth, id=price_list_id)
    product = selectors.product_get(actor=request.auth, id=payload.product_id)
    return Status(
        201,
        services.price_list_item_set(
            actor=request.auth,
            price_list=price_list,
            product=product,
            price=payload.price,
            min_quantity=payload.min_quantity,
        ),
    )


@router.patch("/price-items/{price_item_id}", response=PriceItemOut)
def price_item_update(request: HttpRequest, price_item_id: int, payload: PriceItemPatch):
    item = selectors.price_list_item_get(actor=request.auth, id=price_item_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.price_list_item_update(
        actor=request.auth, item=item, data=data, version=version
    )


@router.delete("/price-items/{price_item_id}", response={204: None})
def price_item_delete(request: HttpRequest, price_item_id: int):
    item = selectors.price_list_item_get(actor=request.auth, id=price_item_id)
    services.price_list_item_delete(actor=request.auth, item=item)
    return Status(204, None)


@router.get("/exchange-rates", response=Page[RateOut])
def exchange_rate_list(request: HttpRequest, currency: str = "", limit: int = 100, offset: int = 0):
    rates = selectors.exchange_rate_list(actor=request.auth, currency=currency)
    return paginate(request, rates, limit=limit, offset=offset)


@router.post("/exchange-rates", response={201: RateOut})
def exchange_rate_create(request: HttpRequest, payload: RateIn):
    """1 `currency` = `rate` CNY from `valid_on` until the next rate of that currency."""
    return Status(201, services.exchange_rate_create(actor=request.auth, data=payload.dict()))


@router.get("/exchange-rates/{rate_id}", response=RateOut)
def exchange_rate_get(request: HttpRequest, rate_id: int):
    return selectors.exchange_rate_get(actor=request.auth, id=rate_id)


@router.patch("/exchange-rates/{rate_id}", response=RateOut)
def exchange_rate_update(request: HttpRequest, rate_id: int, payload: RatePatch):
    rate = selectors.exchange_rate_get(actor=request.auth, id=rate_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.exchange_rate_update(actor=request.auth, rate=rate, data=data, version=version)


@router.delete("/exchange-rates/{rate_id}", response={204: None})
def exchange_rate_delete(request: HttpRequest, rate_id: int):
    rate = selectors.exchange_rate_get(actor=request.auth, id=rate_id)
    services.exchange_rate_delete(actor=request.auth, rate=rate)
    return Status(204, None)


# --- DIY designs ----------------------------------------------------------------------------------
@router.get("/designs", response=Page[DesignOut])
def design_list(
    request: HttpRequest,
    status: DesignStatus | None = None,
    customer: int | None = None,
    featured: bool | None = None,
    limit: int = 50,
    offset: int = 0,
):
    designs = selectors.diy_design_list(
        actor=request.auth, status=status or "", customer_id=customer, featured=featured
    )
    return paginate(request, designs, limit=limit, offset=offset)


@router.post("/customers/{customer_id}/designs", response={201: DesignOut})
def design_create(
    request: HttpRequest,
    customer_id: int,
    title: Form[str],
    description: Form[str] = "",
    product_id: Form[int | None] = None,
    file: File[UploadedFile | None] = None,
):
    """Attach a customer's design (file optional)."""
    customer = customer_get(actor=request.auth, id=customer_id)
    product = selectors.product_get(actor=request.auth, id=product_id) if product_id else None
    return Status(
        201,
        diy.diy_design_create(
            actor=request.auth,
            customer=customer,
            title=title,
            description=description,
            upload=file,
            product=product,
        ),
    )


@router.get("/designs/{design_id}", response=DesignOut)
def design_get(request: HttpRequest, design_id: int):
    return selectors.diy_design_get(actor=request.auth, id=design_id)


@router.get("/designs/{design_id}/file")
def design_file(request: HttpRequest, design_id: int):
    design = selectors.diy_design_get(actor=request.auth, id=design_id)
    if not design.file:
        from shangyou.core.errors import NotFound

        raise NotFound()
    return FileResponse(design.file.open("rb"), as_attachment=True, filename=design.file_name)


@router.post("/designs/{design_id}/review", response=DesignOut)
def design_review(request: HttpRequest, design_id: int, payload: ReviewIn):
    """Approve, or reject with a note (the note is required to reject)."""
    design = selectors.diy_design_get(actor=request.auth, id=design_id)
    return diy.diy_design_review(
        actor=request.auth,
        design=design,
        approve=payload.approve,
        note=payload.note,
        version=version_from(request, payload.version),
    )


@router.post("/designs/{design_id}/feature", response=DesignOut)
def design_feature(request: HttpRequest, design_id: int, payload: FeatureIn):
    design = selectors.diy_design_get(actor=request.auth, id=design_id)
    return diy.diy_design_feature(actor=request.auth, design=design, featured=payload.featured)


@router.delete("/designs/{design_id}", response={204: None})
def design_delete(request: HttpRequest, design_id: int):
    design = selectors.diy_design_get(actor=request.auth, id=design_id)
    diy.diy_design_delete(actor=request.auth, design=design)
    return Status(204, None)
