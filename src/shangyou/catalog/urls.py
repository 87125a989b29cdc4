from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("spec-fields/", views.spec_fields, name="spec_fields"),
    path("lookup/customers/", views.customer_options, name="customer_options"),
    path("lookup/products/", views.product_options, name="product_options"),
    path("<int:product_id>/", views.product_detail, name="product_detail"),
    path("<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("<int:product_id>/delete/", views.product_delete, name="product_delete"),
    path("<int:product_id>/images/", views.product_image_upload, name="product_image_upload"),
    path("images/<int:product_image_id>/", views.product_image, name="product_image"),
    path(
        "images/<int:product_image_id>/delete/",
        views.product_image_delete,
        name="product_image_delete",
    ),
    path("<int:product_id>/grants/", views.grant_create, name="grant_create"),
    path("grants/<int:grant_id>/delete/", views.grant_delete, name="grant_delete"),
    # configurable products
    path("<int:product_id>/components/", views.components, name="components"),
    path(
        "components/groups/<int:component_group_id>/options/",
        views.option_create,
        name="option_create",
    ),
    path(
        "components/groups/<int:component_group_id>/delete/",
        views.group_delete,
        name="group_delete",
    ),
    path(
        "components/options/<int:component_option_id>/delete/",
        views.option_delete,
        name="option_delete",
    ),
    path("<int:product_id>/rules/", views.rule_create, name="rule_create"),
    path("rules/<int:compat_rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("<int:product_id>/configure/", views.configure, name="configure"),
    path(
        "configurations/<int:configuration_id>/",
        views.configuration_detail,
        name="configuration_detail",
    ),
    # categories and their specifications
    path("categories/", views.category_index, name="category_index"),
    path("categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("categories/<int:category_id>/delete/", views.category_delete, name="category_delete"),
    path(
        "categories/<int:category_id>/attributes/",
        views.attribute_create,
        name="attribute_create",
    ),
    path("attributes/<int:attribute_id>/delete/", views.attribute_delete, name="attribute_delete"),
    # prices
    path("price-lists/", views.price_list_index, name="price_list_index"),
    path("price-lists/<int:price_list_id>/", views.price_list_detail, name="price_list_detail"),
    path(
        "price-lists/<int:price_list_id>/delete/",
        views.price_list_delete,
        name="price_list_delete",
    ),
    path("price-lists/<int:price_list_id>/items/", views.price_item_set, name="price_item_set"),
    path(
        "price-items/<int:price_item_id>/delete/",
        views.price_item_delete,
        name="price_item_delete",
    ),
    path("rates/", views.rate_index, name="rate_index"),
    path("rates/<int:rate_id>/delete/", views.rate_delete, name="rate_delete"),
    # DIY designs
    path("designs/", views.design_list, name="design_list"),
    path("designs/new/", views.design_create, name="design_create"),
    path("designs/<int:design_id>/", views.design_detail, name="design_detail"),
    path("designs/<int:design_id>/review/", views.design_review, name="design_review"),
    path("designs/<int:design_id>/feature/", views.design_feature, name="design_feature"),
    path("designs/<int:design_id>/file/", views.design_file, name="design_file"),
    path("designs/<int:design_id>/delete/", views.design_delete, name="design_delete"),
]
