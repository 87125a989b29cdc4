from django.urls import path

from . import views, views_import, views_settings

app_name = "contacts"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("kanban/", views.customer_kanban, name="customer_kanban"),
    path("export/", views.customer_export, name="customer_export"),
    path("bulk/", views.customer_bulk, name="customer_bulk"),
    path("new/", views.customer_create, name="customer_create"),
    path("duplicates/", views.duplicate_check, name="duplicate_check"),
    path("segments/", views.segment_index, name="segment_index"),
    path("segments/new/", views.segment_save, name="segment_save"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_id>/delete/", views.customer_delete, name="customer_delete"),
    path("<int:customer_id>/stage/", views.customer_stage, name="customer_stage"),
    path("<int:customer_id>/claim/", views.customer_claim, name="customer_claim"),
    path("<int:customer_id>/convert/", views.customer_convert, name="customer_convert"),
    path("<int:customer_id>/blacklist/", views.customer_blacklist, name="customer_blacklist"),
    path(
        "<int:customer_id>/release-grade/",
        views.customer_grade_release,
        name="customer_grade_release",
    ),
    path("<int:customer_id>/follow/", views.customer_follow, name="customer_follow"),
    path("<int:customer_id>/comment/", views.customer_comment, name="customer_comment"),
    path("<int:customer_id>/email/", views.customer_email, name="customer_email"),
    path("<int:customer_id>/timeline/", views.customer_timeline, name="customer_timeline"),
    path("<int:customer_id>/sales/", views.customer_tab, {"tab": "sales"}, name="customer_sales"),
    path(
        "<int:customer_id>/history/",
        views.customer_tab,
        {"tab": "history"},
        name="customer_history",
    ),
    path("<int:customer_id>/tabs/<slug:tab>/", views.customer_tab, name="customer_tab"),
    path(
        "<int:customer_id>/timeline/log/",
        views.customer_timeline_log,
        name="customer_timeline_log",
    ),
    path("<int:customer_id>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:customer_id>/documents/", views.document_upload, name="document_upload"),
    path(
        "documents/<int:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path("documents/<int:document_id>/delete/", views.document_delete, name="document_delete"),
    path("<int:customer_id>/merge/", views.customer_merge, name="customer_merge"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    # import
    path("import/", views_import.import_start, name="import_start"),
    path("import/template.csv", views_import.import_template, name="import_template"),
    path("import/<int:import_id>/", views_import.import_detail, name="import_detail"),
    path("import/<int:import_id>/status/", views_import.import_status, name="import_status"),
    path("import/<int:import_id>/commit/", views_import.import_commit, name="import_commit"),
    # settings (administrators)
    path("settings/grades/", views_settings.grade_index, name="grade_index"),
    path("settings/grades/<int:grade_id>/", views_settings.grade_edit, name="grade_edit"),
    path(
        "settings/grades/<int:grade_id>/delete/",
        views_settings.grade_delete,
        name="grade_delete",
    ),
    path("settings/tags/", views_settings.tag_index, name="tag_index"),
    path("settings/tags/<int:tag_id>/delete/", views_settings.tag_delete, name="tag_delete"),
    path("settings/fields/", views_settings.custom_field_index, name="custom_field_index"),
    path(
        "settings/fields/<int:custom_field_id>/delete/",
        views_settings.custom_field_delete,
        name="custom_field_delete",
    ),
]
