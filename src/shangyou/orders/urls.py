from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_create, name="order_create"),
    path("line/", views.order_line_row, name="order_line_row"),
    path("totals/", views.order_totals, name="order_totals"),
    path("products/", views.product_search, name="product_search"),
    path("customers/", views.customer_search, name="customer_search"),
    path("track/", views.tracking, name="track"),
    path("open-lines.csv", views.open_lines_csv, name="open_lines_csv"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables.csv", views.receivables_csv, name="receivables_csv"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("<int:order_id>/complete/", views.order_complete, name="order_complete"),
    path("<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:order_id>/delete/", views.order_delete, name="order_delete"),
    path("<int:order_id>/ship/", views.shipment_create, name="shipment_create"),
    path("<int:order_id>/invoice/", views.invoice_create, name="invoice_create"),
    path("<int:order_id>/pay/", views.order_pay, name="order_pay"),
    path("shipments/", views.shipment_list, name="shipment_list"),
    path("shipments/<int:shipment_id>/", views.shipment_detail, name="shipment_detail"),
    path(
        "shipments/<int:shipment_id>/events/",
        views.shipment_event_add,
        name="shipment_event_add",
    ),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("payments/", views.payment_list, name="payment_list"),
]
