from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.selectors import membership_list
from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError
from shangyou.core.selectors import history_for

from . import selectors, services
from .forms import CustomerForm
from .models import Customer


@actor_required
def customer_list(request):
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    sort = request.GET.get("sort", "-updated")
    customers = selectors.customer_list(actor=request.actor, q=q, stage=stage, sort=sort)
    page = Paginator(customers, 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "stage": stage, "sort": sort, "stages": Customer.Stage.choices}
    template = "contacts/partials/_customer_table.html" if request.htmx else "contacts/list.html"
    return render(request, template, context)


def _members(actor):
    return [m for m in membership_list(actor=actor) if m.is_active]


@actor_required
def customer_create(request):
    form = CustomerForm(
        request.POST or None,
        members=_members(request.actor),
        initial={"owner_id": request.user.pk, "stage": Customer.Stage.LEAD},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            customer = services.customer_create(actor=request.actor, data=data)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("contacts:customer_detail", customer_id=customer.pk)
    return render(request, "contacts/form.html", {"form": form})


@actor_required
def customer_detail(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    history = history_for(actor=request.actor, instance=customer)[:50]
    return render(request, "contacts/detail.html", {"customer": customer, "history": history})


@actor_required
def customer_edit(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    initial = {
        "name": customer.name,
        "kind": customer.kind,
        "stage": customer.stage,
        "phone": customer.phone,
        "email": customer.email,
        "owner_id": customer.owner_id,
        "notes": customer.notes,
        "version": customer.version,
    }
    form = CustomerForm(request.POST or None, initial=initial, members=_members(request.actor))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.customer_update(
                actor=request.actor, customer=customer, data=data, version=version
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("contacts:customer_detail", customer_id=customer.pk)
    return render(request, "contacts/form.html", {"form": form, "customer": customer})


@require_POST
@actor_required
def customer_delete(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    services.customer_delete(actor=request.actor, customer=customer)
    messages.success(
        request,
        _("“%(name)s” was moved to the trash. You can restore it from there.")
        % {"name": customer.name},
    )
    return redirect("contacts:customer_list")
