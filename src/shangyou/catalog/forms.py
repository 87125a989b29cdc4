"""Forms of the catalogue pages: they parse and render; the rules are in the services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CURRENCIES, AttributeDefinition, CompatibilityRule, DiyDesign, Product

DATE = {"type": "date"}
CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def _category_choices(tree, *, empty=True):
    choices = [("", "—")] if empty else []
    choices += [(n.category.pk, f"{n.indent}{n.category.name}") for n in tree]
    return choices


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, empty_value=None, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Product.Status.choices], required=False
    )
    public = forms.ChoiceField(
        label=_("Visibility"),
        choices=[("", _("All")), ("1", _("Public")), ("0", _("Private"))],
        required=False,
    )

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All"))] + _category_choices(tree, empty=False)


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    category_id = forms.TypedChoiceField(
        label=_("Category"), coerce=int, empty_value=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Product.Status.choices)
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="pcs")
    price = forms.DecimalField(label=_("List price"), max_digits=18, decimal_places=4, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    min_order_quantity = forms.DecimalField(
        label=_("Minimum order quantity"), max_digits=14, decimal_places=3, min_value=0
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=40, required=False)
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"), max_digits=12, decimal_places=3, required=False, min_value=0
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Private products are shown only to the customers and grades granted them."),
    )
    is_configurable = forms.BooleanField(label=_("Configurable"), required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    MAIN_FIELDS = ("sku", "name", "name_en", "category_id", "status", "unit", "price", "currency",
                   "tax_rate", "min_order_quantity", "barcode", "weight_kg")  # fmt: skip

    def __init__(self, *args, tree=(), attributes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_id"].choices = _category_choices(tree)
        self.fields["category_id"].widget.attrs.update({"id": "id_category_id"})
        self.attributes = list(attributes)
        for attribute in self.attributes:
            self.fields[f"spec_{attribute.key}"] = spec_field(attribute)

    def main_fields(self):
        return [self[name] for name in self.MAIN_FIELDS]

    def spec_fields(self):
        return [self[f"spec_{a.key}"] for a in self.attributes]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("spec_")}
        data.pop("version", None)
        data["specifications"] = {
            a.key: self.cleaned_data.get(f"spec_{a.key}") for a in self.attributes
        }
        for attribute in self.attributes:
            if attribute.type == AttributeDefinition.Type.BOOLEAN:
                data["specifications"][attribute.key] = bool(data["specifications"][attribute.key])
        return data


def spec_field(attribute: AttributeDefinition) -> forms.Field:
    label = f"{attribute.label} ({attribute.unit})" if attribute.unit else attribute.label
    # `required` is enforced by the service (with its message); the form only marks it.
    if attribute.type == AttributeDefinition.Type.CHOICE:
        field: forms.Field = forms.ChoiceField(
            label=label,
            choices=[("", "—")] + [(c, c) for c in attribute.choices],
            required=False,
        )
    elif attribute.type == AttributeDefinition.Type.BOOLEAN:
        field = forms.BooleanField(label=label, required=False)
    elif attribute.type == AttributeDefinition.Type.NUMBER:
        field = forms.CharField(
            label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
        )
    else:
        field = forms.CharField(label=label, required=False, max_length=200)
    field.widget.attrs["data-required"] = "1" if attribute.required else "0"
    field.is_spec_required = attribute.required
    return field


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    parent_id = forms.TypedChoiceField(
        label=_("Parent category"), coerce=int, empty_value=None, required=False
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = _category_choices(tree)


class AttributeForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60)
    key = forms.SlugField(
        label=_("Key"), max_length=40, help_text=_("Letters, digits, - and _ (e.g. power_w).")
    )
    type = forms.ChoiceField(label=_("Type"), choices=AttributeDefinition.Type.choices)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False, help_text=_("For a choice: separated by commas.")
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)


class ImageForm(forms.Form):
    file = forms.FileField(label=_("Image"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class GrantForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), required=False)
    grade_id = forms.TypedChoiceField(
        label=_("Grade"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_id"].choices = [("", "—")] + [(g.pk, str(g)) for g in grades]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    allow_multiple = forms.BooleanField(label=_("Several options may be chosen"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)


class OptionForm(forms.Form):
    name = forms.CharField(label=_("Option name"), max_length=100)
    price_delta = forms.DecimalField(
        label=_("Price difference"), max_digits=18, decimal_places=4, initial=Decimal(0)
    )
    specifications = forms.CharField(
        label=_("Specifications"),
        required=False,
        help_text=_("key=value, separated by commas (e.g. memory_gb=16)."),
    )
    is_default = forms.BooleanField(label=_("Default"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)

    def clean_specifications(self) -> dict:
        result = {}
        text = self.cleaned_data.get("specifications") or ""
        for part in text.replace("，", ",").split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise forms.ValidationError(_("Write each specification as key=value."))
            key, value = part.split("=", 1)
            result[key.strip()] = value.strip()
        return result


class RuleForm(forms.Form):
    option_id = forms.TypedChoiceField(label=_("Option"), coerce=int)
    kind = forms.ChoiceField(label=_("Rule"), choices=CompatibilityRule.Kind.choices)
    other_id = forms.TypedChoiceField(label=_("Other option"), coerce=int)
    message = forms.CharField(label=_("Message"), max_length=200, required=False)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(o.pk, f"{o.group.name}: {o.name}") for o in options]
        self.fields["option_id"].choices = choices
        self.fields["other_id"].choices = choices


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    grade_id = forms.TypedChoiceField(
        label=_("For grade"), coerce=int, empty_value=None, required=False
    )
    customer_id = forms.IntegerField(
        label=_("For customer"),
        required=False,
        widget=forms.Select(attrs={"data-tom-select": ""}),
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_date_widget())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=_date_widget())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, grades=(), customer_choices=(), lookup_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade_id"].choices = [("", _("— all grades —"))] + [
            (g.pk, str(g)) for g in grades
        ]
        widget = self.fields["customer_id"].widget
        widget.choices = [("", _("— any customer —")), *customer_choices]
        if lookup_url:
            widget.attrs["data-tom-select-url"] = lookup_url


class PriceItemForm(forms.Form):
    product_id = forms.IntegerField(
        label=_("Product"), widget=forms.Select(attrs={"data-tom-select": ""})
    )
    min_quantity = forms.DecimalField(
        label=_("From quantity"), max_digits=14, decimal_places=3, min_value=0, initial=1
    )
    price = forms.DecimalField(label=_("Price"), max_digits=18, decimal_places=4, min_value=0)

    def __init__(self, *args, lookup_url="", **kwargs):
        super().__init__(*args, **kwargs)
        if lookup_url:
            self.fields["product_id"].widget.attrs["data-tom-select-url"] = lookup_url


class RateForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[c for c in CURRENCY_CHOICES if c[0] != "CNY"]
    )
    rate = forms.DecimalField(
        label=_("Rate (CNY per unit)"), max_digits=18, decimal_places=8, min_value=0
    )
    valid_on = forms.DateField(label=_("Valid from"), widget=_date_widget())


class DesignForm(forms.Form):
    customer_id = forms.IntegerField(
        label=_("Customer"), widget=forms.Select(attrs={"data-tom-select": ""})
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    product_id = forms.TypedChoiceField(
        label=_("Based on product"), coerce=int, empty_value=None, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args, products=(), lookup_url="", customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = [("", "—")] + [
            (p.pk, f"{p.name} ({p.sku})") for p in products
        ]
        widget = self.fields["customer_id"].widget
        if lookup_url:
            widget.attrs["data-tom-select-url"] = lookup_url
        widget.choices = [(customer.pk, customer.name)] if customer else [("", "")]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


DESIGN_STATUS_CHOICES = [("", _("All")), *DiyDesign.Status.choices]
