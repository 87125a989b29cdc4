from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Business statistics (S5) and, later, analytical CRM (A1–A7): read-only views over the
    other apps' data."""

    name = "shangyou.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
