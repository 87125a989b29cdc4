"""Mounts every app's router on the one API object (`core.api.api`)."""

from shangyou.accounts.api import router as accounts_router
from shangyou.analytics.api import router as analytics_router
from shangyou.catalog.api import router as catalog_router
from shangyou.collab.api import router as collab_router
from shangyou.contacts.api import router as contacts_router
from shangyou.core.api import api
from shangyou.core.api_routes import router as core_router
from shangyou.network.api import router as network_router
from shangyou.orders.api import router as orders_router
from shangyou.orders.api_import import router as order_import_router
from shangyou.purchasing.api import router as purchasing_router
from shangyou.sales.api import router as sales_router

api.add_router("/", accounts_router)
api.add_router("/", core_router)
api.add_router("/", contacts_router)
api.add_router("/", collab_router)
api.add_router("/", network_router)
api.add_router("/", catalog_router)
api.add_router("/", sales_router)
api.add_router("/", orders_router)
api.add_router("/", order_import_router)
api.add_router("/", analytics_router)
api.add_router("/", purchasing_router)

__all__ = ["api"]
