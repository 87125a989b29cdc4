from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Contact, Customer, CustomField, Task, TimelineEntry
from .timeline import MANUAL_KINDS

DATE = {"type": "date"}


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class CustomerForm(forms.Form):
    """Every field of a customer; the company's custom fields are added as `cf_<key>`."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Customer.Kind.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=Customer.Stage.choices)
    code = forms.CharField(label=_("Customer number"), max_length=40, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *Customer.Source.choices], required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    country = forms.CharField(label=_("Country"), max_length=60, required=False)
    province = forms.CharField(label=_("Province"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    is_customer = forms.BooleanField(label=_("Customer role"), required=False, initial=True)
    is_supplier = forms.BooleanField(label=_("Supplier role"), required=False)
    owner_id = forms.TypedChoiceField(
        label=_("Owner"), coerce=int, empty_value=None, required=False
    )
    grade_id = forms.TypedChoiceField(
        label=_("Grade"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A grade chosen here is kept when grades are recomputed."),
    )
    tag_ids = forms.TypedMultipleChoiceField(
        label=_("Tags"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"data-tom-select": ""}),
    )
    credit_rating = forms.ChoiceField(
        label=_("Credit rating"), choices=[("", "—"), *Customer.Credit.choices], required=False
    )
    consent_email = forms.BooleanField(label=_("Accepts email"), required=False, initial=True)
    consent_sms = forms.BooleanField(label=_("Accepts SMS"), required=False, initial=True)
    consent_im = forms.BooleanField(label=_("Accepts IM messages"), required=False, initial=True)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=_date_widget())
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=_date_widget())
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDSETS = (
        (_("Customer"), ("name", "kind", "stage", "code", "source", "industry")),
        (_("Contact details"), ("phone", "email", "website")),
        (_("Region"), ("country", "province", "city", "address")),
        (
            _("Classification"),
            ("owner_id", "grade_id", "tag_ids", "credit_rating", "is_customer", "is_supplier"),
        ),
        (_("Consent"), ("consent_email", "consent_sms", "consent_im")),
        (_("Dates and notes"), ("birthday", "founded_on", "notes")),
    )
    DUPLICATE_KEYS = ("name", "phone", "email")

    def __init__(
        self,
        *args,
        members=(),
        grades=(),
        tags=(),
        custom_fields=(),
        exclude_id=None,
        allow_duplicate=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", _("Unowned (pool)")), *members]
        self.fields["grade_id"].choices = [("", "—")] + [(g.pk, str(g)) for g in grades]
        self.fields["tag_ids"].choices = [(t.pk, t.name) for t in tags]
        self.custom_fields = list(custom_fields)
        for definition in self.custom_fields:
            self.fields[f"cf_{definition.key}"] = custom_form_field(definition)
        if allow_duplicate:
            self.fields["allow_duplicate"] = forms.BooleanField(
                label=_("Save anyway: this is a different customer"), required=False
            )
        check = reverse("contacts:duplicate_check")
        if exclude_id:
            check += f"?exclude={exclude_id}"
        for key in self.DUPLICATE_KEYS:
            self.fields[key].widget.attrs.update(
                {
                    "hx-get": check,
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#duplicate-candidates",
                    "hx-include": "#id_name, #id_phone, #id_email",
                    "autocomplete": "off",
                }
            )

    def fieldsets(self):
        sets = [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]
        if self.custom_fields:
            sets.append((_("More fields"), [self[f"cf_{d.key}"] for d in self.custom_fields]))
        return sets

    def service_data(self) -> dict:
        """cleaned_data in the shape customer_create/customer_update take."""
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in {"version", "allow_duplicate"} and not k.startswith("cf_")
        }
        if self.custom_fields:
            data["custom_fields"] = {
                d.key: self.cleaned_data.get(f"cf_{d.key}") for d in self.custom_fields
            }
        return data


def custom_form_field(definition: CustomField) -> forms.Field:
    common = {"label": definition.label, "required": definition.required}
    kind = definition.type
    if kind == CustomField.Type.NUMBER:
        return forms.DecimalField(**common)
    if kind == CustomField.Type.DATE:
        return forms.DateField(widget=_date_widget(), **common)
    if kind == CustomField.Type.BOOLEAN:
        return forms.BooleanField(label=definition.label, required=False)
    if kind == CustomField.Type.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(str(c), str(c)) for c in definition.choices], **common
        )
    return forms.CharField(max_length=500, **common)


class FilterForm(forms.Form):
    """The list page's filter panel; its cleaned data is the filter dict segments store."""

    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *Customer.Stage.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *Customer.Kind.choices], required=False
    )
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    province = forms.CharField(label=_("Province"), required=False, max_length=40)
    city = forms.CharField(label=_("City"), required=False, max_length=60)
    blacklisted = forms.ChoiceField(
        label=_("Blacklist"),
        choices=[("", _("Any")), ("1", _("Blacklisted")), ("0", _("Not blacklisted"))],
        required=False,
    )
    supplier = forms.ChoiceField(
        label=_("Supplier role"),
        choices=[("", _("Any")), ("1", _("Suppliers")), ("0", _("Not suppliers"))],
        required=False,
    )
    no_contact_days = forms.IntegerField(
        label=_("Not contacted for (days)"), required=False, min_value=1, max_value=3650
    )

    KEYS = (
        "q", "stage", "kind", "grade", "tag", "owner", "province", "city", "blacklisted",
        "supplier", "no_contact_days",
    )  # fmt: skip

    def __init__(self, *args, members=(), grades=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("All grades"))] + [
            (str(g.pk), str(g)) for g in grades
        ]
        self.fields["tag"].choices = [("", _("All tags"))] + [(str(t.pk), t.name) for t in tags]
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            ("none", _("Unowned (pool)")),
        ] + [(str(user_id), name) for user_id, name in members]

    def filters(self) -> dict:
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Segment name"), max_length=100)
    is_shared = forms.BooleanField(label=_("Share with colleagues"), required=False, initial=True)


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, label) for k, label in TimelineEntry.Kind.choices if k in MANUAL_KINDS],
        initial=TimelineEntry.Kind.NOTE,
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )
    contact_id = forms.TypedChoiceField(
        label=_("Contact"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_id"].choices = [("", "—")] + [(c.pk, c.name) for c in contacts]


class EmailForm(forms.Form):
    to = forms.EmailField(label=_("To"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    qq = forms.CharField(label="QQ", max_length=20, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=_date_widget())
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_from(contact: Contact) -> dict:
        fields = (
            "name", "title", "department", "phone", "mobile", "email", "wechat", "qq",
            "birthday", "is_primary", "notes", "version",
        )  # fmt: skip
        return {f: getattr(contact, f) for f in fields}


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mention a colleague with @name or @email; they will be notified."),
    )


class BlacklistForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.vcf"}),
        help_text=_("CSV, XLSX or vCard (.vcf). The first row of a table holds the headers."),
    )


class GradeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60)
    rank = forms.IntegerField(
        label=_("Rank"), min_value=1, initial=10, help_text=_("1 is the best grade.")
    )
    min_spend = forms.DecimalField(
        label=_("Minimum spend"), required=False, max_digits=16, decimal_places=2
    )
    min_orders = forms.IntegerField(label=_("Minimum orders"), required=False, min_value=0)
    period_days = forms.IntegerField(label=_("Period (days)"), min_value=1, initial=365)
    color = forms.CharField(label=_("Colour"), max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag name"), max_length=50)


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Letters, digits and underscores; used in imports and the API."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=CustomField.Type.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice field: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if data.get("type") == CustomField.Type.CHOICE and not data.get("choices"):
            self.add_error("choices", _("Give at least one choice."))
        return data


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Task.Kind.choices, initial=Task.Kind.TODO)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Task.Priority.choices, coerce=int, initial=Task.Priority.NORMAL
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    remind_at = forms.DateTimeField(
        label=_("Remind me at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: at the due time."),
    )
    assignee_id = forms.TypedChoiceField(
        label=_("Assigned to"), coerce=int, required=False, empty_value=None
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"].choices = list(members)

    def clean(self):
        data = super().clean()
        if not data.get("remind_at"):
            data.pop("remind_at", None)
        return data
