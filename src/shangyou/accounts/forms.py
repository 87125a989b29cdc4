from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from shangyou.core.actor import Role

from .models import Company


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        from . import services

        email = self.cleaned_data.get("email", "")
        password = self.cleaned_data.get("password", "")
        if not email or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        services.login_throttle_check(email=email, ip=ip)
        self.user = authenticate(self.request, username=email, password=password)
        if self.user is None:
            services.login_failed(email=email, ip=ip)
            raise forms.ValidationError(_("The email or password is not correct."))
        services.login_succeeded(email=email, ip=ip)
        return self.cleaned_data


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request else ""


class RegistrationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    member_type = forms.ChoiceField(
        label=_("Member type"),
        choices=Company.MemberType.choices,
        widget=forms.RadioSelect,
        initial=Company.MemberType.BOTH,
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms of service"), required=True)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
