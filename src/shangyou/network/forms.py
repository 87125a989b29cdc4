"""Forms of the platform pages: they parse input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shangyou.accounts.models import Company

from .models import CompanyProfile
from .services import PROFILE_FIELDS


class ProfileForm(forms.ModelForm):
    """Our public profile and verification settings (M3). Saved by `services.profile_update`."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPG, GIF, WebP or SVG, under 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    class Meta:
        model = CompanyProfile
        fields = PROFILE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "main_products": forms.Textarea(attrs={"rows": 2}),
            "contact_visibility": forms.RadioSelect,
            "message_audience": forms.RadioSelect,
        }
        help_texts = {
            "is_public": _("Other members find you in the directory and may open your profile."),
            "main_products": _("Keywords buyers search for, e.g. “CNC lathes, bearings”."),
            "industries": _("Separate several with commas."),
            "friend_approval": _("Otherwise every request is accepted at once."),
        }

    # The sections of the edit page, in order (the template shows them as cards).
    SECTIONS = (
        (_("Company"), ("tagline", "description", "main_products", "industries", "year_founded")),
        (_("Region"), ("country", "province", "city", "address", "website")),
        (_("Contact details"), ("contact_name", "phone", "email")),
        (
            _("Visibility"),
            ("is_public", "contact_visibility", "friend_approval", "message_audience"),
        ),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def profile_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PROFILE_FIELDS}


class FriendRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Hello, we would like to connect.")}),
    )


QUOTABLE_LIMIT = 200  # products offered in the "quote a product" list


def _product_choices(products) -> list:
    """(value, label) choices, grouped by company, for the public products a message may quote."""
    choices: list = [("", _("No product"))]
    groups: dict[int, tuple[str, list]] = {}
    for product in products[:QUOTABLE_LIMIT]:
        group = groups.setdefault(product.company_id, (product.company.name, []))
        group[1].append((product.pk, str(product)))
    choices.extend(groups.values())
    return choices


class ProductQuoteMixin:
    """A `product_id` field listing the public products of both companies (optional)."""

    def _add_product_field(self, products) -> None:
        # An integer picked from a list: the service decides whether it may be quoted, and
        # says why not (the list is only a convenience).
        self.fields["product_id"] = forms.IntegerField(
            label=_("Quote a product"),
            required=False,
            min_value=1,
            widget=forms.Select(
                choices=_product_choices(products) if products is not None else [("", "")]
            ),
            help_text=_("A public product of your company or of theirs, shown as a card."),
        )


class MessageForm(ProductQuoteMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write a message…")}),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_product_field(products)


class ConversationForm(ProductQuoteMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_product_field(products)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


MEMBER_TYPES = Company.MemberType.choices
