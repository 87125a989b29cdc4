"""Forms of the order pages. Lines of an order, a shipment or an invoice are posted as
`lines-<n>-<field>` / `qty-<line id>` and read by the views (`order_line_rows`)."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Payment, SalesOrder, Shipment

DATE = {"type": "date"}
LINE_FIELDS = (
    "product", "description", "sku", "quantity", "unit", "unit_price", "discount_percent",
    "tax_rate", "required_date",
)  # fmt: skip
LINE_KEY = re.compile(r"^lines-(\d+)-(\w+)$")


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class OrderForm(forms.Form):
    # The options are loaded as you type (Tom Select); only the chosen customer is rendered.
    customer_id = forms.IntegerField(label=_("Customer"), widget=forms.Select)
    order_date = forms.DateField(label=_("Order date"), widget=_date_widget())
    requested_date = forms.DateField(
        label=_("Requested delivery date"), required=False, widget=_date_widget()
    )
    customer_reference = forms.CharField(
        label=_("Customer reference"),
        max_length=60,
        required=False,
        help_text=_("The customer's purchase order number."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=3650, initial=30
    )
    ship_to_name = forms.CharField(label=_("Recipient"), max_length=100, required=False)
    ship_to_phone = forms.CharField(label=_("Recipient's phone"), max_length=40, required=False)
    ship_to_address = forms.CharField(label=_("Delivery address"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, customer=None, search_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["customer_id"].widget
        widget.choices = [("", "—")] + ([(customer.pk, customer.name)] if customer else [])
        widget.attrs.update({"data-tom-select": "", "data-tom-select-url": search_url})


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class ShipmentForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Shipment.Status.SHIPPED, Shipment.Status.SHIPPED.label),
            (Shipment.Status.PREPARING, Shipment.Status.PREPARING.label),
        ],
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class EventForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Shipment.Status.choices)
    at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class InvoiceForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What to invoice"),
        choices=[("full", _("Everything not yet invoiced")), ("partial", _("Chosen quantities"))],
        widget=forms.RadioSelect,
        initial="full",
    )
    issue_date = forms.DateField(label=_("Invoice date"), required=False, widget=_date_widget())
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave empty to use the order's payment terms."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Payment.Kind.choices, widget=forms.RadioSelect, initial="payment"
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    received_on = forms.DateField(label=_("Date"), required=False, widget=_date_widget())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Bank transaction number, cheque number …"),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"data-live-search": True}),  # asks on input (app.js)
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *SalesOrder.Status.choices], required=False
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=_date_widget()
    )
    date_to = forms.DateField(label=_("Until"), required=False, widget=_date_widget())

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            *[(m.user_id, m.user.display_name) for m in members],
        ]


def line_rows(data) -> list[dict[str, Any]]:
    """The order form's line rows as posted: [{index, product, description, …}], in order;
    rows marked for removal and empty rows are left out."""
    rows: dict[int, dict[str, Any]] = {}
    for key in data:
        match = LINE_KEY.match(key)
        if match and match.group(2) in (*LINE_FIELDS, "delete"):
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key, "").strip()
    result = []
    for index in sorted(rows):
        row = rows[index]
        if row.get("delete"):
            continue
        if not any(row.get(k) for k in ("product", "description", "quantity", "unit_price")):
            continue
        result.append({"index": index, **{k: row.get(k, "") for k in LINE_FIELDS}})
    return result


def next_index(data) -> int:
    indexes = [int(m.group(1)) for key in data if (m := LINE_KEY.match(key))]
    return max(indexes, default=-1) + 1


def quantities(data, prefix: str = "qty-") -> dict[int, Decimal]:
    """{order line id: quantity} from `qty-<line id>` fields (empty = 0)."""
    result = {}
    for key in data:
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            raw = (data.get(key) or "").strip().replace(",", "")
            try:
                result[int(key[len(prefix) :])] = Decimal(raw or 0)
            except InvalidOperation:
                result[int(key[len(prefix) :])] = raw  # the service names the bad value
    return result
