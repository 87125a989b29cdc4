"""Forms of the sales pages: they parse and validate input; the rules are in the services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shangyou.catalog.models import CURRENCIES

from .models import Opportunity, Quotation

DATE = {"type": "date"}
CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def _customer_widget(field, customers) -> None:
    """A customer chooser that searches as you type (the few given are the initial options)."""
    from django.urls import reverse

    field.widget.choices = [("", "—"), *((c.pk, c.name) for c in customers)]
    field.widget.attrs["data-tom-select"] = ""
    field.widget.attrs["data-tom-select-url"] = reverse("sales:customer_lookup")


def _member_choices(members, *, empty: str | None = None):
    choices = [(m.user_id, m.user.display_name) for m in members]
    return [("", empty), *choices] if empty is not None else choices


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    customer_id = forms.IntegerField(label=_("Customer"), widget=forms.Select)
    stage = forms.ChoiceField(label=_("Stage"), choices=Opportunity.Stage.choices)
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty for the stage's default."),
    )
    lost_reason = forms.CharField(
        label=_("Reason lost"), max_length=300, required=False, help_text=_("Required when lost.")
    )
    amount = forms.DecimalField(
        label=_("Expected amount"), max_digits=16, decimal_places=2, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    expected_close = forms.DateField(
        label=_("Expected close date"), required=False, widget=_date_widget()
    )
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    source = forms.CharField(label=_("Source"), max_length=20, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, customers=(), members=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if "customer_id" in self.fields:
            _customer_widget(self.fields["customer_id"], customers)
        self.fields["owner_id"].choices = _member_choices(members)
        if editing:
            del self.fields["customer_id"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("amount") is None:
            data["amount"] = Decimal(0)
        return data


class OpportunityFilterForm(forms.Form):
    KEYS = ("q", "stage", "status", "owner", "customer", "close_after", "close_before")

    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *Opportunity.Stage.choices],
        required=False,
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Open or closed"),
        choices=[("", _("All")), ("open", _("Open")), ("closed", _("Closed"))],
        required=False,
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    close_after = forms.DateField(
        label=_("Expected close from"), required=False, widget=_date_widget()
    )
    close_before = forms.DateField(
        label=_("Expected close until"), required=False, widget=_date_widget()
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", _("Everyone")), ("none", _("Unowned")), *_member_choices(members),
        ]  # fmt: skip

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class QuotationForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), widget=forms.Select)
    opportunity_id = forms.TypedChoiceField(
        label=_("Opportunity"), coerce=int, empty_value=None, required=False
    )
    contact_id = forms.TypedChoiceField(
        label=_("Contact"), coerce=int, empty_value=None, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    language = forms.ChoiceField(
        label=_("Language of the quotation"),
        choices=Quotation.Language.choices,
        help_text=_("The PDF, the email and the customer's page are written in it."),
    )
    issue_date = forms.DateField(label=_("Date"), widget=_date_widget())
    valid_until = forms.DateField(label=_("Valid until"), widget=_date_widget())
    discount_percent = forms.DecimalField(
        label=_("Discount on the total (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )
    terms = forms.CharField(
        label=_("Terms"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notes = forms.CharField(
        label=_("Internal notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, customers=(), opportunities=(), contacts=(), editing=False, **kw):
        super().__init__(*args, **kw)
        if "customer_id" in self.fields:
            _customer_widget(self.fields["customer_id"], customers)
        self.fields["opportunity_id"].choices = [("", "—")] + [
            (o.pk, f"{o.name} · {o.customer.name}") for o in opportunities
        ]
        self.fields["contact_id"].choices = [("", "—")] + [(c.pk, c.name) for c in contacts]
        if editing:
            del self.fields["customer_id"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("discount_percent") is None:
            data["discount_percent"] = Decimal(0)
        return data


class QuotationFilterForm(forms.Form):
    KEYS = ("q", "status", "owner", "customer", "date_from", "date_to", "current")

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Quotation.Status.choices], required=False
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=_date_widget()
    )
    date_to = forms.DateField(label=_("Until"), required=False, widget=_date_widget())
    current = forms.BooleanField(label=_("Hide superseded revisions"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Everyone")), *_member_choices(members)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=[("email", _("Email")), ("platform", _("Platform message"))],
        widget=forms.RadioSelect,
        initial="email",
    )
    to = forms.EmailField(label=_("To"), required=False)
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class AnswerForm(forms.Form):
    """Staff record the customer's answer given by phone or in person."""

    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("Accepted")), ("decline", _("Declined"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Answered by"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Remarks or reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    note = forms.CharField(
        label=_("Remarks (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DeclineForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
