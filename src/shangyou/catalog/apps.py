from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products (P1–P3, M4): category tree, typed specifications, configurable products, DIY
    designs, price lists by grade/customer/date in several currencies, authorised products."""

    name = "shangyou.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self) -> None:
        from shangyou.contacts import selectors as contacts

        from . import customer_page

        contacts.CUSTOMER_SECTION_PROVIDERS.append(customer_page.customer_sections)
