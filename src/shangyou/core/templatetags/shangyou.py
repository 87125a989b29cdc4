"""Template helpers shared by every app: `{% load shangyou %}`.

- `{% icon "users" %}` — an inline Tabler icon (see `_icons.py`), no font or request needed.
- `value|audit_value` — an audit-log value as text: `{"id": 3, "repr": "Name"}` → `Name`.
- `{% audit_field entry field %}` — the field's verbose name for an audit entry's model.
- `{% audit_change entry field value %}` — a value shown with its choice label if it has one.
- `entry|audit_changes` — an audit entry's changes as rows (label, old, new), internal fields
  left out.
- `content_type|content_type_label` — the translated name of a content type's model.
- `field|form_widget`, `radio|choice_input` — form widgets with the theme's CSS classes.
- `{% menubar %}` — the main menu, rendered once per language, page and permissions.
- `{% pk_url "contacts:customer_detail" c.pk %}` — `{% url %}` for a row of a long list.
- `value|day` — `value|date:"SHORT_DATE_FORMAT"` for a row of a long list.
- `{% options pairs %}` — `<option>`s of (value, label) pairs, e.g. a company's 50 members.
"""

import functools
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, get_format, localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ._icons import ICONS

register = template.Library()

EMPTY = "—"


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    """An inline SVG Tabler icon; unknown names render nothing rather than fail."""
    paths = ICONS.get(name)
    if paths is None:
        return ""
    classes = f"icon {css_class}".strip()
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        classes,
        mark_safe(paths),  # constant markup from _icons.py, never user input
    )


@dataclass(frozen=True)
class MenuActor:
    """All of the actor the main menu may look at: what it shows depends on nothing else."""

    can_write: bool
    is_admin: bool


#: Rendered main menus by (language, namespace, url name, can_write, is_admin).
_MENUBARS: dict[tuple, str] = {}
MENUBARS_KEPT = 4096


@register.simple_tag(takes_context=True)
def menubar(context) -> str:
    """The main menu (components/_menubar.html): ~40 links with icons, the same for every
    request of one page, language and kind of user — rendered once per process for each of
    those (it took ~3 ms of every page) and then reused. The template sees only `ns`,
    `url_name` and a `MenuActor`, so nothing else can creep into a shared copy. With DEBUG the
    templates may change under a running server: rendered every time."""
    actor = context.get("actor")
    match = getattr(context.get("request"), "resolver_match", None)
    menu_actor = MenuActor(
        can_write=bool(getattr(actor, "can_write", False)),
        is_admin=bool(getattr(actor, "is_admin", False)),
    )
    ns, url_name = (match.namespace, match.url_name) if match else ("", "")
    key = (get_language(), ns, url_name, menu_actor)
    html = None if settings.DEBUG else _MENUBARS.get(key)
    if html is None:
        html = render_to_string(
            "components/_menubar.html", {"actor": menu_actor, "ns": ns, "url_name": url_name}
        )
        if len(_MENUBARS) >= MENUBARS_KEPT:
            _MENUBARS.clear()
        _MENUBARS[key] = html
    return mark_safe(html)  # noqa: S308 - our own template's output


# --- a row of a long list -----------------------------------------------------------------
# `{% url %}` and the `date` filter cost 30-60 µs each (URL resolver, date formatter): a list
# of 25-50 rows spent more on them than on its query. These give the same text, built once.
_PK = 9_876_543_210_123  # stands for the pk in a reversed URL: a number no URL holds


@functools.lru_cache(maxsize=512)
def _url_around_pk(name: str, prefix: str, urlconf) -> tuple[str, str]:
    return tuple(reverse(name, urlconf=urlconf, args=[_PK]).split(str(_PK), 1))


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """`{% url name pk %}` for a URL with one `<int:…>` part: reversed once per URL name (and
    script prefix), then the pk put in."""
    head, tail = _url_around_pk(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


@functools.lru_cache(maxsize=4096)
def _day_text(day, pattern: str, language: str | None) -> str:
    return dateformat.format(day, pattern)


@register.filter(expects_localtime=True)
def day(value, arg: str = "SHORT_DATE_FORMAT") -> str:
    """`value|date:arg` for a format of the day only (no time): each day formatted once per
    format and language. Empty for no value, like `date`."""
    if value in (None, ""):
        return ""
    if hasattr(value, "date"):
        value = value.date()
    return _day_text(value, get_format(arg), get_language())


@register.simple_tag
def options(pairs) -> str:
    """`{% for value, label in pairs %}<option value="{{ value }}">{{ label }}</option>…`."""
    return format_html_join("", '<option value="{}">{}</option>', pairs)


def _text(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        if "repr" in value:
            return str(value["repr"]) or EMPTY
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or EMPTY
    return str(localize(value))


@register.filter
def audit_value(value) -> str:
    """Human-readable form of a value stored in the audit log (see `core.services.audit_value`).

    Related records are stored as `{"id": …, "repr": …}` and shown by their name; lists are
    joined; booleans become Yes/No; empty values an em dash.
    """
    return _text(value)


def _model_field(entry, field_name: str):
    content_type = getattr(entry, "content_type", None)
    model = content_type.model_class() if content_type is not None else None
    if model is None:
        return None
    try:
        return model._meta.get_field(field_name)
    except FieldDoesNotExist:
        if field_name.endswith("_id"):
            try:
                return model._meta.get_field(field_name[:-3])
            except FieldDoesNotExist:
                return None
        return None


def _field_label(entry, field_name: str) -> str:
    field = _model_field(entry, field_name)
    label = getattr(field, "verbose_name", None)
    return capfirst(str(label)) if label else field_name


def _change_text(field, value) -> str:
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices and not isinstance(value, dict | list):
        for key, label in choices:
            if key == value:
                return str(label)
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and isinstance(field, models.DateField):
        day = parse_date(value)
        if day is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    return _text(value)


@register.simple_tag
def audit_field(entry, field_name: str) -> str:
    """The verbose name of a changed field ("stage" → "Stage" / "阶段")."""
    return _field_label(entry, field_name)


@register.simple_tag
def audit_change(entry, field_name: str, value) -> str:
    """A changed value, showing a choice's label ("lead" → "Lead" / "线索") when it has one."""
    return _change_text(_model_field(entry, field_name), value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@register.filter
def audit_changes(entry) -> list[Change]:
    """An audit entry's `{field: [old, new]}` as labelled, readable rows.

    Internal fields (`editable=False`, e.g. dedup keys) are left out; fields the model no longer
    has are shown by their stored name.
    """
    rows = []
    for name, values in (getattr(entry, "changes", None) or {}).items():
        field = _model_field(entry, name)
        if field is not None and not getattr(field, "editable", True):
            continue
        pair = list(values) if isinstance(values, list | tuple) else [None, values]
        old, new = (pair + [None, None])[:2]
        rows.append(
            Change(
                field=name,
                label=_field_label(entry, name),
                old=_change_text(field, old),
                new=_change_text(field, new),
            )
        )
    return rows


_WIDGET_CLASSES = {
    "select": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "range": "form-range",
    "color": "form-control form-control-color",
}


@register.filter
def form_widget(bound_field) -> str:
    """Render a form field's widget with the theme's classes (and `is-invalid` on errors).

    Forms stay free of presentation: `{{ field|form_widget }}` adds `form-control`,
    `form-select` or `form-check-input` by the widget's type, keeping any class it already has.
    """
    widget = bound_field.field.widget
    kind = getattr(widget, "input_type", None) or type(widget).__name__.lower()
    css = _WIDGET_CLASSES.get(kind, "form-control")
    existing = widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css) if c)
    if bound_field.errors:
        classes += " is-invalid"
    return bound_field.as_widget(attrs={"class": classes})


@register.filter
def choice_input(bound_widget, css_class: str = "form-selectgroup-input") -> str:
    """One radio or checkbox of a choice field, with a class: `{{ radio|choice_input }}`."""
    attrs = dict(bound_widget.data.get("attrs") or {})
    attrs["class"] = " ".join(c for c in (attrs.get("class", ""), css_class) if c)
    bound_widget.data["attrs"] = attrs
    return bound_widget.tag()


@register.filter
def content_type_label(content_type) -> str:
    """The translated verbose name of a ContentType's model ("customer" → "Customer" / "客户")."""
    model = content_type.model_class() if content_type is not None else None
    if model is None:
        return getattr(content_type, "model", "") or ""
    return capfirst(str(model._meta.verbose_name))
