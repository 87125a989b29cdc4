"""Pages of the orders app (thin: parse, call a service or selector, render): the order list
with its view tabs, the order page and its actions, the order form with its HTMX line editor,
shipments, invoices (printable), payments, receivables, the open-orders CSV and the public
tracking page."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Page
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.selectors import membership_list
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, RateLimited
from shangyou.core.pagination import BoundedPaginator

from . import billing, exporting, selectors, services, shipping
from .forms import (
    CancelForm,
    EventForm,
    InvoiceForm,
    OrderFilterForm,
    OrderForm,
    PaymentForm,
    ShipmentForm,
    line_rows,
    next_index,
    quantities,
)
from .models import SalesOrder

PAGE_SIZE = 25


def _apply_form_error(form, exc: ApplicationError) -> None:
    """The service's message on top of the form, and its per-field notes on the fields."""
    form.add_error(None, str(exc.message))
    for field, errors in getattr(exc, "errors", {}).items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)


def _members(actor):
    """The company's active members, for the owner filters (the user's name and email only)."""
    return list(
        membership_list(actor=actor)
        .filter(is_active=True)
        .select_related(None)
        .select_related("user")
        .only("user_id", "is_active", "user__full_name", "user__email")
    )


def _page(request, queryset):
    return BoundedPaginator(queryset, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )


class _OrderListPaginator(BoundedPaginator):
    """A `BoundedPaginator` whose page and bounded count come from one statement
    (`selectors.order_page`); it falls back to the usual count when that cannot tell."""

    def page(self, number) -> Page:
        if "count" not in self.__dict__:
            try:
                wanted = int(number)
            except (TypeError, ValueError):
                wanted = 0
            if wanted >= 1:
                offset = (wanted - 1) * self.per_page
                rows, count = selectors.order_page(
                    self.object_list, offset=offset, limit=self.per_page, cap=self.cap
                )
                if count is not None:
                    self.__dict__["count"] = count  # the cached_property, already known
                    self.count_is_exact = count <= self.cap
                    return self._get_page(rows, self.validate_number(wanted), self)
        return super().page(number)


# What the order list shows of an order, its customer and its owner (`.only()`: the customer's
# search columns and custom fields stay in the database).
LIST_COLUMNS = (
    "number", "customer_reference", "order_date", "status", "currency", "total", "amount_paid",
    "customer", "customer__name", "owner", "owner__full_name", "owner__email",
)  # fmt: skip
# The badge colour of each status (as `partials/_status.html`, without an include per row).
STATUS_BADGES = {
    SalesOrder.Status.DRAFT: "bg-secondary-lt",
    SalesOrder.Status.CONFIRMED: "bg-blue-lt",
    SalesOrder.Status.PARTLY_SHIPPED: "bg-yellow-lt",
    SalesOrder.Status.SHIPPED: "bg-azure-lt",
    SalesOrder.Status.COMPLETED: "bg-green-lt",
    SalesOrder.Status.CANCELLED: "bg-red-lt",
}


def _list_page(request, orders):
    """The requested page of the order list; each order gets its status label and badge colour
    (the labels translated once per page, not once per row)."""
    page = _OrderListPaginator(
        orders.only(*LIST_COLUMNS), PAGE_SIZE, page_hint=request.GET.get("page")
    ).get_page(request.GET.get("page"))
    labels = {value: str(label) for value, label in SalesOrder.Status.choices}
    for order in page.object_list:
        order.status_label = labels.get(order.status, order.status)
        order.status_badge = STATUS_BADGES.get(order.status, "bg-red-lt")
    return page


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- orders: list and detail --------------------------------------------------------------------
@actor_required
def order_list(request):
    actor = request.actor
    view = request.GET.get("view", "all")
    view = view if view in selectors.VIEWS else "all"
    form = OrderFilterForm(request.GET or None, members=_members(actor))
    filters = form.cleaned_data if form.is_valid() else {}
    sort = request.GET.get("sort", "-date")
    orders = selectors.order_list(
        actor=actor,
        view=view,
        status=filters.get("status") or "",
        customer_id=int(request.GET["customer"])
        if request.GET.get("customer", "").isdigit()
        else None,
        owner_id=filters.get("owner"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        q=filters.get("q") or "",
        sort=sort,
    )
    context = {
        "page": _list_page(request, orders),
        "form": form,
        "view": view,
        "sort": sort,
        "filtered": any(filters.get(k) for k in ("q", "status", "owner", "date_from", "date_to")),
    }
    template = "orders/partials/_order_table.html" if request.htmx else "orders/list.html"
    return render(request, template, context)


@actor_required
def order_detail(request, order_id: int):
    actor = request.actor
    order = selectors.order_get(actor=actor, id=order_id)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": list(selectors.order_lines(order=order)),
            "shipments": selectors.shipment_details(
                selectors.shipment_list(actor=actor, order_id=order.pk)
            ),
            "invoices": list(selectors.invoice_list(actor=actor, order_id=order.pk)),
            "payments": list(selectors.payment_list(actor=actor, order_id=order.pk)),
            "cancel_form": CancelForm(),
            "has_invoices": any(i.status != "cancelled" for i in order.invoices.all()),
        },
    )


# --- the order form -----------------------------------------------------------------------------
def _line_inputs(actor, customer, rows, currency: str):
    result = []
    for row in rows:
        try:
            quantity = Decimal(row["quantity"] or "0")
        except InvalidOperation:
            quantity = row["quantity"]
        overrides = {
            "description": row["description"],
            "unit": row["unit"],
            "unit_price": row["unit_price"] or None,
            "discount_percent": row["discount_percent"] or None,
            "tax_rate": row["tax_rate"] or None,
            "required_date": _date(row["required_date"]),
            "sku": row["sku"],
        }
        if row["product"].isdigit():
            result.append(
                services.line_from_product(
                    actor=actor,
                    product_id=int(row["product"]),
                    customer=customer,
                    quantity=quantity,
                    currency=currency,
                    **overrides,
                )
            )
        else:
            result.append(
                services.LineInput(
                    description=row["description"],
                    quantity=quantity,
                    unit_price=row["unit_price"] or Decimal(0),
                    discount_percent=row["discount_percent"] or Decimal(0),
                    tax_rate=row["tax_rate"] or Decimal(0),
                    unit=row["unit"],
                    sku=row["sku"],
                    required_date=overrides["required_date"],
                )
            )
    return result


def _rows_of(order: SalesOrder) -> list[dict]:
    return [
        {
            "index": i,
            "product": str(line.product_id or ""),
            "product_label": str(line.product) if line.product_id else "",
            "description": line.description,
            "sku": line.sku,
            "quantity": services.plain(line.quantity),
            "unit": line.unit,
            "unit_price": services.plain(line.unit_price),
            "discount_percent": services.plain(line.discount_percent),
            "tax_rate": services.plain(line.tax_rate),
            "required_date": line.required_date.isoformat() if line.required_date else "",
        }
        for i, line in enumerate(selectors.order_lines(order=order))
    ]


def _customer_or_none(actor, value):
    from shangyou.contacts.selectors import customer_get

    if not str(value or "").isdigit():
        return None
    try:
        return customer_get(actor=actor, id=int(value))
    except NotFound:
        return None


def _product_labels(actor, rows):
    from shangyou.catalog.models import Product

    ids = [int(r["product"]) for r in rows if str(r.get("product", "")).isdigit()]
    labels = {p.pk: str(p) for p in Product.objects.filter(company_id=actor.company_id, pk__in=ids)}
    for row in rows:
        if str(row.get("product", "")).isdigit():
            row["product_label"] = labels.get(int(row["product"]), "")
    return rows


@actor_required
def order_create(request):
    return _order_form(request, order=None)


@actor_required
def order_edit(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    if order.status != SalesOrder.Status.DRAFT:
        messages.error(request, _("Only draft orders can be edited."))
        return redirect("orders:order_detail", order_id=order.pk)
    return _order_form(request, order=order)


def _order_form(request, *, order: SalesOrder | None):
    actor = request.actor
    search_url = reverse("orders:customer_search")
    if request.method == "POST":
        customer = _customer_or_none(actor, request.POST.get("customer_id"))
        form = OrderForm(request.POST, customer=customer, search_url=search_url)
        rows = _product_labels(actor, line_rows(request.POST))
        if form.is_valid():
            if customer is None:
                form.add_error("customer_id", _("Choose a customer."))
            else:
                try:
                    return _save_order(request, form, customer, rows, order)
                except ApplicationError as exc:
                    _apply_form_error(form, exc)
    else:
        customer = (
            order.customer if order else _customer_or_none(actor, request.GET.get("customer"))
        )
        if order:
            initial = {f: getattr(order, f) for f in services.ORDER_FIELDS}
            initial["customer_id"] = order.customer_id
            rows = _rows_of(order)
        else:
            initial = {"order_date": timezone.localdate(), "customer_id": customer and customer.pk}
            rows = [{"index": 0}]
        form = OrderForm(initial=initial, customer=customer, search_url=search_url)
    return render(
        request,
        "orders/form.html",
        {"form": form, "order": order, "rows": rows, "totals": _totals(actor, customer, rows)},
    )


def _save_order(request, form, customer, rows, order):
    actor = request.actor
    data = dict(form.cleaned_data)
    data.pop("customer_id")
    lines = _line_inputs(actor, customer, rows, data.get("currency") or "")
    if order is None:
        order = services.order_create(actor=actor, customer=customer, lines=lines, **data)
        messages.success(request, _("Order %(number)s created.") % {"number": order.number})
    else:
        data["customer_id"] = customer.pk
        order = services.order_update(
            actor=actor,
            order=order,
            data=data,
            version=int(request.POST.get("version") or 0) or None,
            lines=lines,
        )
        messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
    return redirect("orders:order_detail", order_id=order.pk)


def _totals(actor, customer, rows):
    """The form's running totals (nothing saved); rows with errors count as zero."""
    from shangyou.core.money import document_totals, line_amounts

    amounts = []
    for row in rows:
        try:
            amounts.append(
                line_amounts(
                    quantity=Decimal(row.get("quantity") or 0),
                    unit_price=Decimal(row.get("unit_price") or 0),
                    discount_percent=Decimal(row.get("discount_percent") or 0),
                    tax_rate=Decimal(row.get("tax_rate") or 0),
                )
            )
        except (InvalidOperation, TypeError):
            continue
    return document_totals(amounts)


@actor_required
def order_line_row(request):
    """HTMX: a new line row, or the row refilled from its chosen product (price for the
    customer, unit, tax rate)."""
    actor = request.actor
    data = request.GET
    index = data.get("index", "")
    if index.isdigit():
        rows = line_rows(data) or [{"index": int(index)}]
        row = next((r for r in rows if r["index"] == int(index)), {"index": int(index)})
        product = row.get("product", "")
        if product.isdigit():
            customer = _customer_or_none(actor, data.get("customer_id"))
            line = services.line_from_product(
                actor=actor,
                product_id=int(product),
                customer=customer,
                quantity=Decimal(row.get("quantity") or 1),
                currency=data.get("currency", ""),
            )
            row.update(
                description=line.description,
                sku=line.sku,
                unit=line.unit,
                unit_price=services.plain(line.unit_price),
                tax_rate=services.plain(line.tax_rate),
                quantity=row.get("quantity") or 1,
            )
            _product_labels(actor, [row])
    else:
        row = {"index": next_index(data)}
    return render(request, "orders/partials/_line_row.html", {"row": row})


@actor_required
def order_totals(request):
    """HTMX: the totals of the order form as currently filled in."""
    rows = line_rows(request.POST if request.method == "POST" else request.GET)
    return render(
        request, "orders/partials/_totals.html", {"totals": _totals(request.actor, None, rows)}
    )


@actor_required
def product_search(request):
    return JsonResponse(
        selectors.product_choices(actor=request.actor, q=request.GET.get("q", "")), safe=False
    )


@actor_required
def customer_search(request):
    from shangyou.contacts.selectors import customer_list

    customers = customer_list(actor=request.actor, q=request.GET.get("q", ""), sort="name")
    return JsonResponse(
        [{"value": c.pk, "text": c.name} for c in customers.filter(is_blacklisted=False)[:20]],
        safe=False,
    )


# --- transitions --------------------------------------------------------------------------------
def _back(order_id: int):
    return redirect("orders:order_detail", order_id=order_id)


@require_POST
@actor_required
def order_confirm(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    services.order_confirm(actor=request.actor, order=order)
    messages.success(request, _("Order %(number)s confirmed.") % {"number": order.number})
    return _back(order.pk)


@require_POST
@actor_required
def order_complete(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    services.order_complete(actor=request.actor, order=order)
    messages.success(request, _("Order %(number)s completed.") % {"number": order.number})
    return _back(order.pk)


@require_POST
@actor_required
def order_cancel(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    services.order_cancel(actor=request.actor, order=order, reason=request.POST.get("reason", ""))
    messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return _back(order.pk)


@require_POST
@actor_required
def order_delete(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    services.order_delete(actor=request.actor, order=order)
    messages.success(request, _("Order %(number)s moved to the trash.") % {"number": order.number})
    return redirect("orders:order_list")


# --- shipments ----------------------------------------------------------------------------------
@actor_required
def shipment_create(request, order_id: int):
    actor = request.actor
    order = selectors.order_get(actor=actor, id=order_id)
    lines = [line for line in selectors.order_lines(order=order) if line.quantity_open > 0]
    form = ShipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shipment = shipping.shipment_create(
                actor=actor,
                order=order,
                quantities=quantities(request.POST),
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                notes=form.cleaned_data["notes"],
                status=form.cleaned_data["status"],
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(
                request, _("Shipment %(number)s recorded.") % {"number": shipment.number}
            )
            return _back(order.pk)
    for line in lines:
        line.entered = request.POST.get(f"qty-{line.pk}", services.plain(line.quantity_open))
    return render(
        request, "orders/shipment_form.html", {"order": order, "lines": lines, "form": form}
    )


@actor_required
def shipment_list(request):
    shipments = selectors.shipment_list(actor=request.actor)
    return render(request, "orders/shipments.html", {"page": _page(request, shipments)})


@actor_required
def shipment_detail(request, shipment_id: int):
    shipment = selectors.shipment_get(actor=request.actor, id=shipment_id)
    (shipment,) = selectors.shipment_details(
        selectors.shipment_list(actor=request.actor).filter(pk=shipment.pk)
    )
    form = EventForm(initial={"status": shipment.status})
    return render(request, "orders/shipment_detail.html", {"shipment": shipment, "form": form})


@require_POST
@actor_required
def shipment_event_add(request, shipment_id: int):
    shipment = selectors.shipment_get(actor=request.actor, id=shipment_id)
    form = EventForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the status and the time."))
    else:
        try:
            shipping.shipment_event_add(actor=request.actor, shipment=shipment, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Status recorded."))
    return redirect("orders:shipment_detail", shipment_id=shipment.pk)


# --- invoices -----------------------------------------------------------------------------------
@actor_required
def invoice_create(request, order_id: int):
    actor = request.actor
    order = selectors.order_get(actor=actor, id=order_id)
    lines = list(selectors.order_lines(order=order))
    form = InvoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = billing.invoice_create(
                actor=actor,
                order=order,
                quantities=None
                if form.cleaned_data["mode"] == "full"
                else quantities(request.POST),
                issue_date=form.cleaned_data["issue_date"],
                due_date=form.cleaned_data["due_date"],
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("orders:invoice_detail", invoice_id=invoice.pk)
    return render(
        request,
        "orders/invoice_form.html",
        {"order": order, "lines": lines, "form": form},
    )


@actor_required
def invoice_list(request):
    status = request.GET.get("status", "")
    invoices = selectors.invoice_list(
        actor=request.actor, status=status, q=request.GET.get("q", "")
    )
    return render(
        request,
        "orders/invoices.html",
        {"page": _page(request, invoices), "status": status, "q": request.GET.get("q", "")},
    )


@actor_required
def invoice_detail(request, invoice_id: int):
    invoice = selectors.invoice_get(actor=request.actor, id=invoice_id)
    return render(
        request,
        "orders/invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": list(selectors.payment_list(actor=request.actor, invoice_id=invoice.pk)),
            "company": request.actor.company,
        },
    )


@require_POST
@actor_required
def invoice_cancel(request, invoice_id: int):
    invoice = selectors.invoice_get(actor=request.actor, id=invoice_id)
    billing.invoice_cancel(
        actor=request.actor, invoice=invoice, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("Invoice %(number)s cancelled.") % {"number": invoice.number})
    return redirect("orders:invoice_detail", invoice_id=invoice.pk)


# --- payments -----------------------------------------------------------------------------------
def _payment_form(request, *, invoice=None, order=None):
    actor = request.actor
    form = PaymentForm(
        request.POST or None,
        initial={
            "amount": invoice.balance if invoice else (order.balance if order else None),
            "received_on": timezone.localdate(),
            "kind": request.GET.get("kind", "payment"),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = billing.payment_create(
                actor=actor, invoice=invoice, order=order, **form.cleaned_data
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("%(number)s recorded.") % {"number": payment.number})
            if invoice:
                return redirect("orders:invoice_detail", invoice_id=invoice.pk)
            return _back(order.pk)
    return render(
        request, "orders/payment_form.html", {"form": form, "invoice": invoice, "order": order}
    )


@actor_required
def invoice_pay(request, invoice_id: int):
    invoice = selectors.invoice_get(actor=request.actor, id=invoice_id)
    return _payment_form(request, invoice=invoice)


@actor_required
def order_pay(request, order_id: int):
    order = selectors.order_get(actor=request.actor, id=order_id)
    return _payment_form(request, order=order)


@actor_required
def payment_list(request):
    payments = selectors.payment_list(actor=request.actor, kind=request.GET.get("kind", ""))
    return render(request, "orders/payments.html", {"page": _page(request, payments)})


# --- receivables and the open-orders feed -------------------------------------------------------
def _receivables_args(request):
    as_of = _date(request.GET.get("as_of", "")) or timezone.localdate()
    owner = request.GET.get("owner", "")
    return as_of, int(owner) if owner.isdigit() else None


@actor_required
def receivables(request):
    as_of, owner_id = _receivables_args(request)
    report = selectors.receivables(actor=request.actor, as_of=as_of, owner_id=owner_id)
    return render(
        request,
        "orders/receivables.html",
        {"report": report, "owner_id": owner_id, "members": _members(request.actor)},
    )


@actor_required
def receivables_csv(request):
    as_of, owner_id = _receivables_args(request)
    report = selectors.receivables(actor=request.actor, as_of=as_of, owner_id=owner_id)
    return exporting.receivables_response(report)


@actor_required
def open_lines_csv(request):
    """The open-orders feed (I1) as a streamed CSV, filtered like the API."""
    product = request.GET.get("product", "")
    lines = selectors.open_order_lines(
        actor=request.actor,
        product_id=int(product) if product.isdigit() else None,
        sku=request.GET.get("sku", ""),
        required_from=_date(request.GET.get("required_from", "")),
        required_to=_date(request.GET.get("required_to", "")),
    )
    return exporting.open_lines_response(lines)


# --- public tracking ----------------------------------------------------------------------------
def tracking(request):
    """Public order tracking (no login): order number plus the customer's phone or email. Shows
    status, lines (quantities, not prices) and shipments with their events."""
    from .api import track_payload

    context = {"number": "", "contact": "", "result": None, "error": "", "status": 200}
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        contact = request.POST.get("contact", "").strip()
        context.update(number=number, contact=contact)
        try:
            is_email = "@" in contact
            order = shipping.tracking_lookup(
                number=number,
                phone="" if is_email else contact,
                email=contact if is_email else "",
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        except RateLimited as exc:
            context.update(error=str(exc.message), status=429)
        except NotFound as exc:
            context.update(error=str(exc.message), status=404)
        else:
            context["result"] = track_payload(order)
    return render(request, "orders/track.html", context, status=context["status"])
