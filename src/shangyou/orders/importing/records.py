"""What an import creates besides its orders: the customers and products missing from the
company (each with its audit entry), and the company's order counter moved past imported
numbers in its own pattern."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from shangyou.catalog.models import Product
from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor
from shangyou.core.models import AuditEntry, Sequence

from .matching import Matches

ORDER_NUMBER_RE = re.compile(r"^SO-(\d{4})-(\d+)$")


def create_customers(
    actor: Actor, keys, m: Matches, teams, now, contacted: dict[tuple[str, str], datetime]
) -> dict[tuple[str, str], int]:
    """The missing customers `keys`, last contacted at their newest imported order (`contacted`)
    — set here rather than updated after their orders are written."""
    if not keys:
        return {}
    created = []
    for key in keys:
        info = m.missing_customers[key]
        customer = Customer(
            company=actor.company,
            created_by=actor.user,
            updated_by=actor.user,
            owner_id=actor.user_id,
            team_id=teams.get(actor.user_id),
            code=info["code"],
            name=info["name"] or info["code"],
            stage=Customer.Stage.CUSTOMER,
            source=Customer.Source.IMPORT,
            converted_at=now,
            last_contacted_at=contacted.get(key),
        )
        customer.refresh_search()
        created.append(customer)
    Customer.objects.bulk_create(created, batch_size=500)
    audit_created(actor, created)
    return {key: c.pk for key, c in zip(keys, created, strict=True)}


def create_products(actor: Actor, keys, m: Matches) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    created = []
    for key in keys:
        info = m.missing_products[key]
        sku = (
            info["sku"]
            or (
                "IMP-" + hashlib.sha1(info["name"].encode(), usedforsecurity=False).hexdigest()[:10]
            ).upper()
        )
        product = Product(
            company=actor.company,
            created_by=actor.user,
            updated_by=actor.user,
            sku=sku,
            name=info["name"][:200],
            unit=info["unit"] or "pcs",
            price=Decimal(info["price"]),
            currency=info["currency"],
            tax_rate=Decimal(info["tax_rate"]),
        )
        product.refresh_search()
        created.append(product)
    Product.objects.bulk_create(created, batch_size=500)
    audit_created(actor, created)
    return {key: p.pk for key, p in zip(keys, created, strict=True)}


def audit_created(actor: Actor, instances: list) -> None:
    if not instances:
        return
    content_type = ContentType.objects.get_for_model(instances[0])
    note = _("Created by an order import")
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                company_id=actor.company_id,
                user_id=actor.user_id,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                action=AuditEntry.Action.CREATE,
                note=note,
            )
            for obj in instances
        ],
        batch_size=1000,
    )


def advance_numbering(*, actor: Actor, numbers: Iterable[str]) -> None:
    """Imported numbers in our own pattern (SO-2026-00042) move the company's counter past
    them, so the next order made here does not collide with an imported one."""
    highest: dict[str, int] = {}
    for number in numbers:
        match = ORDER_NUMBER_RE.match(number)
        if match:
            year, value = match.group(1), int(match.group(2))
            highest[year] = max(highest.get(year, 0), value)
    for year, value in highest.items():
        counter, _created = Sequence.objects.get_or_create(
            company_id=actor.company_id, key="SO", period=year, defaults={"last_value": value}
        )
        if counter.last_value < value:
            Sequence.objects.filter(pk=counter.pk, last_value__lt=value).update(last_value=value)
