from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("sales/", views.sales, name="sales"),
    path("sales/export.csv", views.sales_csv, name="sales_csv"),  # ?table=period|owner|…
]
