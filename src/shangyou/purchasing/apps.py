from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    """Procurement (B1–B3, I3): suppliers and scorecards, RFQs answered by suppliers on the
    platform or through a signed link, side-by-side comparison, awards and purchase orders that
    arrive in a platform supplier's account as sales orders, goods receipts."""

    name = "shangyou.purchasing"
    label = "purchasing"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from shangyou.orders.services import ORDER_STATUS_HOOKS

        from .purchase_orders import purchase_order_sync_from_sales_order

        ORDER_STATUS_HOOKS.append(purchase_order_sync_from_sales_order)
