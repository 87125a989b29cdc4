"""Pages of the sales app (thin: parse, call a service or selector, render): opportunities
(list, kanban, detail, form), quotations (list, detail, the line editor, send, revise, PDF,
record an answer). The customer's signed-link page is in `views_public.py`."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.selectors import membership_list
from shangyou.accounts.views import _apply_form_error
from shangyou.contacts import selectors as contacts
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, ValidationFailed
from shangyou.core.pagination import BoundedPaginator
from shangyou.core.selectors import history_for

from . import acceptance, pdf, selectors, sending, services
from .forms import (
    AnswerForm,
    OpportunityFilterForm,
    OpportunityForm,
    QuotationFilterForm,
    QuotationForm,
    SendForm,
)
from .models import Opportunity, Quotation

PAGE_SIZE = 25
LINE_KEYS = (
    "product_id", "configuration_id", "sku", "description", "specification", "quantity", "unit",
    "unit_price", "discount_percent", "tax_rate",
)  # fmt: skip


def _members(actor):
    return [m for m in membership_list(actor=actor) if m.is_active]


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _sort(request, allowed, default: str) -> str:
    sort = request.GET.get("sort", default)
    return sort if sort in allowed else default


@actor_required
def customer_lookup(request):
    """JSON for the customer chooser: [{value, text}] of the customers the actor may see."""
    q = request.GET.get("q", "").strip()
    customers = contacts.customer_list(actor=request.actor, q=q)[:20] if q else []
    return JsonResponse([{"value": c.pk, "text": c.name} for c in customers], safe=False)


def _customer_or_none(actor, customer_id):
    if not customer_id:
        return None
    try:
        return contacts.customer_get(actor=actor, id=customer_id)
    except NotFound:
        return None


# --- opportunities ------------------------------------------------------------------------------
def _opportunity_filters(request):
    form = OpportunityFilterForm(
        {k: request.GET.get(k, "") for k in OpportunityFilterForm.KEYS},
        members=_members(request.actor),
    )
    return form, form.filters()


@actor_required
def opportunity_list(request):
    form, filters = _opportunity_filters(request)
    sort = _sort(request, selectors.OPPORTUNITY_SORTS, "-created")
    items = selectors.opportunity_list(actor=request.actor, filters=filters, sort=sort)
    page = BoundedPaginator(items, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sales/opportunity_list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "sort": sort,
            "query": request.GET.urlencode(),
            "pipeline": selectors.pipeline_summary(actor=request.actor, filters=filters),
            "customer": _customer_or_none(request.actor, filters.get("customer")),
        },
    )


@actor_required
def opportunity_kanban(request):
    form, filters = _opportunity_filters(request)
    columns = selectors.opportunity_kanban(actor=request.actor, filters=filters)
    flow = [c for c in columns if c["stage"] != Opportunity.Stage.LOST]
    for index, column in enumerate(flow):
        column["previous"] = flow[index - 1] if index > 0 else None
        column["next"] = flow[index + 1] if index + 1 < len(flow) else None
    return render(
        request,
        "sales/opportunity_kanban.html",
        {
            "columns": columns,
            "form": form,
            "pipeline": selectors.pipeline_summary(actor=request.actor, filters=filters),
        },
    )


def _opportunity_form(request, *, initial, editing=False, customers=()):
    return OpportunityForm(
        request.POST or None,
        initial=initial,
        customers=customers,
        members=_members(request.actor),
        editing=editing,
    )


@actor_required
def opportunity_create(request):
    actor = request.actor
    customer = _customer_or_none(actor, _int(request.GET.get("customer_id")))
    posted = _customer_or_none(actor, _int(request.POST.get("customer_id")))
    customers = [c for c in (customer, posted) if c is not None]
    initial = {
        "stage": Opportunity.Stage.QUALIFICATION,
        "currency": "CNY",
        "owner_id": actor.user_id,
        "customer_id": customer.pk if customer else None,
        "name": customer.name if customer else "",
    }
    form = _opportunity_form(request, initial=initial, customers=customers)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(actor=actor, data=form.service_data())
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(
                request, _("Opportunity “%(name)s” created.") % {"name": opportunity.name}
            )
            return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "customer": customer})


@actor_required
def opportunity_edit(request, opportunity_id: int):
    actor = request.actor
    opportunity = selectors.opportunity_get(actor=actor, id=opportunity_id)
    initial = {
        name: getattr(opportunity, name)
        for name in ("name", "stage", "probability", "lost_reason", "amount", "currency",
                     "expected_close", "owner_id", "source", "notes", "version")
    }  # fmt: skip
    form = _opportunity_form(request, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                actor=actor,
                opportunity=opportunity,
                data=form.service_data(),
                version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    return render(
        request,
        "sales/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "customer": opportunity.customer},
    )


@actor_required
def opportunity_detail(request, opportunity_id: int):
    actor = request.actor
    opportunity = selectors.opportunity_get(actor=actor, id=opportunity_id)
    quotations = selectors.quotation_list(actor=actor, filters={"opportunity": opportunity.pk})
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "quotations": list(quotations),
            "stages": Opportunity.Stage.choices,
            "history": history_for(actor=actor, instance=opportunity)[:30],
        },
    )


@require_POST
@actor_required
def opportunity_stage(request, opportunity_id: int):
    """Move to a stage (kanban buttons, the detail page); lost asks for the reason."""
    opportunity = selectors.opportunity_get(actor=request.actor, id=opportunity_id)
    back = _next_url(request, reverse("sales:opportunity_detail", args=[opportunity.pk]))
    stage = request.POST.get("stage", "")
    probability = _int(request.POST.get("probability"))
    try:
        opportunity = services.opportunity_move(
            actor=request.actor,
            opportunity=opportunity,
            stage=stage,
            probability=probability,
            lost_reason=request.POST.get("lost_reason", ""),
            version=_int(request.POST.get("version")),
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s moved to %(stage)s.")
            % {"name": opportunity.name, "stage": opportunity.get_stage_display()},
        )
    return redirect(back)


@require_POST
@actor_required
def opportunity_delete(request, opportunity_id: int):
    opportunity = selectors.opportunity_get(actor=request.actor, id=opportunity_id)
    try:
        services.opportunity_delete(actor=request.actor, opportunity=opportunity)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("sales:opportunity_detail", opportunity_id=opportunity.pk)
    messages.success(
        request,
        _("“%(name)s” was moved to the trash. You can restore it from there.")
        % {"name": opportunity.name},
    )
    return redirect("sales:opportunity_list")


# --- quotations: list and detail ----------------------------------------------------------------
@actor_required
def quotation_list(request):
    form = QuotationFilterForm(
        {k: request.GET.get(k, "") for k in QuotationFilterForm.KEYS},
        members=_members(request.actor),
    )
    filters = form.filters()
    sort = _sort(request, selectors.QUOTATION_SORTS, "-date")
    items = selectors.quotation_list(actor=request.actor, filters=filters, sort=sort)
    page = BoundedPaginator(items, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sales/quotation_list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "sort": sort,
            "today": timezone.localdate(),
            "customer": _customer_or_none(request.actor, filters.get("customer")),
        },
    )


@actor_required
def quotation_detail(request, quotation_id: int):
    actor = request.actor
    quotation = selectors.quotation_get(actor=actor, id=quotation_id)
    lines = list(selectors.quotation_lines(quotation=quotation))
    return render(
        request,
        "sales/quotation_detail.html",
        {
            "quotation": quotation,
            "lines": lines,
            "revisions": selectors.quotation_revisions(actor=actor, quotation=quotation),
            "orders": list(quotation.orders.all()),
            "expired": selectors.is_expired(quotation),
            "link": sending.public_link(quotation)
            if quotation.status == Quotation.Status.SENT
            else "",
            "send_form": SendForm(
                initial={
                    "to": sending.default_recipient(quotation),
                    "channel": "platform" if quotation.customer.platform_company_id else "email",
                }
            ),
            "answer_form": AnswerForm(initial={"answer": "accept"}),
            "history": history_for(actor=actor, instance=quotation)[:30],
        },
    )


@actor_required
def quotation_pdf(request, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.actor, id=quotation_id)
    link = sending.public_link(quotation) if quotation.status == Quotation.Status.SENT else ""
    content = pdf.quotation_pdf(quotation=quotation, link=link)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.pdf_filename(quotation)}"'
    return response


# --- the line editor ----------------------------------------------------------------------------
def _posted_lines(request) -> list[dict]:
    """The editor's rows, in order, without those ticked for removal."""
    keys = request.POST.getlist("line-key")
    removed = set(request.POST.getlist("line-remove"))
    columns = {name: request.POST.getlist(f"line-{name}") for name in LINE_KEYS}
    lines = []
    for index, key in enumerate(keys):
        if key in removed:
            continue
        row = {"key": key}
        for name in LINE_KEYS:
            values = columns[name]
            row[name] = values[index].strip() if index < len(values) else ""
        if not any(row[name] for name in ("product_id", "configuration_id", "description")):
            continue  # an empty row the user did not fill
        lines.append(row)
    return lines


def _service_lines(rows: list[dict]) -> list[dict]:
    return [
        {name: (row.get(name) or None) for name in LINE_KEYS if row.get(name) not in (None, "")}
        for row in rows
    ]


def _editor_rows(lines) -> list[dict]:
    return [
        {
            "key": uuid.uuid4().hex[:12],
            **{name: getattr(line, name) for name in LINE_KEYS},
        }
        for line in lines
    ]


def _quotation_form(request, *, initial, customer=None, editing=False):
    actor = request.actor
    customer_id = customer.pk if customer else None
    opportunities = (
        selectors.opportunity_list(actor=actor, filters={"customer": customer_id, "status": "open"})
        if customer_id
        else []
    )
    contacts_ = contacts.contact_list(actor=actor, customer_id=customer_id) if customer_id else []
    return QuotationForm(
        request.POST or None,
        initial=initial,
        customers=[customer] if customer else [],
        opportunities=opportunities,
        contacts=contacts_,
        editing=editing,
    )


def _editor_context(request, form, rows, *, quotation=None, customer=None) -> dict:
    return {
        "form": form,
        "rows": rows,
        "quotation": quotation,
        "customer": customer,
        "configurations": selectors.configuration_choices(
            actor=request.actor, customer_id=customer.pk if customer else None
        ),
        "totals": _preview_totals(request, rows, customer=customer, form=form),
    }


def _preview_totals(request, rows, *, customer=None, form=None):
    discount = Decimal(0)
    currency = "CNY"
    if form is not None:
        raw = form["discount_percent"].value()
        try:
            discount = Decimal(str(raw or 0))
        except ArithmeticError:
            discount = Decimal(0)
        currency = form["currency"].value() or currency
    try:
        _rows, totals = services.build_lines(
            actor=request.actor,
            customer=customer,
            lines=_service_lines(rows),
            currency=currency,
            on_date=timezone.localdate(),
            document_discount_percent=discount,
        )
    except (ApplicationError, ArithmeticError) as exc:
        return {"error": str(getattr(exc, "message", exc)), "currency": currency}
    return {"totals": totals, "currency": currency, "amounts": [r.line_subtotal for r in _rows]}


@actor_required
def quotation_create(request):
    actor = request.actor
    customer = _customer_or_none(
        actor, _int(request.POST.get("customer_id") or request.GET.get("customer_id"))
    )
    today = timezone.localdate()
    opportunity_id = _int(request.GET.get("opportunity_id"))
    initial = {
        "customer_id": customer.pk if customer else None,
        "opportunity_id": opportunity_id,
        "currency": "CNY",
        "language": Quotation.Language.ZH_HANS,
        "issue_date": today,
        "valid_until": today + timedelta(days=services.DEFAULT_VALIDITY_DAYS),
    }
    form = _quotation_form(request, initial=initial, customer=customer)
    rows = _posted_lines(request) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            quotation = services.quotation_create(
                actor=actor, data=form.service_data(), lines=_service_lines(rows)
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Quotation %(number)s saved.") % {"number": quotation})
            return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    return render(
        request,
        "sales/quotation_form.html",
        _editor_context(request, form, rows, customer=customer),
    )


@actor_required
def quotation_edit(request, quotation_id: int):
    actor = request.actor
    quotation = selectors.quotation_get(actor=actor, id=quotation_id)
    if quotation.status != Quotation.Status.DRAFT:
        messages.error(
            request,
            _("Quotation %(number)s is %(status)s and can no longer be edited. "
              "Make a new revision to change it.")
            % {"number": quotation, "status": quotation.get_status_display()},
        )  # fmt: skip
        return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    initial = {
        name: getattr(quotation, name)
        for name in ("opportunity_id", "contact_id", "currency", "language", "issue_date",
                     "valid_until", "discount_percent", "terms", "notes", "version")
    }  # fmt: skip
    form = _quotation_form(request, initial=initial, customer=quotation.customer, editing=True)
    if request.method == "POST":
        rows = _posted_lines(request)
    else:
        rows = _editor_rows(selectors.quotation_lines(quotation=quotation))
    if request.method == "POST" and form.is_valid():
        try:
            services.quotation_update(
                actor=actor,
                quotation=quotation,
                data=form.service_data(),
                lines=_service_lines(rows),
                version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Quotation %(number)s saved.") % {"number": quotation})
            return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    return render(
        request,
        "sales/quotation_form.html",
        _editor_context(request, form, rows, quotation=quotation, customer=quotation.customer),
    )


@actor_required
def quotation_product_search(request):
    """HTMX: products matching the search, each with a button adding it as a line."""
    products = selectors.product_search(actor=request.actor, q=request.GET.get("product_q", ""))
    return render(
        request,
        "sales/partials/_product_results.html",
        {"products": products, "customer_id": request.GET.get("customer_id", "")},
    )


@actor_required
def quotation_line_row(request):
    """HTMX: a new editor row — from a product, a configuration, or empty (free text)."""
    actor = request.actor
    customer = _customer_or_none(
        actor, _int(request.GET.get("customer_id") or request.GET.get("customer_ref"))
    )
    line = selectors.line_defaults(
        actor=actor,
        product_id=_int(request.GET.get("product_id")),
        configuration_id=_int(request.GET.get("configuration_id")),
        customer=customer,
        currency=request.GET.get("currency") or "CNY",
    )
    line["key"] = uuid.uuid4().hex[:12]
    response = render(request, "sales/partials/_line_row.html", {"row": line, "new": True})
    response["HX-Trigger"] = "sy-lines-changed"  # the editor recomputes its totals
    return response


@require_POST
@actor_required
def quotation_totals(request):
    """HTMX: the totals of the lines being edited (nothing is saved)."""
    actor = request.actor
    customer = _customer_or_none(
        actor, _int(request.POST.get("customer_id") or request.POST.get("customer_ref"))
    )
    form = QuotationForm(request.POST, editing=True)
    form.is_valid()
    return render(
        request,
        "sales/partials/_totals.html",
        {"totals": _preview_totals(request, _posted_lines(request), customer=customer, form=form)},
    )


# --- quotation actions --------------------------------------------------------------------------
@actor_required
def quotation_send(request, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.actor, id=quotation_id)
    form = SendForm(request.POST or None, initial={"to": sending.default_recipient(quotation)})
    if request.method == "POST" and form.is_valid():
        try:
            sending.quotation_send(
                actor=request.actor,
                quotation=quotation,
                channel=form.cleaned_data["channel"],
                to=form.cleaned_data["to"],
                message=form.cleaned_data["message"],
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Quotation %(number)s sent.") % {"number": quotation})
            return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    return render(request, "sales/quotation_send.html", {"form": form, "quotation": quotation})


@require_POST
@actor_required
def quotation_revise(request, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.actor, id=quotation_id)
    try:
        new = services.quotation_revise(actor=request.actor, quotation=quotation)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    messages.success(
        request,
        _("Revision %(number)s created as a draft; the previous link no longer works.")
        % {"number": new},
    )
    return redirect("sales:quotation_edit", quotation_id=new.pk)


@require_POST
@actor_required
def quotation_answer(request, quotation_id: int):
    """Staff record the customer's answer (given by phone or in person)."""
    quotation = selectors.quotation_get(actor=request.actor, id=quotation_id)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose accepted or declined."))
        data = form.cleaned_data
        if data["answer"] == "accept":
            _quotation, order = acceptance.quotation_accept(
                quotation=quotation,
                name=data["name"] or quotation.customer.name,
                note=data["note"],
                actor=request.actor,
            )
            messages.success(
                request,
                _("Acceptance recorded; order %(number)s was created.") % {"number": order.number},
            )
        else:
            acceptance.quotation_decline(
                quotation=quotation, reason=data["note"], name=data["name"], actor=request.actor
            )
            messages.success(request, _("The refusal was recorded."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("sales:quotation_detail", quotation_id=quotation.pk)


@require_POST
@actor_required
def quotation_delete(request, quotation_id: int):
    quotation = selectors.quotation_get(actor=request.actor, id=quotation_id)
    try:
        services.quotation_delete(actor=request.actor, quotation=quotation)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("sales:quotation_detail", quotation_id=quotation.pk)
    messages.success(
        request,
        _("“%(name)s” was moved to the trash. You can restore it from there.")
        % {"name": quotation},
    )
    return redirect("sales:quotation_list")
