from django.urls import path

from . import schedule_views as views

app_name = "schedule"
urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
