"""Procurement models (B1–B3).

- A supplier is a CRM `Customer` with `is_supplier`; its `SupplierScore` keeps the scorecard
  (price competitiveness, on-time delivery, quality, response time, a manual adjustment) and the
  grade derived from it.
- `Rfq` (request for quotation) of the buying company: `RfqLine`s (product or free text) and
  `RfqInvitation`s, one per invited supplier. A platform supplier (`supplier_company`) answers in
  its own account; an external one through a signed link naming the invitation and its
  `access_key`.
- `SupplierQuote` is a supplier's answer in the standard form (one per invitation) with
  `SupplierQuoteLine`s and attachments. RFQ, invitations and answers are shared documents: the
  buyer sees all of them, an invited supplier only its own invitation and answer.
- `PurchaseOrder` (numbered PO-…) with `PurchaseOrderLine`s, created by awarding; for a platform
  supplier it is linked to the sales order created in the supplier's account (`sales_order`).
  `GoodsReceipt`s record what arrived, per line, and close the order.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.catalog.models import MONEY, PERCENT, QUANTITY, UNIT_PRICE, currency_field
from shangyou.core.models import BaseModel, TenantModel


def new_access_key() -> str:
    return secrets.token_urlsafe(18)


class SupplierScore(TenantModel):
    """The scorecard of one supplier (B1): component scores 0–100 (None: no data yet)."""

    class Grade(models.TextChoices):
        A = "A", _("A – preferred")
        B = "B", _("B – approved")
        C = "C", _("C – conditional")
        D = "D", _("D – avoid")

    supplier = models.OneToOneField(
        "contacts.Customer",
        on_delete=models.CASCADE,
        related_name="supplier_score",
        verbose_name=_("supplier"),
    )
    price_score = models.DecimalField(
        _("price competitiveness"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    delivery_score = models.DecimalField(
        _("on-time delivery"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    quality_score = models.DecimalField(
        _("quality"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    response_score = models.DecimalField(
        _("response time"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    adjustment = models.SmallIntegerField(
        _("manual adjustment"),
        default=0,
        validators=[MinValueValidator(-30), MaxValueValidator(30)],
        help_text=_("Points added to (or taken from) the computed score, from -30 to +30."),
    )
    adjustment_reason = models.CharField(_("reason for the adjustment"), max_length=300, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("supplier grade"), max_length=1, choices=Grade.choices, blank=True)
    grade_locked = models.BooleanField(_("grade set by hand"), default=False)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["company", "grade"], name="supplier_score_grade")]
        verbose_name = _("supplier scorecard")
        verbose_name_plural = _("supplier scorecards")

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.grade or '-'}"


class Rfq(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("message to suppliers"), blank=True, help_text=_("Shown to every invited supplier.")
    )
    notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Never shown to suppliers.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    currency = currency_field(help_text=_("The currency you would like prices in."))
    deadline = models.DateTimeField(_("answer deadline"))
    issue_date = models.DateField(
        _("RFQ date"), null=True, blank=True, help_text=_("Exchange rates of this day are used.")
    )
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    payment_terms = models.CharField(_("expected payment terms"), max_length=200, blank=True)
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
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at", "-id"], name="rfq_recent"),
            models.Index(fields=["company", "status", "deadline"], name="rfq_status"),
            models.Index(fields=["company", "owner", "-created_at"], name="rfq_owner"),
        ]
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RfqLine(BaseModel):
    """What is asked for; edited only through its RFQ (whose version guards it)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=500)
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    required_date = models.DateField(_("required date"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["company", "rfq"], name="rfq_line_parent")]
        verbose_name = _("RFQ line")
        verbose_name_plural = _("RFQ lines")

    def __str__(self) -> str:
        return self.description


class RfqInvitation(BaseModel):
    """One invited supplier of an RFQ: shared by the buyer (`company`) and the supplier."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        INVITED = "invited", _("Invited")
        VIEWED = "viewed", _("Viewed")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="invitations")
    supplier = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="rfq_invitations",
        verbose_name=_("supplier"),
    )
    # The supplier's own company when it is on the platform (it answers in its account).
    supplier_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier on the platform"),
    )
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    access_key = models.CharField(max_length=40, default=new_access_key, editable=False)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    # The buyer as a record of the supplier's CRM, and the quotation made there (platform only).
    buyer_record = models.ForeignKey(
        "contacts.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supplier_quotation = models.ForeignKey(
        "sales.Quotation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "supplier"], name="rfq_invitation_unique")
        ]
        indexes = [
            models.Index(fields=["company", "rfq"], name="rfq_invitation_rfq"),
            models.Index(
                fields=["supplier_company", "-invited_at"], name="rfq_invitation_incoming"
            ),
        ]
        verbose_name = _("RFQ invitation")
        verbose_name_plural = _("RFQ invitations")

    def __str__(self) -> str:
        return f"{self.rfq_id} → {self.supplier_id}"

    @property
    def is_platform(self) -> bool:
        return self.supplier_company_id is not None


class SupplierQuote(BaseModel):
    """A supplier's answer to an RFQ in the standard form (B2)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="quotes")
    invitation = models.OneToOneField(RfqInvitation, on_delete=models.CASCADE, related_name="quote")
    currency = currency_field()
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_name = models.CharField(_("answered by"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "rfq"], name="supplier_quote_rfq")]
        verbose_name = _("supplier quotation")
        verbose_name_plural = _("supplier quotations")

    def __str__(self) -> str:
        return f"{self.rfq_id}/{self.invitation_id}"


class SupplierQuoteLine(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    quote = models.ForeignKey(SupplierQuote, on_delete=models.CASCADE, related_name="lines")
    rfq_line = models.ForeignKey(RfqLine, on_delete=models.CASCADE, related_name="quote_lines")
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    moq = models.DecimalField(_("minimum order quantity"), **QUANTITY, null=True, blank=True)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)

    class Meta:
        ordering = ["rfq_line__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "rfq_line"], name="supplier_quote_line_unique")
        ]
        indexes = [models.Index(fields=["company", "quote"], name="supplier_quote_line_parent")]

    def __str__(self) -> str:
        return f"{self.rfq_line_id}: {self.unit_price}"


def quote_attachment_path(instance, filename: str) -> str:
    return f"purchasing/{instance.company_id}/quotes/{instance.quote_id}/{filename}"


class SupplierQuoteAttachment(BaseModel):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    quote = models.ForeignKey(SupplierQuote, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=quote_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "quote"], name="quote_attachment_parent")]

    def __str__(self) -> str:
        return self.name


class PurchaseOrder(TenantModel):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        CONFIRMED = "confirmed", _("Confirmed by the supplier")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received (closed)")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = ("sent", "confirmed", "partly_shipped", "shipped", "partly_received")

    number = models.CharField(_("number"), max_length=40)
    rfq = models.ForeignKey(
        Rfq,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchase_orders",
        verbose_name=_("RFQ"),
    )
    invitation = models.ForeignKey(
        RfqInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supplier = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    supplier_company = models.ForeignKey(
        "accounts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="sent")
    order_date = models.DateField(_("order date"))
    currency = currency_field()
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    tax_total = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
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
    # The sales order in the supplier's own account (platform suppliers): the closed loop.
    sales_order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchase_order_number")
        ]
        indexes = [
            models.Index(fields=["company", "-order_date", "-id"], name="po_recent"),
            models.Index(fields=["company", "status", "-order_date"], name="po_status"),
            models.Index(fields=["company", "supplier", "-order_date"], name="po_supplier"),
            models.Index(fields=["company", "owner", "-order_date"], name="po_owner"),
        ]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def effective_status(self) -> str:
        """What to show: while the PO follows the supplier's sales order, that order's status
        (load it with `select_related("sales_order")`; see `purchase_orders`)."""
        if self.sales_order_id and self.status in FOLLOWS_SUPPLIER:
            return FROM_SALES_STATUS.get(self.sales_order.status, self.status)
        return self.status

    def get_effective_status_display(self) -> str:
        return str(self.Status(self.effective_status).label)


# The supplier's sales order status → what the buyer's purchase order shows.
FROM_SALES_STATUS = {
    "draft": PurchaseOrder.Status.SENT,
    "confirmed": PurchaseOrder.Status.CONFIRMED,
    "partly_shipped": PurchaseOrder.Status.PARTLY_SHIPPED,
    "shipped": PurchaseOrder.Status.SHIPPED,
    "completed": PurchaseOrder.Status.SHIPPED,
    "cancelled": PurchaseOrder.Status.CANCELLED,
}
# Statuses the supplier's side may still change (receipts and the buyer's cancel win).
FOLLOWS_SUPPLIER = ("sent", "confirmed", "partly_shipped", "shipped")


class PurchaseOrderLine(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    rfq_line = models.ForeignKey(
        RfqLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=500)
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), **UNIT_PRICE)
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0))
    line_subtotal = models.DecimalField(_("amount"), **MONEY, default=Decimal(0))
    line_tax = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    line_total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    required_date = models.DateField(_("required date"), null=True, blank=True)
    quantity_received = models.DecimalField(_("received"), **QUANTITY, default=Decimal(0))

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["company", "order"], name="po_line_parent")]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")

    def __str__(self) -> str:
        return self.description

    @property
    def quantity_open(self) -> Decimal:
        return max(self.quantity - self.quantity_received, Decimal(0))


class GoodsReceipt(TenantModel):
    number = models.CharField(_("number"), max_length=40)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField(_("received on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["company", "order"], name="receipt_order")]
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.CASCADE, related_name="receipt_lines"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "receipt"], name="receipt_line_parent")]

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.quantity}"
