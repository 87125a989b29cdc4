"""The tenant's CRM address book. The foundation ships `Customer` with owner/team record rules and
search; customer management (issue 3) grows it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangyou.core.models import TenantModel
from shangyou.core.search import SearchableModel


class Customer(SearchableModel, TenantModel):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    class Stage(models.TextChoices):
        LEAD = "lead", _("Lead")
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.LEAD)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-updated_at", "-id"], name="customer_recent"),
            models.Index(fields=["company", "owner", "-updated_at"], name="customer_owner"),
            models.Index(fields=["company", "team", "-updated_at"], name="customer_team"),
            models.Index(fields=["company", "name"], name="customer_name"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def search_parts(self):
        return {"names": [self.name], "phones": [self.phone], "emails": [self.email]}
