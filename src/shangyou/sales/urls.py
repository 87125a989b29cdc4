from django.urls import path

from . import views, views_public

app_name = "sales"
urlpatterns = [
    # opportunities (S1)
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/kanban/", views.opportunity_kanban, name="opportunity_kanban"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path(
        "opportunities/<int:opportunity_id>/",
        views.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        views.opportunity_edit,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:opportunity_id>/stage/",
        views.opportunity_stage,
        name="opportunity_stage",
    ),
    path(
        "opportunities/<int:opportunity_id>/delete/",
        views.opportunity_delete,
        name="opportunity_delete",
    ),
    # quotations (S2)
    path("quotations/", views.quotation_list, name="quotation_list"),
    path("quotations/new/", views.quotation_create, name="quotation_create"),
    path("customers/lookup/", views.customer_lookup, name="customer_lookup"),
    path("quotations/products/", views.quotation_product_search, name="product_search"),
    path("quotations/line/", views.quotation_line_row, name="line_row"),
    path("quotations/totals/", views.quotation_totals, name="quotation_totals"),
    path("quotations/<int:quotation_id>/", views.quotation_detail, name="quotation_detail"),
    path("quotations/<int:quotation_id>/edit/", views.quotation_edit, name="quotation_edit"),
    path("quotations/<int:quotation_id>/pdf/", views.quotation_pdf, name="quotation_pdf"),
    path("quotations/<int:quotation_id>/send/", views.quotation_send, name="quotation_send"),
    path("quotations/<int:quotation_id>/revise/", views.quotation_revise, name="quotation_revise"),
    path("quotations/<int:quotation_id>/answer/", views.quotation_answer, name="quotation_answer"),
    path("quotations/<int:quotation_id>/delete/", views.quotation_delete, name="quotation_delete"),
    # the customer's signed link (no account)
    path("q/<str:token>/", views_public.public_quotation, name="public_quotation"),
    path("q/<str:token>/pdf/", views_public.public_quotation_pdf, name="public_quotation_pdf"),
]
