from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    """Internal collaboration on any record (X4): comments, @mentions, followers, notifications."""

    name = "shangyou.collab"
    label = "collab"
    verbose_name = _("Collaboration")
