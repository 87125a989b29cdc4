from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .decorators import actor_required
from .pagination import BoundedPaginator


@login_required
def home(request):
    if request.actor is None:
        return render(request, "core/no_company.html")
    return render(request, "core/home.html")


@actor_required
def trash(request):
    page = Paginator(selectors.trash_list(actor=request.actor), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/trash.html", {"page": page})


@require_POST
@actor_required
def trash_restore(request, trash_item_id: int):
    obj = services.trash_restore(actor=request.actor, item_id=trash_item_id)
    messages.success(
        request, _("“%(name)s” was restored.") % {"name": obj} if obj else _("Restored.")
    )
    return redirect("core:trash")


@require_POST
@actor_required
def trash_purge(request, trash_item_id: int):
    services.trash_purge(actor=request.actor, item_id=trash_item_id)
    messages.success(request, _("Deleted permanently."))
    return redirect("core:trash")


@actor_required
def audit_log(request):
    page = BoundedPaginator(selectors.audit_list(actor=request.actor), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/audit_log.html", {"page": page})


@actor_required
def outbox(request):
    page = Paginator(selectors.outbox_list(actor=request.actor), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "core/outbox.html", {"page": page})


@actor_required
def job_progress(request, job_id):
    progress = selectors.task_progress_get(actor=request.actor, id=job_id)
    return render(request, "components/_progress.html", {"progress": progress})
