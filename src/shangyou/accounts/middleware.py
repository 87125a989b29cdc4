from .selectors import actor_from_membership, choose_membership, user_companies

SESSION_COMPANY_KEY = "shangyou_company_id"


def _session_actor(request):
    """The actor of a signed-in user, from one read of their active memberships (kept on the
    request as `user_memberships` for the company switcher)."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = getattr(user, "active_memberships", None)  # read with the user (backends)
    if memberships is None:
        memberships = list(user_companies(user=user))
    request.user_memberships = memberships
    wanted = request.session.get(SESSION_COMPANY_KEY)
    membership = choose_membership(memberships, user=user, company_id=wanted)
    if membership is None and wanted:
        # Membership gone (removed from that company): fall back to another one.
        request.session.pop(SESSION_COMPANY_KEY, None)
        membership = choose_membership(memberships, user=user)
    return actor_from_membership(membership, user=user) if membership else None


class ActorMiddleware:
    """Attach `request.actor` (user + company + role + team) for signed-in users.

    API requests authenticated by token get their actor from `accounts.auth` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = _session_actor(request)
        return self.get_response(request)
