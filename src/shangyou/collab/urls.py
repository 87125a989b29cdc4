from django.urls import path

from . import views

app_name = "collab"
urlpatterns = [
    path("", views.notification_index, name="notification_index"),
    path("badge/", views.notification_badge, name="notification_badge"),
    path("read/", views.notification_read, name="notification_read"),
]
