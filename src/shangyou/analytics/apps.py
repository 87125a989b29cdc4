from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Business statistics (S5) and, later, analytical CRM (A1–A7): read-only views over the
    other apps' data, from rollups the app keeps in step with the orders."""

    name = "shangyou.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from shangyou.orders.services import SALES_CHANGED_HOOKS

        from .services import sales_rollup_refresh

        if sales_rollup_refresh not in SALES_CHANGED_HOOKS:
            SALES_CHANGED_HOOKS.append(sales_rollup_refresh)
