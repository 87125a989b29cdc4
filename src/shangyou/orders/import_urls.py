"""Pages of the order-history import (upload → preview → commit with progress)."""

from django.urls import path  # noqa: F401 - routes are added as the pages land

app_name = "order_import"
urlpatterns: list = []
