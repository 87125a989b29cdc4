"""Reads of the catalog app, always scoped to the actor's company; the one pricing function
(`price_for`, and `prices_for` for many lines at once) and currency conversion (`convert`) every
other app uses; what a customer or the platform may see (`products_visible_to`,
`public_products`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.search import search_filter
from shangyou.core.selectors import scope_records

from .models import (
    BASE_CURRENCY,
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

PRICE_PLACES = Decimal("0.0001")
PRODUCT_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "sku": ("sku", "id"),
    "-sku": ("-sku", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


def _get(queryset: QuerySet, *, actor: Actor, id: int):
    obj = queryset.filter(company_id=actor.company_id, pk=id).first()
    if obj is None:
        raise NotFound()
    return obj


# --- categories and attributes ------------------------------------------------------------------
def category_list(*, actor: Actor) -> QuerySet[Category]:
    return Category.objects.filter(company_id=actor.company_id)


@dataclass
class CategoryNode:
    category: Category
    depth: int
    product_count: int = 0

    @property
    def indent(self) -> str:
        return "\u2003" * self.depth


def category_tree(*, actor: Actor, with_counts: bool = False) -> list[CategoryNode]:
    """The company's categories in tree order (depth-first), each with its depth."""
    from django.db.models import Count

    categories = category_list(actor=actor)
    if with_counts:
        categories = categories.annotate(
            n_products=Count("products", filter=Q(products__deleted_at__isnull=True))
        )
    children: dict[int | None, list[Category]] = {}
    ids = set()
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
        ids.add(category.pk)
    nodes: list[CategoryNode] = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            nodes.append(CategoryNode(category, depth, getattr(category, "n_products", 0)))
            walk(category.pk, depth + 1)

    walk(None, 0)
    # a category whose parent is in the trash still shows, at the top level
    for parent_id in [p for p in children if p is not None and p not in ids]:
        walk(parent_id, 0)
    return nodes


def category_get(*, actor: Actor, id: int) -> Category:
    return _get(Category.objects.select_related("parent"), actor=actor, id=id)


def category_descendant_ids(*, actor: Actor, category_id: int) -> list[int]:
    """The category and every category below it (one query)."""
    pairs = Category.objects.filter(company_id=actor.company_id).values_list("pk", "parent_id")
    children: dict[int, list[int]] = {}
    for pk, parent_id in pairs:
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [category_id]
    while stack:
        node = stack.pop()
        if node in result:
            continue
        result.append(node)
        stack.extend(children.get(node, []))
    return result


def attribute_list(*, actor: Actor, category: Category) -> QuerySet[AttributeDefinition]:
    return AttributeDefinition.objects.filter(company_id=actor.company_id, category=category)


def attribute_get(*, actor: Actor, id: int) -> AttributeDefinition:
    return _get(AttributeDefinition.objects.select_related("category"), actor=actor, id=id)


# --- products -----------------------------------------------------------------------------------
def _truthy(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def product_list(
    *,
    actor: Actor,
    q: str = "",
    category_id: int | None = None,
    status: str = "",
    public: str | bool | None = None,
    configurable: str | bool | None = None,
    sort: str = "name",
) -> QuerySet[Product]:
    """Products of the company: search by name, pinyin, initials or SKU; filters by category
    (its subcategories included), status and public/private."""
    products = Product.objects.filter(company_id=actor.company_id)
    if q:
        products = search_filter(products, q)
    if category_id:
        products = products.filter(
            category_id__in=category_descendant_ids(actor=actor, category_id=category_id)
        )
    if status:
        products = products.filter(status=status)
    if public not in (None, ""):
        products = products.filter(is_public=_truthy(public))
    if configurable not in (None, ""):
        products = products.filter(is_configurable=_truthy(configurable))
    return products.select_related("category").order_by(
        *PRODUCT_SORTS.get(sort, PRODUCT_SORTS["name"])
    )


def product_get(*, actor: Actor, id: int) -> Product:
    return _get(Product.objects.select_related("category", "updated_by"), actor=actor, id=id)


def product_options(*, actor: Actor, q: str = "", limit: int = 20) -> list[dict]:
    """[{value, text}] for pickers."""
    products = product_list(actor=actor, q=q)[:limit]
    return [{"value": p.pk, "text": f"{p.name} ({p.sku})"} for p in products]


def product_images(*, actor: Actor, product: Product) -> QuerySet[ProductImage]:
    return ProductImage.objects.filter(company_id=actor.company_id, product=product)


def product_image_get(*, actor: Actor, id: int) -> ProductImage:
    return _get(ProductImage.objects.all(), actor=actor, id=id)


def product_prices(*, actor: Actor, product: Product) -> QuerySet[PriceListItem]:
    """Every price list item of the product (all lists, all tiers)."""
    return (
        PriceListItem.objects.filter(company_id=actor.company_id, product=product)
        .select_related("price_list", "price_list__grade", "price_list__customer")
        .order_by("price_list__name", "price_list_id", "min_quantity")
    )


# --- grants and visibility ----------------------------------------------------------------------
def grant_list(*, actor: Actor, product: Product | None = None) -> QuerySet[ProductGrant]:
    grants = ProductGrant.objects.filter(company_id=actor.company_id)
    if product is not None:
        grants = grants.filter(product=product)
    return grants.select_related("product", "customer", "grade")


def grant_get(*, actor: Actor, id: int) -> ProductGrant:
    return _get(ProductGrant.objects.select_related("product"), actor=actor, id=id)


def products_visible_to(*, company, customer: Customer | None) -> QuerySet[Product]:
    """What a customer of `company` may see (portal, platform): public products plus the
    private ones granted to the customer or to its grade; never discontinued ones."""
    company_id = getattr(company, "pk", company)
    products = Product.objects.filter(company_id=company_id).exclude(
        status=Product.Status.DISCONTINUED
    )
    visible = Q(is_public=True)
    if customer is not None:
        target = Q(customer_id=customer.pk)
        if customer.grade_id:
            target |= Q(grade_id=customer.grade_id)
        granted = ProductGrant.objects.filter(Q(company_id=company_id) & target).values(
            "product_id"
        )
        visible |= Q(pk__in=granted)
    return products.filter(visible).select_related("category").order_by("name", "id")


def public_products(*, q: str | None = None) -> QuerySet[Product]:
    """Public, not discontinued products of every company, for the platform directory."""
    products = Product.objects.filter(is_public=True).exclude(status=Product.Status.DISCONTINUED)
    if q:
        products = search_filter(products, q)
    return products.select_related("company").order_by("name", "id")


# --- configurable products ----------------------------------------------------------------------
def component_groups(*, actor: Actor, product: Product) -> list[ComponentGroup]:
    """The product's groups with their options (two queries)."""
    from django.db.models import Prefetch

    options = ComponentOption.objects.filter(company_id=actor.company_id)
    return list(
        ComponentGroup.objects.filter(
            company_id=actor.company_id, product=product
        ).prefetch_related(Prefetch("options", queryset=options))
    )


def component_group_get(*, actor: Actor, id: int) -> ComponentGroup:
    return _get(ComponentGroup.objects.select_related("product"), actor=actor, id=id)


def component_option_get(*, actor: Actor, id: int) -> ComponentOption:
    return _get(ComponentOption.objects.select_related("group__product"), actor=actor, id=id)


def compatibility_rules(*, actor: Actor, product: Product) -> QuerySet[CompatibilityRule]:
    return CompatibilityRule.objects.filter(
        company_id=actor.company_id, product=product
    ).select_related("option", "other")


def compatibility_rule_get(*, actor: Actor, id: int) -> CompatibilityRule:
    return _get(CompatibilityRule.objects.all(), actor=actor, id=id)


def configuration_list(
    *, actor: Actor, product: Product | None = None, customer_id: int | None = None
) -> QuerySet[Configuration]:
    configurations = Configuration.objects.filter(company_id=actor.company_id)
    if product is not None:
        configurations = configurations.filter(product=product)
    if customer_id:
        configurations = configurations.filter(customer_id=customer_id)
    return configurations.select_related("product", "customer", "created_by")


def configuration_get(*, actor: Actor, id: int) -> Configuration:
    return _get(
        Configuration.objects.select_related("product", "customer", "created_by"),
        actor=actor,
        id=id,
    )


# --- DIY designs ----------------------------------------------------------------------------------
def diy_design_list(
    *,
    actor: Actor,
    status: str = "",
    customer_id: int | None = None,
    featured: bool | None = None,
) -> QuerySet[DiyDesign]:
    """Designs of the customers the actor may see (record rules of the customer)."""
    designs = scope_records(
        DiyDesign.objects.all(),
        actor=actor,
        owner_field="customer__owner",
        team_field="customer__team",
    )
    if status:
        designs = designs.filter(status=status)
    if customer_id:
        designs = designs.filter(customer_id=customer_id)
    if featured is not None:
        designs = designs.filter(is_featured=featured)
    return designs.select_related("customer", "product", "reviewed_by")


def diy_design_get(*, actor: Actor, id: int) -> DiyDesign:
    design = diy_design_list(actor=actor).filter(pk=id).first()
    if design is None:
        raise NotFound()
    return design


def featured_designs(*, company) -> QuerySet[DiyDesign]:
    """Approved, featured designs of a company (the portal shows them)."""
    return DiyDesign.objects.filter(
        company_id=getattr(company, "pk", company),
        status=DiyDesign.Status.APPROVED,
        is_featured=True,
    ).select_related("product")


# --- price lists and exchange rates -------------------------------------------------------------
def price_list_list(*, actor: Actor, active: bool | None = None) -> QuerySet[PriceList]:
    lists = PriceList.objects.filter(company_id=actor.company_id)
    if active is not None:
        lists = lists.filter(is_active=active)
    return lists.select_related("grade", "customer")


def price_list_get(*, actor: Actor, id: int) -> PriceList:
    return _get(PriceList.objects.select_related("grade", "customer"), actor=actor, id=id)


def price_list_items(*, actor: Actor, price_list: PriceList) -> QuerySet[PriceListItem]:
    return (
        PriceListItem.objects.filter(company_id=actor.company_id, price_list=price_list)
        .select_related("product")
        .order_by("product__name", "product_id", "min_quantity")
    )


def price_list_item_get(*, actor: Actor, id: int) -> PriceListItem:
    return _get(PriceListItem.objects.select_related("price_list", "product"), actor=actor, id=id)


def exchange_rate_list(*, actor: Actor, currency: str = "") -> QuerySet[ExchangeRate]:
    rates = ExchangeRate.objects.filter(company_id=actor.company_id)
    if currency:
        rates = rates.filter(currency=currency.upper())
    return rates


def exchange_rate_get(*, actor: Actor, id: int) -> ExchangeRate:
    return _get(ExchangeRate.objects.all(), actor=actor, id=id)


def rate_on(*, actor: Actor, currency: str, on_date: date | None = None) -> Decimal:
    """Base-currency value of 1 `currency` on `on_date`: the latest rate from on or before it."""
    currency = (currency or BASE_CURRENCY).upper()
    if currency == BASE_CURRENCY:
        return Decimal(1)
    on_date = on_date or timezone.localdate()
    rate = (
        ExchangeRate.objects.filter(
            company_id=actor.company_id, currency=currency, valid_on__lte=on_date
        )
        .order_by("-valid_on")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationFailed(
            _(
                "There is no %(currency)s exchange rate valid on %(date)s. Add one under "
                "Products → Exchange rates."
            )
            % {"currency": currency, "date": on_date.isoformat()},
            errors={"currency": [_("No exchange rate for this date.")]},
        )
    return rate


def convert(
    *,
    actor: Actor,
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    on_date: date | None = None,
) -> Decimal:
    """`amount` in `from_currency` expressed in `to_currency`, through the base currency with the
    rates valid on `on_date`; rounded half-up to 4 decimals."""
    return _convert(amount, from_currency, to_currency, _rates(actor=actor, on_date=on_date))


def _rates(*, actor: Actor, on_date: date | None):
    """`rate_on` for one date, each currency read once."""
    known: dict[str, Decimal] = {}

    def rate(currency: str) -> Decimal:
        key = (currency or BASE_CURRENCY).upper()
        if key not in known:
            known[key] = rate_on(actor=actor, currency=key, on_date=on_date)
        return known[key]

    return rate


def _convert(amount, from_currency: str, to_currency: str, rate) -> Decimal:
    amount = Decimal(amount)
    if (from_currency or "").upper() == (to_currency or "").upper():
        return amount.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    result = amount * rate(from_currency) / rate(to_currency)
    return result.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    currency: str
    source: str  # readable: "customer price list «X»", "list price"
    price_list_id: int | None = None
    min_quantity: Decimal | None = None  # the tier that applied
    original_price: Decimal | None = None  # before conversion
    original_currency: str = ""


def price_for(
    *,
    actor: Actor,
    product: Product,
    customer: Customer | None = None,
    quantity: Decimal = Decimal(1),
    on_date: date | None = None,
    currency: str | None = None,
) -> Price:
    """The unit price of `product` for `customer` buying `quantity` on `on_date`.

    The most specific active price list valid on the date wins — the customer's own, then its
    grade's, then a general one (among lists of one kind, the one starting latest) — at its
    highest tier not above the quantity; without one, the product's list price. Converted to
    `currency` (when given) with the rate valid on the date.
    """
    return prices_for(
        actor=actor,
        items=[(product, quantity)],
        customer=customer,
        on_date=on_date,
        currency=currency,
    )[0]


def prices_for(
    *,
    actor: Actor,
    items: Sequence[tuple[Product, Decimal]],
    customer: Customer | None = None,
    on_date: date | None = None,
    currency: str | None = None,
) -> list[Price]:
    """`price_for` of each (product, quantity) — the lines of a quotation or an order — with one
    query for the price-list items of all the products and one per foreign currency for the
    exchange rates, whatever the number of lines."""
    if any(product.company_id != actor.company_id for product, _quantity in items):
        raise NotFound()
    if not items:
        return []
    on_date = on_date or timezone.localdate()
    items = [(product, Decimal(quantity)) for product, quantity in items]
    targets = Q(price_list__customer__isnull=True, price_list__grade__isnull=True)
    if customer is not None:
        targets |= Q(price_list__customer_id=customer.pk)
        if customer.grade_id:
            targets |= Q(price_list__customer__isnull=True, price_list__grade_id=customer.grade_id)
    candidates: dict[int, list[PriceListItem]] = {}
    for item in (
        PriceListItem.objects.filter(
            company_id=actor.company_id,
            product_id__in={product.pk for product, _quantity in items},
            min_quantity__lte=max(quantity for _product, quantity in items),
            price_list__is_active=True,
            price_list__deleted_at__isnull=True,
        )
        .filter(Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=on_date))
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=on_date))
        .filter(targets)
        .select_related("price_list")
    ):
        candidates.setdefault(item.product_id, []).append(item)

    def rank(item: PriceListItem):
        price_list = item.price_list
        kind = 0 if price_list.customer_id else 1 if price_list.grade_id else 2
        start = price_list.valid_from.toordinal() if price_list.valid_from else 0
        return (kind, -start, -price_list.pk, -item.min_quantity)

    rate = _rates(actor=actor, on_date=on_date)
    prices = []
    for product, quantity in items:
        best = min(
            (i for i in candidates.get(product.pk, ()) if i.min_quantity <= quantity),
            key=rank,
            default=None,
        )
        prices.append(_price(product, best, currency, rate))
    return prices


def _price(product: Product, best: PriceListItem | None, currency: str | None, rate) -> Price:
    if best is None:
        price, from_currency = product.price, product.currency
        source, list_id, tier = _("list price"), None, None
    else:
        price_list = best.price_list
        price, from_currency = best.price, price_list.currency
        list_id, tier = price_list.pk, best.min_quantity
        if price_list.customer_id:
            source = _("customer price list «%(name)s»") % {"name": price_list.name}
        elif price_list.grade_id:
            source = _("grade price list «%(name)s»") % {"name": price_list.name}
        else:
            source = _("price list «%(name)s»") % {"name": price_list.name}
    to_currency = (currency or from_currency).upper()
    return Price(
        unit_price=_convert(price, from_currency, to_currency, rate),
        currency=to_currency,
        source=source,
        price_list_id=list_id,
        min_quantity=tier,
        original_price=Decimal(price),
        original_currency=from_currency,
    )


# --- the platform: public products, read across companies ---------------------------------------
# The network app shows other companies' public products; these reads take no actor because the
# rows are public by definition — the callers add the company rules (public profile, blocks).
def public_product_images(*, product: Product) -> QuerySet[ProductImage]:
    """The images of a product, in their order (trashed ones hidden)."""
    return ProductImage.objects.filter(company_id=product.company_id, product=product).order_by(
        "position", "id"
    )


def public_product_image_get(*, id: int) -> ProductImage:
    """An image of a public, not discontinued, not trashed product; NotFound otherwise."""
    image = (
        ProductImage.objects.filter(
            pk=id,
            product__is_public=True,
            product__deleted_at__isnull=True,
        )
        .exclude(product__status=Product.Status.DISCONTINUED)
        .select_related("product")
        .first()
    )
    if image is None:
        raise NotFound()
    return image


def product_specification_rows(*, product: Product) -> list[tuple[str, object, str]]:
    """(label, value, unit) of the product's specifications, labelled by the attributes of its
    category and the category's ancestors (keys without an attribute show as they are)."""
    values = product.specifications or {}
    if not values:
        return []
    labels: dict[str, AttributeDefinition] = {}
    if product.category_id:
        parents = dict(
            Category.objects.filter(company_id=product.company_id).values_list("pk", "parent_id")
        )
        lineage: list[int] = []
        node: int | None = product.category_id
        while node is not None and node not in lineage:
            lineage.append(node)
            node = parents.get(node)
        depth = {pk: i for i, pk in enumerate(lineage)}  # nearest category wins
        attributes = AttributeDefinition.objects.filter(
            company_id=product.company_id, category_id__in=lineage
        )
        for attribute in sorted(attributes, key=lambda a: -depth[a.category_id]):
            labels[attribute.key] = attribute
    rows = []
    for key, value in values.items():
        attribute = labels.get(key)
        rows.append(
            (attribute.label if attribute else key, value, attribute.unit if attribute else "")
        )
    return rows
