"""The Python-written widgets give exactly what Django's widget templates give."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shangyou.core.forms_renderer import Renderer
from shangyou.core.templatetags.shangyou import form_widget


class Everything(forms.Form):
    stage = forms.ChoiceField(
        choices=[("", _("All stages")), ("lead", _("Lead")), ("customer", _("Customer"))],
        required=False,
    )
    owner = forms.ChoiceField(
        choices=[("", "Anyone"), ("7", 'O\'Brien & "Sons" <b>'), ("8", mark_safe("<i>safe</i>"))]
    )
    grouped = forms.ChoiceField(
        choices=[("", "—"), (_("Valves"), [("1", "闸阀"), ("2", "球阀")]), ("3", "其他")]
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 1500)], coerce=int)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    maybe = forms.NullBooleanField()
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": '"x" & y'}))
    empty = forms.CharField(required=False)
    days = forms.IntegerField(min_value=1, max_value=3650, required=False)
    price = forms.DecimalField(decimal_places=2, required=False)
    email = forms.EmailField(required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    at = forms.DateTimeField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False)
    search = forms.CharField(
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "spellcheck": False})
    )
    upload = forms.FileField(widget=forms.FileInput, required=False)
    disabled = forms.ChoiceField(choices=[("x", "X")], disabled=True)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    remark = forms.CharField(widget=forms.Textarea, initial=mark_safe("<b>kept</b>"))


BOUND = {
    "stage": "customer",
    "owner": "7",
    "grouped": "2",
    "numbers": "2",
    "many": ["a", "c"],
    "maybe": "true",
    "name": 'Zhang <"Wei"> & co',
    "days": "30",
    "price": "1234.5",
    "when": "2026-12-01",
    "at": "2026-12-01 10:30",
    "secret": "p&ss",
    "hidden": 'a"b',
    "agree": "on",
    "search": "张伟",
    "notes": '第一行 <script>\n"second" & line',
}


def _render_all(form) -> list[str]:
    return [str(form_widget(field)) for field in form] + [str(field) for field in form]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "form_kwargs",
    [
        {},
        {"data": BOUND},
        {"data": {"stage": "nope", "days": "0"}},
        {
            "initial": {
                "stage": "lead",
                "at": datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC),
                "price": 9,
            }
        },
    ],
    ids=["unbound", "bound", "invalid", "initial"],
)
def test_python_widgets_match_django_templates(language, form_kwargs):
    with translation.override(language):
        fast = _render_all(Everything(renderer=Renderer(), **form_kwargs))
        django = _render_all(Everything(renderer=DjangoTemplates(), **form_kwargs))
    assert fast == django
    assert any("<select" in html for html in fast) and any("<input" in html for html in fast)
    assert any("<textarea" in html for html in fast)


def test_the_project_renders_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(Everything().renderer, Renderer)
    finally:
        get_default_renderer.cache_clear()


def test_a_widget_with_its_own_template_still_uses_it():
    class Stars(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    class F(forms.Form):
        grade = forms.ChoiceField(choices=[("a", "A")], widget=Stars)
        notes = forms.CharField(widget=forms.Textarea)

    fast = [str(f) for f in F(renderer=Renderer())]
    django = [str(f) for f in F(renderer=DjangoTemplates())]
    assert fast == django
    assert "<textarea" in fast[1]
    # The options came from their own template (inputs in labels), not as <option> elements.
    assert "<option" not in fast[0] and "<input" in fast[0]
