from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shangyou.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from shangyou.core import lookups

        from .models import Membership, User

        # the member pickers (`selectors.member_choices`)
        lookups.track(Membership)
        lookups.track(User, companies=_member_companies)


#: The user fields a member picker shows.
_SHOWN = {"full_name", "email"}


def _member_companies(user, update_fields) -> list[int]:
    """A renamed user changes the member lists of each of their companies (a login, which saves
    `last_login` alone, changes none)."""
    if update_fields is not None and not _SHOWN & set(update_fields):
        return []
    from .models import Membership

    return list(Membership.objects.filter(user=user).values_list("company_id", flat=True))
