"""The product catalogue (P1–P3, M4).

- `Category` forms a tree; each category defines typed `AttributeDefinition`s, and a product's
  `specifications` hold values for its category's attributes (and its ancestors').
- `Product`: SKU, units, tax rate, status, public or private, images. A configurable product
  (P2) is built from `ComponentGroup`s of `ComponentOption`s with price deltas, constrained by
  `CompatibilityRule`s; a `Configuration` stores one chosen set with its computed price and
  specification, so a quotation line can refer to it.
- `DiyDesign`: a customer's own design (files + description), reviewed by staff (P3).
- Prices: `PriceList`s (general, per grade or per customer, in a currency, for a date range)
  with `PriceListItem`s; `ExchangeRate`s with dates convert between currencies — no live
  look-ups inside a request.
- `ProductGrant`: a private product made visible to one customer or one grade (M4).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.core.models import TenantModel
from shangyou.core.search import SearchableModel

MONEY = {"max_digits": 16, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 18, "decimal_places": 4}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


# Every company keeps its books in this currency; others convert through `ExchangeRate`.
BASE_CURRENCY = "CNY"
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "KRW", "TWD", "SGD", "AUD", "CAD")


def currency_field(**kwargs) -> models.CharField:
    return models.CharField(_("currency"), max_length=3, default=BASE_CURRENCY, **kwargs)


class Category(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        indexes = [models.Index(fields=["company", "parent"], name="category_parent")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class AttributeDefinition(TenantModel):
    """A typed specification field of a category (e.g. 功率 W, 颜色, 材质)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes/no")

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("category")
    )
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=60)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "category", "key"],
                condition=models.Q(deleted_at__isnull=True),
                name="attribute_key_unique",
            )
        ]
        verbose_name = _("specification attribute")
        verbose_name_plural = _("specification attributes")

    def __str__(self) -> str:
        return self.label


class Product(SearchableModel, TenantModel):
    class Status(models.TextChoices):
        STANDARD = "standard", _("Standard")
        CONCEPT = "concept", _("Concept")
        DISCONTINUED = "discontinued", _("Discontinued")

    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"), blank=True)
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    price = models.DecimalField(_("list price"), **UNIT_PRICE, default=Decimal(0))
    currency = currency_field()
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal("13.00"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.STANDARD
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Public products appear on the platform; private ones only to the customers and "
            "grades they are granted to."
        ),
    )
    is_configurable = models.BooleanField(_("configurable"), default=False)
    min_order_quantity = models.DecimalField(
        _("minimum order quantity"), **QUANTITY, default=Decimal(1)
    )
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "sku"],
                condition=models.Q(deleted_at__isnull=True),
                name="product_sku_unique",
            )
        ]
        indexes = [
            models.Index(fields=["company", "category", "name"], name="product_category"),
            models.Index(fields=["company", "status", "name"], name="product_status"),
            models.Index(fields=["company", "is_public"], name="product_public"),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})" if self.sku else self.name

    def search_parts(self):
        return {
            "names": [self.name, self.name_en],
            "phones": [],
            "emails": [],
            "extra": [self.sku, self.barcode],
        }


def product_image_upload_to(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.company_id}/{instance.product_id}/{filename}"


class ProductImage(TenantModel):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    file = models.FileField(_("image"), upload_to=product_image_upload_to, max_length=300)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["company", "product"], name="product_image_product")]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self) -> str:
        return self.caption or self.file.name


class ComponentGroup(TenantModel):
    """One choice in a configurable product: 处理器, 内存, 外壳颜色 …"""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="component_groups",
        verbose_name=_("product"),
    )
    name = models.CharField(_("name"), max_length=100)
    required = models.BooleanField(_("required"), default=True)
    allow_multiple = models.BooleanField(_("several options may be chosen"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["company", "product"], name="component_group_product")]
        verbose_name = _("component group")
        verbose_name_plural = _("component groups")

    def __str__(self) -> str:
        return self.name


class ComponentOption(TenantModel):
    group = models.ForeignKey(
        ComponentGroup, on_delete=models.CASCADE, related_name="options", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=100)
    component = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("component product"),
    )
    price_delta = models.DecimalField(_("price difference"), **UNIT_PRICE, default=Decimal(0))
    # Specification values this option sets on the result, e.g. {"memory_gb": 16}.
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["company", "group"], name="component_option_group")]
        verbose_name = _("component option")
        verbose_name_plural = _("component options")

    def __str__(self) -> str:
        return self.name


class CompatibilityRule(TenantModel):
    """`option` requires, or excludes, `other`."""

    class Kind(models.TextChoices):
        REQUIRES = "requires", _("requires")
        EXCLUDES = "excludes", _("excludes")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="compatibility_rules"
    )
    option = models.ForeignKey(ComponentOption, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices)
    other = models.ForeignKey(ComponentOption, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "product"], name="compat_rule_product")]
        verbose_name = _("compatibility rule")
        verbose_name_plural = _("compatibility rules")

    def __str__(self) -> str:
        return f"{self.option} {self.kind} {self.other}"


class Configuration(TenantModel):
    """A chosen set of options of a configurable product, with what the configurator computed."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="configurations", verbose_name=_("product")
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    option_ids = models.JSONField(_("options"), default=list)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE, default=Decimal(0))
    currency = currency_field()
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "product"], name="configuration_product")]
        verbose_name = _("configuration")
        verbose_name_plural = _("configurations")

    def __str__(self) -> str:
        return self.name or f"{self.product.name} #{self.pk}"


def diy_upload_to(instance: "DiyDesign", filename: str) -> str:
    return f"diy/{instance.company_id}/{filename}"


class DiyDesign(TenantModel):
    """A customer's own design (P3): files and a description, reviewed and maybe featured."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        STAFF = "staff", _("Entered by staff")
        PORTAL = "portal", _("Customer portal")

    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.CASCADE,
        related_name="diy_designs",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diy_designs",
        verbose_name=_("based on product"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=diy_upload_to, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    is_featured = models.BooleanField(_("featured"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "customer"], name="diy_customer"),
            models.Index(fields=["company", "status", "-created_at"], name="diy_status"),
        ]
        verbose_name = _("DIY design")
        verbose_name_plural = _("DIY designs")

    def __str__(self) -> str:
        return self.title


class ExchangeRate(TenantModel):
    """1 `currency` = `rate` × the company's base currency, from `valid_on` until the next."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal(0))]
    )
    valid_on = models.DateField(_("valid from"))

    class Meta:
        ordering = ["currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "currency", "valid_on"],
                condition=models.Q(deleted_at__isnull=True),
                name="exchange_rate_unique",
            )
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_on})"


class PriceList(TenantModel):
    """Prices in one currency for a date range: for everyone, one grade or one customer."""

    name = models.CharField(_("name"), max_length=100)
    currency = currency_field()
    grade = models.ForeignKey(
        "contacts.Grade",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grade"),
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "is_active"], name="price_list_active")]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name


class PriceListItem(TenantModel):
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    min_quantity = models.DecimalField(_("from quantity"), **QUANTITY, default=Decimal(1))
    price = models.DecimalField(_("price"), **UNIT_PRICE)

    class Meta:
        ordering = ["product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "price_list", "product", "min_quantity"],
                condition=models.Q(deleted_at__isnull=True),
                name="price_list_item_unique",
            )
        ]
        indexes = [
            models.Index(fields=["company", "product", "price_list"], name="price_item_product")
        ]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price}"


class ProductGrant(TenantModel):
    """Authorised product subscription (M4): a private product visible to a customer or a grade."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="grants", verbose_name=_("product")
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    grade = models.ForeignKey(
        "contacts.Grade",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grade"),
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | models.Q(grade__isnull=False),
                name="product_grant_has_target",
            )
        ]
        indexes = [
            models.Index(fields=["company", "product"], name="grant_product"),
            models.Index(fields=["company", "customer"], name="grant_customer"),
            models.Index(fields=["company", "grade"], name="grant_grade"),
        ]
        verbose_name = _("product grant")
        verbose_name_plural = _("product grants")

    def __str__(self) -> str:
        return f"{self.product_id} → {self.customer_id or self.grade_id}"


class DocumentLine(models.Model):
    """The priced line every sales document shares (quotation, order): what is sold, how many,
    at what price, discount and tax, and the amounts `core.money.line_amounts` computed. A line
    changes only through its document's services, under the document's version."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    configuration = models.ForeignKey(
        Configuration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("configuration"),
    )
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=500)
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    discount_percent = models.DecimalField(_("discount (%)"), **PERCENT, default=Decimal(0))
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0))
    line_subtotal = models.DecimalField(_("amount"), **MONEY, default=Decimal(0))
    line_tax = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    line_total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description
