from .selectors import actor_for

SESSION_COMPANY_KEY = "shangyou_company_id"


def _session_actor(request):
    user = request.user
    if not user.is_authenticated:
        return None
    actor = actor_for(user=user, company_id=request.session.get(SESSION_COMPANY_KEY))
    if actor is None and request.session.get(SESSION_COMPANY_KEY):
        # Membership gone (removed from that company): fall back to another one.
        request.session.pop(SESSION_COMPANY_KEY, None)
        actor = actor_for(user=user)
    return actor


class ActorMiddleware:
    """Attach `request.actor` (user + company + role + team) for signed-in users.

    API requests authenticated by token get their actor from `accounts.auth` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = _session_actor(request)
        return self.get_response(request)
