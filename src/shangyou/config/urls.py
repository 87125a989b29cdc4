from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from shangyou.config.api import api
from shangyou.core.middleware import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("accounts/", include("shangyou.accounts.urls")),
    path("customers/", include("shangyou.contacts.urls")),
    path("calendar/", include("shangyou.contacts.schedule_urls")),
    path("notifications/", include("shangyou.collab.urls")),
    path("network/", include("shangyou.network.urls")),
    path("products/", include("shangyou.catalog.urls")),
    path("sales/", include("shangyou.sales.urls")),
    path("orders/import/", include("shangyou.orders.import_urls")),
    path("orders/", include("shangyou.orders.urls")),
    path("analytics/", include("shangyou.analytics.urls")),
    path("purchasing/", include("shangyou.purchasing.urls")),
    path("", include("shangyou.core.urls")),
]

# A database lost outside a view (session, actor middleware) is a 503, not a 500.
handler500 = "shangyou.core.middleware.server_error"
