"""Pages of the purchasing app: suppliers and scorecards, RFQs (buyer), incoming RFQs (platform
supplier), the public answer page (external supplier, signed link), comparison and award,
purchase orders and goods receipts.

Thin edges: parse the request, call one service or selector, render. Errors from services are
`core.errors`, shown by `core.middleware.ApplicationErrorMiddleware` (404, or a message back on
the page a form was posted from).
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shangyou.core.decorators import actor_required
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.pagination import BoundedPaginator

from . import purchase_orders, scorecard, selectors, services
from .links import invitation_from_token, public_rate_limit
from .models import PurchaseOrder, Rfq, RfqInvitation, SupplierScore

PAGE_SIZE = 25
BLANK_LINES = 3
LINE_KEYS = ("product_id", "sku", "description", "specification", "quantity", "unit")
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def _page(request, queryset):
    return BoundedPaginator(queryset, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- suppliers ----------------------------------------------------------------------------------
@require_GET
@actor_required
def supplier_list(request):
    params = request.GET
    filters = {
        "q": params.get("q", "").strip()[:100],
        "grade": params.get("grade", "")
        if params.get("grade") in SupplierScore.Grade.values
        else "",
        "good_only": params.get("good") == "1",
        "platform": params.get("platform", "") if params.get("platform") in ("yes", "no") else "",
    }
    sort = params.get("sort", "score")
    suppliers = selectors.supplier_list(actor=request.actor, sort=sort, **filters)
    return render(
        request,
        "purchasing/supplier_list.html",
        {
            "page": _page(request, suppliers),
            "filters": filters,
            "sort": sort,
            "grades": SupplierScore.Grade.choices,
        },
    )


@require_GET
@actor_required
def supplier_detail(request, customer_id: int):
    actor = request.actor
    supplier = selectors.supplier_get(actor=actor, id=customer_id)
    return render(
        request,
        "purchasing/supplier_detail.html",
        {
            "supplier": supplier,
            "score": selectors.supplier_scorecard(actor=actor, supplier=supplier),
            "weights": scorecard.WEIGHTS,
            "grades": SupplierScore.Grade.choices,
            "orders": selectors.purchase_order_list(actor=actor, supplier_id=supplier.pk)[:10],
        },
    )


@require_POST
@actor_required
def supplier_adjust(request, customer_id: int):
    actor = request.actor
    supplier = selectors.supplier_get(actor=actor, id=customer_id)
    grade = request.POST.get("grade")
    scorecard.supplier_score_adjust(
        actor=actor,
        supplier=supplier,
        adjustment=request.POST.get("adjustment") or 0,
        reason=request.POST.get("reason", ""),
        grade=grade if grade is not None else None,
    )
    messages.success(request, _("The scorecard of %(name)s was updated.") % {"name": supplier})
    return redirect("purchasing:supplier_detail", customer_id=supplier.pk)


@require_POST
@actor_required
def supplier_refresh(request, customer_id: int):
    actor = request.actor
    supplier = selectors.supplier_get(actor=actor, id=customer_id)
    scorecard.supplier_score_refresh(company=actor.company, supplier=supplier)
    messages.success(request, _("The scorecard was recomputed."))
    return redirect("purchasing:supplier_detail", customer_id=supplier.pk)


# --- RFQs (buyer) -------------------------------------------------------------------------------
@require_GET
@actor_required
def rfq_list(request):
    status = request.GET.get("status", "")
    status = status if status in Rfq.Status.values else ""
    q = request.GET.get("q", "").strip()[:100]
    rfqs = selectors.rfq_list(actor=request.actor, status=status, q=q)
    return render(
        request,
        "purchasing/rfq_list.html",
        {"page": _page(request, rfqs), "status": status, "q": q, "statuses": Rfq.Status.choices},
    )


def _posted_lines(post) -> list[dict[str, Any]]:
    lines = []
    for i in range(_int(post.get("line_count"), 0)):
        row = {key: post.get(f"line-{i}-{key}", "").strip() for key in LINE_KEYS}
        row["required_date"] = post.get(f"line-{i}-required_date", "").strip()
        if not any(row.values()):
            continue
        row = {k: v for k, v in row.items() if v != "" or k in ("description", "quantity")}
        lines.append(row)
    return lines


def _rfq_data(post) -> dict[str, Any]:
    return {key: post.get(key, "") for key in services.RFQ_FIELDS if key in post}


def _rfq_form(request, *, rfq: Rfq | None, data: dict, lines: list, error=None):
    rows = list(lines) + [{} for _i in range(BLANK_LINES)]
    return render(
        request,
        "purchasing/rfq_form.html",
        {
            "rfq": rfq,
            "data": data,
            "rows": rows,
            "line_count": len(rows),
            "error": error,
            "currencies": services.CURRENCIES,
            "editable": rfq is None or rfq.status == Rfq.Status.DRAFT,
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def rfq_create(request):
    actor = request.actor
    if request.method == "POST":
        data, lines = _rfq_data(request.POST), _posted_lines(request.POST)
        try:
            rfq = services.rfq_create(actor=actor, data=data, lines=lines)
        except ValidationFailed as exc:
            return _rfq_form(request, rfq=None, data=data, lines=lines, error=exc)
        messages.success(
            request, _("RFQ %(number)s was saved as a draft.") % {"number": rfq.number}
        )
        return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)
    deadline = timezone.localtime(timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    return _rfq_form(
        request,
        rfq=None,
        data={"deadline": deadline, "currency": actor.company.currency or "CNY"},
        lines=[{}, {}],
    )


@require_http_methods(["GET", "POST"])
@actor_required
def rfq_edit(request, rfq_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    if request.method == "POST":
        data = _rfq_data(request.POST)
        lines = _posted_lines(request.POST) if rfq.status == Rfq.Status.DRAFT else None
        try:
            services.rfq_update(
                actor=actor,
                rfq=rfq,
                data=data,
                version=_int(request.POST.get("version"), None),
                lines=lines,
            )
        except ValidationFailed as exc:
            return _rfq_form(request, rfq=rfq, data=data, lines=lines or [], error=exc)
        messages.success(request, _("RFQ %(number)s was saved.") % {"number": rfq.number})
        return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)
    data = {key: getattr(rfq, key) for key in services.RFQ_FIELDS}
    data["deadline"] = timezone.localtime(rfq.deadline).strftime("%Y-%m-%dT%H:%M")
    lines = [
        {
            "product_id": line.product_id or "",
            "sku": line.sku,
            "description": line.description,
            "specification": line.specification,
            "quantity": line.quantity.normalize(),
            "unit": line.unit,
            "required_date": line.required_date.isoformat() if line.required_date else "",
        }
        for line in selectors.rfq_lines(rfq=rfq)
    ]
    return _rfq_form(request, rfq=rfq, data=data, lines=lines)


@require_GET
@actor_required
def rfq_detail(request, rfq_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    invitations = list(selectors.rfq_invitations(actor=actor, rfq=rfq))
    invited = {i.supplier_id for i in invitations}
    return render(
        request,
        "purchasing/rfq_detail.html",
        {
            "rfq": rfq,
            "lines": list(selectors.rfq_lines(rfq=rfq)),
            "invitations": invitations,
            "answers": selectors.rfq_answers(actor=actor, rfq=rfq),
            "candidates": [
                s for s in selectors.supplier_choices(actor=actor)[:500] if s.pk not in invited
            ],
            "orders": list(selectors.purchase_orders_for_rfq(actor=actor, rfq=rfq)),
            "past_deadline": services.is_past_deadline(rfq),
        },
    )


@require_POST
@actor_required
def rfq_invite(request, rfq_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    ids = [_int(v) for v in request.POST.getlist("supplier_ids") if _int(v)]
    created = services.rfq_invite(
        actor=actor, rfq=rfq, supplier_ids=ids, email=request.POST.get("email", "")
    )
    messages.success(request, _("%(n)s suppliers invited.") % {"n": len(created)})
    return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)


@require_POST
@actor_required
def rfq_invitation_remove(request, rfq_id: int, rfq_invite_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    invitation = selectors.rfq_invitation_get(actor=actor, rfq=rfq, id=rfq_invite_id)
    services.rfq_invitation_remove(actor=actor, invitation=invitation)
    return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)


@require_POST
@actor_required
def rfq_action(request, rfq_id: int, action: str):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    if action == "send":
        services.rfq_send(actor=actor, rfq=rfq)
        messages.success(request, _("RFQ %(number)s was sent.") % {"number": rfq.number})
    elif action == "close":
        services.rfq_close(actor=actor, rfq=rfq)
        messages.success(request, _("RFQ %(number)s is closed.") % {"number": rfq.number})
    elif action == "cancel":
        services.rfq_cancel(actor=actor, rfq=rfq, reason=request.POST.get("reason", ""))
        messages.success(request, _("RFQ %(number)s was cancelled.") % {"number": rfq.number})
    elif action == "delete":
        services.rfq_delete(actor=actor, rfq=rfq)
        messages.success(
            request, _("RFQ %(number)s was moved to the trash.") % {"number": rfq.number}
        )
        return redirect("purchasing:rfq_list")
    else:
        raise NotFound()
    return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)


@require_GET
@actor_required
def rfq_compare(request, rfq_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    comparison = selectors.rfq_comparison(actor=actor, rfq=rfq, sort=request.GET.get("sort", ""))
    return render(
        request,
        "purchasing/rfq_compare.html",
        {
            "rfq": rfq,
            "c": comparison,
            "sorts": selectors.COMPARISON_SORTS,
            "can_award": rfq.status in purchase_orders.AWARDABLE and actor.can_write,
        },
    )


@require_POST
@actor_required
def rfq_award(request, rfq_id: int):
    actor = request.actor
    rfq = selectors.rfq_get(actor=actor, id=rfq_id)
    whole = _int(request.POST.get("whole"), 0)
    if whole:
        orders = purchase_orders.rfq_award(actor=actor, rfq=rfq, invitation_id=whole)
    else:
        awards = {
            _int(key.removeprefix("award-")): _int(value)
            for key, value in request.POST.items()
            if key.startswith("award-") and _int(value)
        }
        orders = purchase_orders.rfq_award(actor=actor, rfq=rfq, awards=awards)
    messages.success(
        request,
        _("Awarded: purchase orders %(numbers)s were sent.")
        % {"numbers": ", ".join(o.number for o in orders)},
    )
    return redirect("purchasing:rfq_detail", rfq_id=rfq.pk)


@require_GET
@actor_required
def attachment(request, quote_attachment_id: int):
    item = selectors.attachment_get(actor=request.actor, id=quote_attachment_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


# --- answering (platform supplier and external link) --------------------------------------------
def _posted_answer(post) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = {k: post.get(k, "") for k in ("currency", "valid_until", "payment_terms", "remarks")}
    lines = []
    for key in post:
        if key.startswith("price-"):
            line_id = _int(key.removeprefix("price-"))
            lines.append(
                {
                    "rfq_line_id": line_id,
                    "unit_price": post.get(key, ""),
                    "tax_rate": post.get(f"tax-{line_id}", ""),
                    "lead_time_days": post.get(f"lead-{line_id}", ""),
                    "moq": post.get(f"moq-{line_id}", ""),
                    "remarks": post.get(f"remarks-{line_id}", ""),
                }
            )
    return data, lines


def _answer_context(invitation: RfqInvitation, **extra) -> dict[str, Any]:
    quote = selectors.own_quote(invitation=invitation)
    by_line = {row.rfq_line_id: row for row in quote.lines.all()} if quote else {}
    lines = list(selectors.rfq_lines(rfq=invitation.rfq))
    return {
        "invitation": invitation,
        "rfq": invitation.rfq,
        "buyer": invitation.rfq.company,
        "quote": quote,
        "rows": [(line, by_line.get(line.pk)) for line in lines],
        "problem": services.answer_problem(invitation),
        "currencies": services.CURRENCIES,
        **extra,
    }


@require_GET
@actor_required
def incoming_list(request):
    status = request.GET.get("status", "")
    status = status if status in ("open", *RfqInvitation.Status.values) else ""
    invitations = selectors.incoming_list(actor=request.actor, status=status)
    return render(
        request,
        "purchasing/incoming_list.html",
        {"page": _page(request, invitations), "status": status},
    )


@require_http_methods(["GET", "POST"])
@actor_required
def incoming_detail(request, rfq_invite_id: int):
    actor = request.actor
    invitation = selectors.incoming_get(actor=actor, id=rfq_invite_id)
    if request.method == "POST":
        data, lines = _posted_answer(request.POST)
        services.rfq_answer_submit(
            invitation=invitation,
            actor=actor,
            data=data,
            lines=lines,
            attachments=request.FILES.getlist("attachments"),
        )
        messages.success(
            request, _("Your answer was sent to %(buyer)s.") % {"buyer": invitation.company}
        )
        return redirect("purchasing:incoming_detail", rfq_invite_id=invitation.pk)
    services.rfq_invitation_viewed(invitation=invitation)
    return render(
        request, "purchasing/incoming_detail.html", _answer_context(invitation, public=False)
    )


@require_POST
@actor_required
def incoming_decline(request, rfq_invite_id: int):
    actor = request.actor
    invitation = selectors.incoming_get(actor=actor, id=rfq_invite_id)
    services.rfq_invitation_decline(
        invitation=invitation, actor=actor, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("You declined the RFQ."))
    return redirect("purchasing:incoming_detail", rfq_invite_id=invitation.pk)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def public_answer(request, token: str):
    """An external supplier's answer page: the signed link is the credential (no account)."""
    public_rate_limit(token=token, ip=_client_ip(request))
    invitation = invitation_from_token(token)
    if request.method == "POST":
        data, lines = _posted_answer(request.POST)
        services.rfq_answer_submit(
            invitation=invitation,
            name=request.POST.get("name", ""),
            data=data,
            lines=lines,
            attachments=request.FILES.getlist("attachments"),
        )
        messages.success(
            request,
            _("Thank you: your answer was sent to %(buyer)s.") % {"buyer": invitation.company},
        )
        return redirect("purchasing:public_answer", token=token)
    services.rfq_invitation_viewed(invitation=invitation)
    response = render(
        request,
        "purchasing/public_answer.html",
        _answer_context(invitation, public=True, token=token),
    )
    # The token must not leak to other sites through the Referer; "same-origin" keeps it here.
    # Not "no-referrer": with it Chromium sends `Origin: null` on the form's POST, which
    # Django's CSRF check refuses, so the external supplier could not send its answer.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@require_POST
def public_decline(request, token: str):
    public_rate_limit(token=token, ip=_client_ip(request))
    invitation = invitation_from_token(token)
    services.rfq_invitation_decline(
        invitation=invitation,
        reason=request.POST.get("reason", ""),
        name=request.POST.get("name", ""),
    )
    messages.success(request, _("You declined the RFQ. Thank you for telling us."))
    return redirect("purchasing:public_answer", token=token)


# --- purchase orders ----------------------------------------------------------------------------
PO_STATUS_FILTERS = ("open", *PurchaseOrder.Status.values)


@require_GET
@actor_required
def po_list(request):
    status = request.GET.get("status", "")
    status = status if status in PO_STATUS_FILTERS else ""
    q = request.GET.get("q", "").strip()[:100]
    orders = selectors.purchase_order_list(actor=request.actor, status=status, q=q)
    return render(
        request,
        "purchasing/po_list.html",
        {
            "page": _page(request, orders),
            "status": status,
            "q": q,
            "statuses": PurchaseOrder.Status.choices,
        },
    )


@require_GET
@actor_required
def po_detail(request, purchase_order_id: int):
    actor = request.actor
    order = selectors.purchase_order_get(actor=actor, id=purchase_order_id)
    return render(
        request,
        "purchasing/po_detail.html",
        {
            "order": order,
            "lines": list(selectors.purchase_order_lines(order=order)),
            "receipts": list(selectors.purchase_order_receipts(order=order)),
            "supplier_order": selectors.purchase_order_supplier_status(order=order),
            "today": timezone.localdate().isoformat(),
        },
    )


@require_POST
@actor_required
def po_receive(request, purchase_order_id: int):
    actor = request.actor
    order = selectors.purchase_order_get(actor=actor, id=purchase_order_id)
    received_on = services._date(request.POST.get("received_on"), field="received_on")
    notes = request.POST.get("notes", "")
    if request.POST.get("all"):
        receipt = purchase_orders.goods_receipt_receive_all(
            actor=actor, order=order, received_on=received_on, notes=notes
        )
    else:
        lines = [
            {"line_id": _int(key.removeprefix("receive-")), "quantity": value}
            for key, value in request.POST.items()
            if key.startswith("receive-") and value.strip()
        ]
        receipt = purchase_orders.goods_receipt_create(
            actor=actor, order=order, lines=lines, received_on=received_on, notes=notes
        )
    messages.success(request, _("Goods receipt %(number)s recorded.") % {"number": receipt.number})
    return redirect("purchasing:po_detail", purchase_order_id=order.pk)


@require_POST
@actor_required
def po_confirm(request, purchase_order_id: int):
    actor = request.actor
    order = selectors.purchase_order_get(actor=actor, id=purchase_order_id)
    purchase_orders.purchase_order_confirm(actor=actor, order=order)
    return redirect("purchasing:po_detail", purchase_order_id=order.pk)


@require_POST
@actor_required
def po_cancel(request, purchase_order_id: int):
    actor = request.actor
    order = selectors.purchase_order_get(actor=actor, id=purchase_order_id)
    purchase_orders.purchase_order_cancel(
        actor=actor, order=order, reason=request.POST.get("reason", "")
    )
    messages.success(
        request, _("Purchase order %(number)s was cancelled.") % {"number": order.number}
    )
    return redirect("purchasing:po_detail", purchase_order_id=order.pk)
