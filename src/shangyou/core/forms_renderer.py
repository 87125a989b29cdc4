"""The form renderer (`FORM_RENDERER`): Django's, with the commonest widgets written in Python.

Django renders every widget through templates, a select box through one template per option:
the owner filter of the customer list (50 colleagues) took longer than the list's own query.
`Renderer` builds the HTML of `<select>`, `<input>` and `<textarea>` widgets directly — the
same bytes as Django's templates (`tests/core/test_forms_renderer.py` compares them) — and
hands everything else, including any widget with a template of its own, to Django's template
renderer.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
#: The widgets whose template is nothing but `{% include "django/forms/widgets/input.html" %}`.
INPUT_KINDS = (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
    "search", "tel", "text", "time", "url",
)  # fmt: skip
INPUTS = frozenset(f"{WIDGETS}{kind}.html" for kind in INPUT_KINDS)
TEXTAREA = WIDGETS + "textarea.html"


def _text(value) -> str:
    """`{{ value }}` in a template: localized, then escaped unless marked safe."""
    return conditional_escape(localize(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `True` is a bare attribute, `False` leaves it out."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def render_textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def render_select(widget: dict) -> str | None:
    """The select box, or None when an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = None
        if template_name == SELECT:
            html = render_select(context["widget"])
        elif template_name in INPUTS:
            html = render_input(context["widget"])
        elif template_name == TEXTAREA:
            html = render_textarea(context["widget"])
        if html is None:
            return super().render(template_name, context, request=request)
        return html
