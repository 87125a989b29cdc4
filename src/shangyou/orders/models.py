"""Sales orders and what follows them (S3, S4, I1).

- `SalesOrder` draft → confirmed → partly shipped → shipped → completed, or cancelled; its
  lines keep what was shipped and invoiced so far. Totals are Decimal, per line to the cent.
- `Shipment` (carrier, tracking number, status events) ships quantities of order lines.
- `Invoice` (full or partial) bills quantities of order lines; `Payment` records money received
  or refunded against an invoice (or an order / the customer's account).
- `OrderImportJob` is an order-history import (preview → commit), as customers' `ImportJob`.

Amounts paid/invoiced on orders and invoices are kept in step by the services, so lists and
ageing read one row instead of summing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.catalog.models import (
    MONEY,
    PERCENT,
    QUANTITY,
    UNIT_PRICE,
    DocumentLine,
    currency_field,
)
from shangyou.core.models import TenantModel

# Rows not in the trash: the condition of the list indexes.
LIVE = models.Q(deleted_at__isnull=True)


class SalesOrder(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        QUOTATION = "quotation", _("Accepted quotation")
        IMPORT = "import", _("Imported")
        PLATFORM = "platform", _("Purchase order on the platform")
        PORTAL = "portal", _("Customer portal")
        API = "api", _("API")

    OPEN_STATUSES = ("confirmed", "partly_shipped", "shipped")

    number = models.CharField(_("order number"), max_length=40)
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    quotation = models.ForeignKey(
        "sales.Quotation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("quotation"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("opportunity"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    order_date = models.DateField(_("order date"))
    currency = currency_field()
    # The customer's own reference (their purchase order number).
    customer_reference = models.CharField(_("customer reference"), max_length=60, blank=True)
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    discount_total = models.DecimalField(_("discount"), **MONEY, default=Decimal(0))
    tax_total = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    amount_invoiced = models.DecimalField(_("invoiced"), **MONEY, default=Decimal(0))
    amount_paid = models.DecimalField(_("paid"), **MONEY, default=Decimal(0))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where the goods go, and how the customer proves the order is theirs when tracking it.
    ship_to_name = models.CharField(_("recipient"), max_length=100, blank=True)
    ship_to_phone = models.CharField(_("recipient's phone"), max_length=40, blank=True)
    ship_to_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    tracking_phone = models.CharField(max_length=20, blank=True, editable=False)
    tracking_email = models.CharField(max_length=254, blank=True, editable=False)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The buying company when the order came as a purchase order over the platform (B3).
    buyer_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("buying company"),
    )
    external_ref = models.CharField(max_length=100, blank=True, editable=False)
    # Days from an invoice's date to its due date (S4).
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)

    class Meta:
        ordering = ["-order_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_order_number_unique")
        ]
        # The list's orderings and filters, on the orders not in the trash (every list reads
        # through the live manager): a page is the first rows of one of these, and its bounded
        # count an index-only scan.
        indexes = [
            models.Index(fields=fields, name=name, condition=LIVE)
            for name, fields in (
                ("order_recent", ["company", "-order_date", "-id"]),
                ("order_status", ["company", "status", "-order_date", "-id"]),
                ("order_customer", ["company", "customer", "-order_date", "-id"]),
                ("order_owner", ["company", "owner", "-order_date", "-id"]),
                ("order_team", ["company", "team", "-order_date", "-id"]),
                ("order_amount", ["company", "-total", "-id"]),
            )
        ]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid


class OrderLine(DocumentLine):
    """A line of an order; changed only through its order's services."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    quantity_shipped = models.DecimalField(_("shipped"), **QUANTITY, default=Decimal(0))
    quantity_invoiced = models.DecimalField(_("invoiced"), **QUANTITY, default=Decimal(0))
    required_date = models.DateField(_("required date"), null=True, blank=True)

    class Meta(DocumentLine.Meta):
        indexes = [
            models.Index(fields=["company", "order"], name="order_line_parent"),
            models.Index(fields=["company", "product"], name="order_line_product"),
        ]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    @property
    def quantity_open(self) -> Decimal:
        return self.quantity - self.quantity_shipped


class Shipment(TenantModel):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")

    number = models.CharField(_("shipment number"), max_length=40)
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREPARING
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="shipment_number_unique")
        ]
        indexes = [models.Index(fields=["company", "order"], name="shipment_order")]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "shipment"], name="shipment_line_parent")]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.quantity}"


class ShipmentEvent(models.Model):
    """A status reported for a shipment (by staff, the carrier feed or the API)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=12, choices=Shipment.Status.choices)
    location = models.CharField(_("location"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["company", "shipment", "-at"], name="shipment_event")]

    def __str__(self) -> str:
        return f"{self.status} {self.at:%Y-%m-%d %H:%M}"


class Invoice(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("invoice number"), max_length=40)
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ISSUED
    )
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = currency_field()
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    tax_total = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    amount_paid = models.DecimalField(_("paid"), **MONEY, default=Decimal(0))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="invoice_number_unique")
        ]
        indexes = [
            models.Index(fields=["company", "status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["company", "customer", "-issue_date"], name="invoice_customer"),
            models.Index(fields=["company", "order"], name="invoice_order"),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid


class InvoiceLine(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    discount_percent = models.DecimalField(_("discount (%)"), **PERCENT, default=Decimal(0))
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0))
    line_subtotal = models.DecimalField(_("amount"), **MONEY, default=Decimal(0))
    line_tax = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    line_total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "invoice"], name="invoice_line_parent")]

    def __str__(self) -> str:
        return self.description


class Payment(TenantModel):
    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")

    class Method(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        ALIPAY = "alipay", _("Alipay")
        WECHAT = "wechat", _("WeChat Pay")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")
        OTHER = "other", _("Other")

    number = models.CharField(_("payment number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("customer"),
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("invoice"),
    )
    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("order"),
    )
    # Always positive; a refund's kind says it goes back to the customer.
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = currency_field()
    received_on = models.DateField(_("date"))
    method = models.CharField(
        _("method"), max_length=8, choices=Method.choices, default=Method.BANK
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="payment_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
        ]
        indexes = [
            models.Index(fields=["company", "customer", "-received_on"], name="payment_customer"),
            models.Index(fields=["company", "invoice"], name="payment_invoice"),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.number

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == self.Kind.REFUND else self.amount


class OrderImportJob(TenantModel):
    """An order-history import: upload → preview (report) → commit in the background."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    file = models.FileField(upload_to="imports/orders/%Y/%m/", max_length=300)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    progress = models.ForeignKey(
        "core.TaskProgress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="order_import_recent")]
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")

    def __str__(self) -> str:
        return self.filename
