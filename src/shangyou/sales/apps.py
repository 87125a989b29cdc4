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
        # The customer page's "Sales" tab and header figures, where contacts offers the hooks.
        sections = getattr(contacts, "CUSTOMER_SECTION_PROVIDERS", None)
        if sections is not None and selectors.customer_sections not in sections:
            sections.append(selectors.customer_sections)
        figures = getattr(contacts, "CUSTOMER_FIGURE_PROVIDERS", None)
        if figures is not None and selectors.customer_figures not in figures:
            figures.append(selectors.customer_figures)
        CONVERSION_HOOKS.append(open_first_opportunity)
