from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running Shangyou: serve, worker, up, demo data, and (later) backup and benchmarks.

    Sits above every domain app, so it may use all of them."""

    name = "shangyou.ops"
    label = "ops"
    verbose_name = _("Operations")
