from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The platform where member companies meet (M3, M5, M6): public profiles, the directory,
    business friends, visitor records and messages between companies."""

    name = "shangyou.network"
    label = "network"
    verbose_name = _("Business network")

    def ready(self) -> None:
        from shangyou.accounts.models import Company
        from shangyou.accounts.services import COMPANY_CREATED_HOOKS
        from shangyou.core import lookups

        from .models import CompanyProfile, Friendship
        from .selectors import PLATFORM_LOOKUPS, profile_for

        COMPANY_CREATED_HOOKS.append(profile_for)
        # `selectors.friend_company_ids`, cached for both companies of a friendship
        lookups.track(Friendship, companies=lambda f, _fields: [f.requester_id, f.addressee_id])
        # `selectors.directory_regions`, for the whole platform
        lookups.track(CompanyProfile, Company, companies=lambda *_: [PLATFORM_LOOKUPS])
