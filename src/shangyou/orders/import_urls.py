"""Pages of the order-history import (upload → preview → commit with progress)."""

from django.urls import path

from . import views_import

app_name = "order_import"
urlpatterns = [
    path("", views_import.import_start, name="start"),
    path("template.csv", views_import.import_template, name="template"),
    path("<int:order_import_id>/", views_import.import_detail, name="detail"),
    path("<int:order_import_id>/status/", views_import.import_status, name="status"),
    path("<int:order_import_id>/commit/", views_import.import_commit, name="commit"),
    path("<int:order_import_id>/cancel/", views_import.import_cancel, name="cancel"),
]
