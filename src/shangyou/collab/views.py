"""The notifications page and the navbar's unread badge (X4)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shangyou.core.decorators import actor_required

from . import services


@actor_required
def notification_index(request):
    unread_only = request.GET.get("unread") == "1"
    items = services.notification_list(actor=request.actor, unread_only=unread_only)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "collab/notifications.html", {"page": page, "unread_only": unread_only})


@actor_required
def notification_badge(request):
    count = services.notification_unread_count(actor=request.actor)
    return render(request, "collab/partials/_badge.html", {"count": count})


@require_POST
@actor_required
def notification_read(request):
    """Mark all (or the posted `ids`) read; with `next`, go on to the record."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
    services.notifications_mark_read(actor=request.actor, ids=ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("collab:notification_index")
