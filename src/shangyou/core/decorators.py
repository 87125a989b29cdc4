from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def actor_required(view):
    """Signed in and a member of a company: `request.actor` is set."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor is None:
            return redirect("core:home")
        return view(request, *args, **kwargs)

    return wrapper
