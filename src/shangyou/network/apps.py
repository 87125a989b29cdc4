from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The platform where member companies meet (M3, M5, M6): public profiles, the directory,
    business friends, visitor records and messages between companies."""

    name = "shangyou.network"
    label = "network"
    verbose_name = _("Business network")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shangyou.accounts.models import Company
        from shangyou.accounts.services import COMPANY_CREATED_HOOKS

        from .models import CompanyProfile, Friendship
        from .selectors import profile_for

        COMPANY_CREATED_HOOKS.append(profile_for)
        # `selectors.friend_company_ids` is cached for both companies of a friendship
        for signal in (post_save, post_delete):
            signal.connect(_friendship_changed, sender=Friendship, dispatch_uid="lookups-friends")
        # `selectors.directory_regions`, for the whole platform
        for sender in (CompanyProfile, Company):
            for signal in (post_save, post_delete):
                signal.connect(_platform_changed, sender=sender, dispatch_uid="lookups-regions")


def _platform_changed(sender, instance, **kwargs) -> None:
    from shangyou.core import lookups

    from .selectors import PLATFORM_LOOKUPS

    lookups.changed(PLATFORM_LOOKUPS)


def _friendship_changed(sender, instance, **kwargs) -> None:
    from shangyou.core import lookups

    lookups.changed(instance.requester_id)
    lookups.changed(instance.addressee_id)
