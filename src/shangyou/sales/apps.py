from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """The sales pipeline (S1–S3): opportunities and quotations with revisions, PDF, email and
    acceptance through a signed link."""

    name = "shangyou.sales"
    label = "sales"
    verbose_name = _("Sales")
