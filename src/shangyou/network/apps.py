from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The platform where member companies meet (M3, M5, M6): public profiles, the directory,
    business friends, visitor records and messages between companies."""

    name = "shangyou.network"
    label = "network"
    verbose_name = _("Business network")

    def ready(self) -> None:
        from shangyou.accounts.services import COMPANY_CREATED_HOOKS

        from .selectors import profile_for

        COMPANY_CREATED_HOOKS.append(profile_for)
