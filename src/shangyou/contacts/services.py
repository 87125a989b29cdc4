"""Writes for customers and contacts: create/update with duplicate checks, ownership (claim,
assign), lead conversion, grades set by hand, blacklist, tags, custom fields, delete.

Timeline, schedule, documents, grading, merge, import and export live in their own modules.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.services import (
    audit_log,
    model_create,
    model_update,
    require_write,
    soft_delete,
)

from .dedup import duplicate_candidates
from .models import Contact, Customer, CustomField, Grade, Tag, TimelineEntry

CUSTOMER_FIELDS = (
    "code", "name", "kind", "stage", "is_customer", "is_supplier", "source", "phone", "email",
    "website", "country", "province", "city", "address", "industry", "credit_rating",
    "consent_email", "consent_sms", "consent_im", "birthday", "founded_on", "notes",
)  # fmt: skip
CONTACT_FIELDS = (
    "name", "title", "department", "phone", "mobile", "email", "wechat", "qq", "birthday",
    "is_primary", "notes",
)  # fmt: skip


class DuplicateFound(Conflict):
    code = "duplicate"

    def __init__(self, candidates) -> None:
        names = ", ".join(
            f"{c.customer.name} ({c.customer.owner.display_name if c.customer.owner else '—'})"
            for c in candidates[:3]
        )
        super().__init__(
            _("This looks like an existing customer: %(names)s. Open it, or save anyway.")
            % {"names": names},
            extra={
                "duplicates": [
                    {
                        "id": c.customer.pk,
                        "name": c.customer.name,
                        "owner": c.customer.owner.display_name if c.customer.owner else None,
                        "reasons": c.reasons,
                    }
                    for c in candidates
                ]
            },
        )
        self.candidates = candidates


def _member(*, actor: Actor, user_id: int) -> Membership:
    membership = (
        Membership.objects.filter(company_id=actor.company_id, user_id=user_id, is_active=True)
        .select_related("user", "team")
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("The owner must be an active member of this company."),
            errors={"owner_id": [_("Choose a colleague.")]},
        )
    return membership


def _owner_and_team(*, actor: Actor, owner_id: int | None) -> dict[str, Any]:
    """The owner must be an active member of the company; the record's team follows theirs."""
    if owner_id is None:
        return {"owner": None, "team": None}
    membership = _member(actor=actor, user_id=owner_id)
    return {"owner": membership.user, "team": membership.team}


def _grade(*, actor: Actor, grade_id: int | None) -> Grade | None:
    if grade_id is None:
        return None
    grade = Grade.objects.filter(company_id=actor.company_id, pk=grade_id).first()
    if grade is None:
        raise ValidationFailed(
            _("Choose a grade of this company."), errors={"grade_id": [_("Unknown grade.")]}
        )
    return grade


def clean_custom_fields(*, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Validate values against the company's custom field definitions (typed)."""
    definitions = {f.key: f for f in CustomField.objects.filter(company_id=actor.company_id)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in (values or {}).items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = [
                _("There is no custom field “%(key)s”.") % {"key": key}
            ]
            continue
        if value in (None, ""):
            cleaned[key] = None
            continue
        try:
            cleaned[key] = _coerce(definition, value)
        except (ValueError, InvalidOperation):
            errors[f"custom_fields.{key}"] = [
                _("“%(value)s” is not a valid %(type)s.")
                % {"value": value, "type": definition.get_type_display()}
            ]
    for key, definition in definitions.items():
        if definition.required and cleaned.get(key) in (None, "") and key in values:
            errors[f"custom_fields.{key}"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    return cleaned


def _coerce(definition: CustomField, value: Any) -> Any:
    kind = definition.type
    if kind == CustomField.Type.NUMBER:
        return str(Decimal(str(value)))
    if kind == CustomField.Type.DATE:
        if isinstance(value, date | datetime):
            return value.isoformat()[:10]
        return date.fromisoformat(str(value)).isoformat()
    if kind == CustomField.Type.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "是"}:
            return True
        if text in {"0", "false", "no", "n", "否"}:
            return False
        raise ValueError(value)
    if kind == CustomField.Type.CHOICE:
        if str(value) not in [str(c) for c in definition.choices]:
            raise ValueError(value)
        return str(value)
    return str(value)


def _prepare(*, actor: Actor, data: dict[str, Any], customer: Customer | None) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in CUSTOMER_FIELDS}
    for key in ("code", "name", "phone", "email", "province", "city"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    if "email" in fields:
        fields["email"] = fields["email"].lower()
    if "owner_id" in data and (customer is None or data["owner_id"] != customer.owner_id):
        fields.update(_owner_and_team(actor=actor, owner_id=data["owner_id"]))
    if "grade_id" in data and (customer is None or data["grade_id"] != customer.grade_id):
        fields["grade"] = _grade(actor=actor, grade_id=data["grade_id"])
        fields["grade_locked"] = data["grade_id"] is not None  # set by hand: kept by regrading
    if "credit_rating" in fields and (
        customer is None or fields["credit_rating"] != customer.credit_rating
    ):
        fields["credit_locked"] = bool(fields["credit_rating"])
    if "custom_fields" in data:
        current = dict(customer.custom_fields) if customer else {}
        current.update(clean_custom_fields(actor=actor, values=data["custom_fields"] or {}))
        fields["custom_fields"] = {k: v for k, v in current.items() if v is not None}
    if fields.get("stage") == Customer.Stage.CUSTOMER and (
        customer is None or not customer.converted_at
    ):
        fields["converted_at"] = timezone.now()
    return fields


@transaction.atomic
def customer_create(
    *, actor: Actor, data: dict[str, Any], allow_duplicate: bool = False
) -> Customer:
    """Create a customer owned by `owner_id` (default: the actor). Refused with the candidates
    when it looks like an existing customer, unless `allow_duplicate`."""
    require_write(actor)
    data = {"owner_id": actor.user_id, **data}
    fields = _prepare(actor=actor, data=data, customer=None)
    if not allow_duplicate:
        candidates = duplicate_candidates(
            actor=actor,
            name=fields.get("name", ""),
            phone=fields.get("phone", ""),
            email=fields.get("email", ""),
        )
        kind = fields.get("kind", Customer.Kind.COMPANY)
        if any(c.blocks(kind) for c in candidates):
            raise DuplicateFound(candidates)
    customer = model_create(actor=actor, instance=Customer(**fields))
    if data.get("tag_ids") is not None:
        customer_set_tags(actor=actor, customer=customer, tag_ids=data["tag_ids"], audit=False)
    return customer


@transaction.atomic
def customer_update(
    *, actor: Actor, customer: Customer, data: dict[str, Any], version: int | None
) -> Customer:
    if actor.sees_own_records_only and "owner_id" in data and data["owner_id"] != customer.owner_id:
        raise PermissionDenied(_("Only a manager or an administrator can reassign a customer."))
    fields = _prepare(actor=actor, data=data, customer=customer)
    customer, _changes = model_update(
        actor=actor, instance=customer, data=fields, expected_version=version
    )
    if data.get("tag_ids") is not None:
        customer_set_tags(actor=actor, customer=customer, tag_ids=data["tag_ids"])
    return customer


def customer_delete(*, actor: Actor, customer: Customer) -> None:
    soft_delete(actor=actor, instance=customer)


# --- ownership (S1: no 撞单, no 忘单) ---------------------------------------------------------
@transaction.atomic
def customer_claim(*, actor: Actor, customer_id: int) -> Customer:
    """Take an unowned customer (from the pool). A colleague's customer is refused, naming them."""
    require_write(actor)
    customer = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the owner outer join.
        Customer.objects.select_for_update(of=("self",))
        .filter(company_id=actor.company_id, pk=customer_id)
        .select_related("owner")
        .first()
    )
    if customer is None:
        raise NotFound()
    if customer.owner_id == actor.user_id:
        return customer
    if customer.owner_id is not None:
        raise Conflict(
            _("%(name)s already belongs to %(owner)s. Ask them or a manager to hand it over.")
            % {"name": customer.name, "owner": customer.owner.display_name}
        )
    customer, _changes = model_update(
        actor=actor,
        instance=customer,
        data=_owner_and_team(actor=actor, owner_id=actor.user_id),
        expected_version=customer.version,
    )
    return customer


@transaction.atomic
def customer_assign(*, actor: Actor, customer_ids: list[int], owner_id: int | None) -> int:
    """Bulk reassign (managers and admins)."""
    require_write(actor)
    if actor.sees_own_records_only:
        raise PermissionDenied(_("Only a manager or an administrator can reassign customers."))
    from .selectors import customer_list

    owner_fields = _owner_and_team(actor=actor, owner_id=owner_id)
    count = 0
    for customer in customer_list(actor=actor).filter(pk__in=customer_ids):
        model_update(
            actor=actor, instance=customer, data=owner_fields, expected_version=customer.version
        )
        count += 1
    return count


# Called after a lead converts, in the same transaction: sales opens the first opportunity when
# `opportunity` data is given (contacts never imports sales).
CONVERSION_HOOKS: list[Callable[..., None]] = []


@transaction.atomic
def customer_convert(
    *,
    actor: Actor,
    customer: Customer,
    owner_id: int | None = None,
    version: int | None = None,
    opportunity: dict[str, Any] | None = None,
) -> Customer:
    """Lead → customer (C2): keeps the history, sets the owner, records the conversion and, with
    `opportunity` ({"name", "amount", "expected_close" …}), opens the first opportunity."""
    if customer.stage == Customer.Stage.CUSTOMER:
        raise Conflict(_("%(name)s is already a customer.") % {"name": customer.name})
    data: dict[str, Any] = {"stage": Customer.Stage.CUSTOMER}
    if owner_id is not None:
        data["owner_id"] = owner_id
    customer = customer_update(
        actor=actor,
        customer=customer,
        data=data,
        version=version if version is not None else customer.version,
    )
    TimelineEntry.objects.create(
        company=actor.company,
        customer=customer,
        kind=TimelineEntry.Kind.SYSTEM,
        occurred_at=timezone.now(),
        author=actor.user,
        subject=_("Converted from lead to customer"),
    )
    for hook in CONVERSION_HOOKS:
        hook(actor=actor, customer=customer, opportunity=opportunity)
    return customer


@transaction.atomic
def customer_blacklist(
    *, actor: Actor, customer: Customer, blacklisted: bool, reason: str = ""
) -> Customer:
    """Blacklist (or clear) a non-credible customer (C9): no quotes, no sales, no campaigns."""
    if actor.sees_own_records_only:
        raise PermissionDenied(_("Only a manager or an administrator can blacklist a customer."))
    if blacklisted and not reason.strip():
        raise ValidationFailed(
            _("Give the reason for blacklisting."), errors={"reason": [_("Required.")]}
        )
    customer, _changes = model_update(
        actor=actor,
        instance=customer,
        data={
            "is_blacklisted": blacklisted,
            "blacklist_reason": reason.strip() if blacklisted else "",
        },
        expected_version=customer.version,
    )
    return customer


def ensure_can_sell(customer: Customer) -> None:
    """Raise a clear error when a customer may not be quoted or sold to (later: sales)."""
    if customer.is_blacklisted:
        raise PermissionDenied(
            _("%(name)s is blacklisted (%(reason)s): no quotation or order can be made.")
            % {"name": customer.name, "reason": customer.blacklist_reason}
        )


# --- tags ----------------------------------------------------------------------
def tag_get_or_create(*, actor: Actor, name: str) -> Tag:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A tag needs a name."))
    tag = Tag.objects.filter(company_id=actor.company_id, name=name).first()
    return tag or model_create(actor=actor, instance=Tag(name=name))


def customer_set_tags(
    *, actor: Actor, customer: Customer, tag_ids: list[int], audit: bool = True
) -> None:
    require_write(actor)
    tags = list(Tag.objects.filter(company_id=actor.company_id, pk__in=tag_ids))
    if len(tags) != len(set(tag_ids)):
        raise ValidationFailed(
            _("Choose tags of this company."), errors={"tag_ids": [_("Unknown tag.")]}
        )
    before = sorted(customer.tags.values_list("name", flat=True))
    customer.tags.set(tags)
    after = sorted(t.name for t in tags)
    if audit and before != after:
        audit_log(
            actor=actor,
            instance=customer,
            action=AuditEntry.Action.UPDATE,
            changes={"tags": [before, after]},
        )


def customers_add_tag(*, actor: Actor, customer_ids: list[int], tag_id: int) -> int:
    from .selectors import customer_list

    require_write(actor)
    tag = Tag.objects.filter(company_id=actor.company_id, pk=tag_id).first()
    if tag is None:
        raise NotFound()
    customers = list(customer_list(actor=actor).filter(pk__in=customer_ids))
    tag.customers.add(*customers)
    for customer in customers:
        audit_log(
            actor=actor,
            instance=customer,
            action=AuditEntry.Action.UPDATE,
            changes={"tags": [None, tag.name]},
        )
    return len(customers)


def tag_delete(*, actor: Actor, tag: Tag) -> None:
    """Remove a tag (to the trash); customers keep everything else."""
    from shangyou.core.services import require_admin

    require_admin(actor)
    soft_delete(actor=actor, instance=tag)


@transaction.atomic
def customers_set_grade(*, actor: Actor, customer_ids: list[int], grade_id: int | None) -> int:
    """Bulk grade by hand (kept when grades are recomputed); `None` clears the grade."""
    from .selectors import customer_list

    require_write(actor)
    grade = _grade(actor=actor, grade_id=grade_id)
    count = 0
    for customer in customer_list(actor=actor).filter(pk__in=customer_ids):
        model_update(
            actor=actor,
            instance=customer,
            data={"grade": grade, "grade_locked": grade is not None},
            expected_version=customer.version,
        )
        count += 1
    return count


# --- contacts ----------------------------------------------------------------------
@transaction.atomic
def contact_create(*, actor: Actor, customer: Customer, data: dict[str, Any]) -> Contact:
    fields = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    if fields.get("email"):
        fields["email"] = fields["email"].strip().lower()
    contact = model_create(actor=actor, instance=Contact(customer=customer, **fields))
    if contact.is_primary:
        Contact.objects.filter(customer=customer).exclude(pk=contact.pk).update(is_primary=False)
    return contact


@transaction.atomic
def contact_update(
    *, actor: Actor, contact: Contact, data: dict[str, Any], version: int | None
) -> Contact:
    fields = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    contact, _changes = model_update(
        actor=actor, instance=contact, data=fields, expected_version=version
    )
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id).exclude(pk=contact.pk).update(
            is_primary=False
        )
    return contact


def contact_delete(*, actor: Actor, contact: Contact) -> None:
    soft_delete(actor=actor, instance=contact)
