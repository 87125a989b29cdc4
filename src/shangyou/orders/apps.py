from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Sales orders and what follows them (S3, S4, I1): shipments and public tracking, invoices,
    payments and receivables, the open-orders feed, order-history import."""

    name = "shangyou.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from shangyou.contacts import selectors as contacts
        from shangyou.contacts.grading import METRICS_PROVIDERS

        from . import customer_page
        from .selectors import customer_spend_metrics

        METRICS_PROVIDERS.append(customer_spend_metrics)
        contacts.CUSTOMER_FIGURE_PROVIDERS.append(customer_page.customer_figures)
        contacts.CUSTOMER_SECTION_PROVIDERS.append(customer_page.customer_sections)
