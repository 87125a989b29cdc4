from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("trash/", views.trash, name="trash"),
    path("trash/<int:trash_item_id>/restore/", views.trash_restore, name="trash_restore"),
    path("trash/<int:trash_item_id>/purge/", views.trash_purge, name="trash_purge"),
    path("audit/", views.audit_log, name="audit_log"),
    path("outbox/", views.outbox, name="outbox"),
    path("jobs/<uuid:job_id>/", views.job_progress, name="job_progress"),
]
