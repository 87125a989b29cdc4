"""The sales pipeline (S1–S3): opportunities and quotations.

A quotation's lines carry their computed amounts (Decimal, rounded per line to the cent); the
quotation keeps the totals. A revision is a new `Quotation` row pointing at its predecessor
(`previous`), sharing the `number` with an incremented `revision`; the predecessor becomes
`superseded`. The customer answers through a signed link naming the quotation and its
`access_key`, so a revised quotation invalidates the old link.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.catalog.models import (
    MONEY,
    PERCENT,
    DocumentLine,
    currency_field,
)
from shangyou.core.models import TenantModel


def new_access_key() -> str:
    return secrets.token_urlsafe(16)


class Opportunity(TenantModel):
    class Stage(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification")
        NEEDS = "needs", _("Needs analysis")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    # Default win probability (%) of each stage; a salesperson may set another.
    STAGE_PROBABILITY = {
        "qualification": 10,
        "needs": 25,
        "proposal": 50,
        "negotiation": 75,
        "won": 100,
        "lost": 0,
    }
    OPEN_STAGES = ("qualification", "needs", "proposal", "negotiation")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="opportunities",
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
    stage = models.CharField(
        _("stage"), max_length=15, choices=Stage.choices, default=Stage.QUALIFICATION
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10)
    amount = models.DecimalField(_("expected amount"), **MONEY, default=Decimal(0))
    currency = currency_field()
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
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
    source = models.CharField(_("source"), max_length=20, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "stage", "-expected_close"], name="opportunity_stage"),
            models.Index(fields=["company", "customer"], name="opportunity_customer"),
            models.Index(fields=["company", "owner", "stage"], name="opportunity_owner"),
        ]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))


class Quotation(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    number = models.CharField(_("number"), max_length=40)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous revision"),
    )
    customer = models.ForeignKey(
        "contacts.Customer",
        on_delete=models.PROTECT,
        related_name="quotations",
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
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotations",
        verbose_name=_("opportunity"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = currency_field()
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    issue_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    terms = models.TextField(_("terms"), blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    discount_percent = models.DecimalField(
        _("discount on the total (%)"), **PERCENT, default=Decimal(0)
    )
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    discount_total = models.DecimalField(_("discount"), **MONEY, default=Decimal(0))
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
    access_key = models.CharField(max_length=40, default=new_access_key, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    response_name = models.CharField(_("answered by"), max_length=100, blank=True)
    response_note = models.TextField(_("customer's remarks"), blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number", "revision"], name="quotation_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["company", "-issue_date", "-id"], name="quotation_recent"),
            models.Index(fields=["company", "status", "-issue_date"], name="quotation_status"),
            models.Index(fields=["company", "customer", "-issue_date"], name="quotation_customer"),
        ]
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")

    def __str__(self) -> str:
        return f"{self.number}-R{self.revision}" if self.revision else self.number


class QuotationLine(DocumentLine):
    """A line of a quotation; edited only through its quotation (whose version guards it)."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        indexes = [models.Index(fields=["company", "quotation"], name="quotation_line_parent")]
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")
