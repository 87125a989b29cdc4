from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.core.actor import Actor
from shangyou.core.errors import ValidationFailed
from shangyou.core.services import model_create, model_update, soft_delete

from .models import Customer

EDITABLE_FIELDS = ("name", "kind", "stage", "phone", "email", "notes", "owner_id")


def _owner_and_team(*, actor: Actor, owner_id: int | None) -> dict[str, Any]:
    """The owner must be an active member of the company; the record's team follows theirs."""
    if owner_id is None:
        return {"owner": None, "team": None}
    membership = (
        Membership.objects.filter(company_id=actor.company_id, user_id=owner_id, is_active=True)
        .select_related("user", "team")
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("The owner must be an active member of this company."),
            errors={"owner_id": [_("Choose a colleague.")]},
        )
    return {"owner": membership.user, "team": membership.team}


@transaction.atomic
def customer_create(*, actor: Actor, data: dict[str, Any]) -> Customer:
    fields = {k: v for k, v in data.items() if k in EDITABLE_FIELDS and k != "owner_id"}
    owner_id = data.get("owner_id") or actor.user_id
    customer = Customer(**fields, **_owner_and_team(actor=actor, owner_id=owner_id))
    return model_create(actor=actor, instance=customer)


@transaction.atomic
def customer_update(
    *, actor: Actor, customer: Customer, data: dict[str, Any], version: int | None
) -> Customer:
    changes = {k: v for k, v in data.items() if k in EDITABLE_FIELDS and k != "owner_id"}
    if "owner_id" in data and data["owner_id"] != customer.owner_id:
        changes.update(_owner_and_team(actor=actor, owner_id=data["owner_id"]))
    customer, _changes = model_update(
        actor=actor, instance=customer, data=changes, expected_version=version
    )
    return customer


def customer_delete(*, actor: Actor, customer: Customer) -> None:
    soft_delete(actor=actor, instance=customer)
