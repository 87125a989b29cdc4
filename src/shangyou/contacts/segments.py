"""Saved segments (C3): named customer filters that lists, exports and campaigns reuse."""

from typing import Any

from django.utils.translation import gettext as _

from shangyou.core.actor import Actor
from shangyou.core.errors import PermissionDenied, ValidationFailed
from shangyou.core.services import model_create, model_update, soft_delete

from .models import CustomField, Segment
from .selectors import FILTER_KEYS


def clean_filters(filters: dict[str, Any]) -> dict[str, Any]:
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise ValidationFailed(
            _("Unknown filters: %(keys)s") % {"keys": ", ".join(sorted(unknown))},
            errors={"filters": [_("Allowed: %(keys)s") % {"keys": ", ".join(FILTER_KEYS)}]},
        )
    return {k: v for k, v in filters.items() if v not in (None, "", [])}


def segment_create(
    *,
    actor: Actor,
    name: str,
    filters: dict[str, Any],
    description: str = "",
    is_shared: bool = True,
) -> Segment:
    if not name.strip():
        raise ValidationFailed(_("Give the segment a name."), errors={"name": [_("Required.")]})
    return model_create(
        actor=actor,
        instance=Segment(
            name=name.strip(),
            description=description,
            filters=clean_filters(filters),
            owner=actor.user,
            is_shared=is_shared,
        ),
    )


def segment_update(
    *, actor: Actor, segment: Segment, data: dict[str, Any], version: int | None
) -> Segment:
    if segment.owner_id != actor.user_id and not actor.is_admin:
        raise PermissionDenied(_("Only its author or an administrator can change this segment."))
    fields = {k: v for k, v in data.items() if k in {"name", "description", "is_shared", "filters"}}
    if "filters" in fields:
        fields["filters"] = clean_filters(fields["filters"])
    segment, _changes = model_update(
        actor=actor, instance=segment, data=fields, expected_version=version
    )
    return segment


def segment_delete(*, actor: Actor, segment: Segment) -> None:
    if segment.owner_id != actor.user_id and not actor.is_admin:
        raise PermissionDenied(_("Only its author or an administrator can delete this segment."))
    soft_delete(actor=actor, instance=segment)


FIELD_DEF_FIELDS = ("key", "label", "type", "choices", "required", "position")


def custom_field_create(*, actor: Actor, data: dict[str, Any]) -> CustomField:
    from shangyou.core.services import require_admin

    require_admin(actor)
    return model_create(
        actor=actor,
        instance=CustomField(**{k: v for k, v in data.items() if k in FIELD_DEF_FIELDS}),
    )


def custom_field_delete(*, actor: Actor, field: CustomField) -> None:
    """Stop offering a custom field; values already stored on customers are kept."""
    from shangyou.core.services import require_admin

    require_admin(actor)
    soft_delete(actor=actor, instance=field)
