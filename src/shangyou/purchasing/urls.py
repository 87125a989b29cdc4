from django.urls import path  # noqa: F401 - routes are added as the pages land

from . import views  # noqa: F401

app_name = "purchasing"
urlpatterns: list = []
