from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shangyou.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from shangyou.core import lookups

        from .models import Membership, User

        lookups.track(Membership)  # the member pickers (`selectors.member_choices`)
        post_save.connect(_user_saved, sender=User, dispatch_uid="lookups-user-names")


#: The user fields a member picker shows.
_SHOWN = {"full_name", "email"}


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A renamed user: the member lists of each of their companies changed (a login, which
    saves `last_login` alone, changes none)."""
    if kwargs.get("created") or (update_fields is not None and not _SHOWN & set(update_fields)):
        return
    from shangyou.core import lookups

    from .models import Membership

    for company_id in Membership.objects.filter(user=instance).values_list("company_id", flat=True):
        lookups.changed(company_id)
