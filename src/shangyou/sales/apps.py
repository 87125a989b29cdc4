from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """The sales pipeline (S1–S3): opportunities and quotations with revisions, PDF, email and
    acceptance through a signed link."""

    name = "shangyou.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from django.urls import reverse

        from shangyou.collab.services import register_target
        from shangyou.contacts import selectors as contacts
        from shangyou.contacts.services import CONVERSION_HOOKS

        from . import selectors
        from .conversion import open_first_opportunity

        register_target(
            "sales.opportunity",
            selectors.opportunity_get,
            lambda obj: reverse("sales:opportunity_detail", args=[obj.pk]),
        )
        register_target(
            "sales.quotation",
            selectors.quotation_get,
            lambda obj: reverse("sales:quotation_detail", args=[obj.pk]),
        )
        # The customer page's "Sales" tab and header figures.
        contacts.CUSTOMER_SECTION_PROVIDERS.append(selectors.customer_sections)
        contacts.CUSTOMER_FIGURE_PROVIDERS.append(selectors.customer_figures)
        CONVERSION_HOOKS.append(open_first_opportunity)
