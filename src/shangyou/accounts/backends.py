from django.contrib.auth.backends import ModelBackend

from shangyou.core.compiled import CompiledQuery


def _memberships_of(user_id: int):
    from .selectors import user_companies

    return user_companies(user=user_id).select_related("user")


#: Compiled once per thread (`core.compiled`): every signed-in request reads it.
_USER_MEMBERSHIPS = CompiledQuery(_memberships_of, user_id=int)


class EmailBackend(ModelBackend):
    """Sign in with the email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip().lower()
        return super().authenticate(request, username=email, password=password)

    def get_user(self, user_id):
        """The user of a session, read with their active memberships (and companies) in one
        statement: every signed-in page needs both (`accounts.middleware`), and a statement
        costs more here in round trip and ORM work than the join. They are kept on the user as
        `active_memberships`; a user without any is read on their own."""
        try:
            memberships = _USER_MEMBERSHIPS.run(user_id=int(user_id))
        except (TypeError, ValueError):  # not a user id: no user
            return None
        if not memberships:
            user = super().get_user(user_id)
            if user is not None:
                user.active_memberships = []
            return user
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        user.active_memberships = memberships
        return user if self.user_can_authenticate(user) else None
