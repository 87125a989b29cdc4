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

        from shangyou.accounts.services import COMPANY_CREATED_HOOKS

        from .models import Friendship
        from .selectors import profile_for

        COMPANY_CREATED_HOOKS.append(profile_for)
        # `selectors.friend_company_ids` is cached for both companies of a friendship
        for signal in (post_save, post_delete):
            signal.connect(_friendship_changed, sender=Friendship, dispatch_uid="lookups-friends")


def _friendship_changed(sender, instance, **kwargs) -> None:
    from shangyou.core import lookups

    lookups.changed(instance.requester_id)
    lookups.changed(instance.addressee_id)
