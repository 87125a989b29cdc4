"""Template helpers of the customer pages: `{% load contacts_ui %}`."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()
_MENTION = re.compile(r"(@[\w.\-+]+(?:@[\w.\-]+)?)", re.UNICODE)


@register.filter
def mentions(text: str) -> str:
    """Comment text, escaped, with line breaks and every @mention highlighted."""
    escaped = escape(text or "")
    marked = _MENTION.sub(r'<mark class="sy-mention">\1</mark>', escaped)
    return mark_safe(marked.replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.filter
def kind_icon(kind: str) -> str:
    """The icon name of a timeline entry's kind."""
    return {
        "note": "note",
        "call": "phone",
        "visit": "map-pin",
        "email_out": "mail-forward",
        "email_in": "mail-opened",
        "message": "message",
        "task": "checkbox",
        "document": "paperclip",
        "opportunity": "target-arrow",
        "quotation": "file-text",
        "order": "shopping-cart",
        "shipment": "truck-delivery",
        "invoice": "file-invoice",
        "payment": "cash",
        "case": "lifebuoy",
        "campaign": "send",
        "system": "info-circle",
    }.get(kind, "point")


@register.filter
def segment_query(segment) -> str:
    """The list's query string for a segment: its filters, and the segment to name it."""
    from django.utils.http import urlencode

    return urlencode({**segment.filters, "segment": segment.pk})
