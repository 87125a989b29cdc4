"""Duplicate detection and merge (C8).

Keys compared: the phone in national form (+86, spaces and dashes ignored), the email lower-cased,
and the name folded (full-/half-width), without company suffixes (有限公司, Co., Ltd. …) and
spelled in pinyin — so 上海恒通五金有限公司, 上海恒通五金 and ＳＨＡＮＧＨＡＩ… meet.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.search import fold, normalize_phone, strip_company_suffix, to_pinyin
from shangyou.core.services import audit_log, require_write, snapshot

from .models import Contact, Customer, CustomerMerge, Document, Task, TimelineEntry

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def dedup_name(name: str) -> str:
    return _spelled(strip_company_suffix(name or ""))


@lru_cache(maxsize=65536)
def _spelled(text: str) -> str:
    """Hanzi as pinyin, everything else kept (客户7 → kehu7); cached: names repeat. The
    syllables are pypinyin's `lazy_pinyin(text)`, from `to_pinyin`'s faster tables."""
    return _NON_WORD.sub("", "".join(to_pinyin(text)).lower())[:200]


def dedup_keys(*, name: str, phone: str, email: str) -> tuple[str, str, str]:
    return dedup_name(name), normalize_phone(phone or "")[:20], fold(email or "")[:254]


@dataclass
class Candidate:
    customer: Customer
    reasons: list[str]  # for people, translated
    matched: frozenset[str] = frozenset()  # "name", "phone", "email"

    def blocks(self, kind: str) -> bool:
        """Whether saving should stop for it: the same phone or email; or, between companies,
        the same name. Two people called 张伟 are not the same person by name alone."""
        if self.matched & {"phone", "email"}:
            return True
        return "name" in self.matched and kind == self.customer.kind == Customer.Kind.COMPANY


def duplicate_candidates(
    *,
    actor: Actor,
    name: str = "",
    phone: str = "",
    email: str = "",
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """Customers of the company (whoever owns them) that look like the given one."""
    key_name, key_phone, key_email = dedup_keys(name=name, phone=phone, email=email)
    rule = Q()
    if key_name:
        rule |= Q(dedup_name=key_name)
    if key_phone and len(key_phone) >= 6:
        rule |= Q(dedup_phone=key_phone)
    if key_email:
        rule |= Q(dedup_email=key_email)
    if not rule:
        return []
    found = Customer.objects.filter(rule, company_id=actor.company_id).select_related("owner")
    if exclude_id:
        found = found.exclude(pk=exclude_id)
    result = []
    for customer in found[:limit]:
        reasons, matched = [], set()
        if key_name and customer.dedup_name == key_name:
            reasons.append(_("same name"))
            matched.add("name")
        if key_phone and customer.dedup_phone == key_phone:
            reasons.append(_("same phone"))
            matched.add("phone")
        if key_email and customer.dedup_email == key_email:
            reasons.append(_("same email"))
            matched.add("email")
        result.append(Candidate(customer=customer, reasons=reasons, matched=frozenset(matched)))
    return result


# --- merge ----------------------------------------------------------------------
MERGEABLE_FIELDS = (
    "code", "name", "kind", "stage", "source", "phone", "email", "website", "country", "province",
    "city", "address", "industry", "owner", "team", "grade", "credit_rating", "birthday",
    "founded_on", "notes",
)  # fmt: skip
RELATED = {"contacts": Contact, "timeline": TimelineEntry, "tasks": Task, "documents": Document}


@transaction.atomic
def customer_merge(
    *,
    actor: Actor,
    survivor: Customer,
    merged: Customer,
    choices: dict[str, str] | None = None,
) -> CustomerMerge:
    """Merge `merged` into `survivor`. `choices` maps a field to "survivor" or "merged" (whose
    value to keep; default survivor, or merged where survivor's is empty). Contacts, timeline,
    tasks and documents move over; tags are united; `merged` goes to the trash. Undoable."""
    from shangyou.core.services import soft_delete

    require_write(actor)
    if survivor.pk == merged.pk:
        raise ValidationFailed(_("Choose two different customers to merge."))
    if survivor.company_id != actor.company_id or merged.company_id != actor.company_id:
        raise NotFound()
    choices = choices or {}
    unknown = set(choices) - set(MERGEABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be chosen: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = snapshot(survivor, MERGEABLE_FIELDS)
    before_raw = {f: _raw(survivor, f) for f in MERGEABLE_FIELDS}
    changes = {}
    for field in MERGEABLE_FIELDS:
        take_merged = choices.get(field) == "merged" or (
            field not in choices
            and _is_empty(_raw(survivor, field))
            and not _is_empty(_raw(merged, field))
        )
        if take_merged and _raw(merged, field) != _raw(survivor, field):
            setattr(survivor, _attname(field), _raw(merged, field))
            changes[field] = True
    survivor.custom_fields = {**merged.custom_fields, **survivor.custom_fields}
    survivor.refresh_search()
    survivor.version += 1
    survivor.updated_by = actor.user
    survivor.save()
    moved = {}
    for key, model in RELATED.items():
        ids = list(
            model.objects.filter(company_id=actor.company_id, customer=merged).values_list(
                "pk", flat=True
            )
        )
        model.objects.filter(pk__in=ids).update(customer=survivor)
        moved[key] = ids
    new_tags = set(merged.tags.values_list("pk", flat=True)) - set(
        survivor.tags.values_list("pk", flat=True)
    )
    survivor.tags.add(*new_tags)
    moved["tags"] = sorted(new_tags)
    record = CustomerMerge.objects.create(
        company=actor.company,
        created_by=actor.user,
        updated_by=actor.user,
        survivor=survivor,
        merged=merged,
        survivor_before=before_raw,
        moved=moved,
    )
    Customer.all_objects.filter(pk=merged.pk).update(merged_into=survivor)
    soft_delete(actor=actor, instance=merged, note=_("Merged into %(name)s") % {"name": survivor})
    after = snapshot(survivor, MERGEABLE_FIELDS)
    audit_log(
        actor=actor,
        instance=survivor,
        action=AuditEntry.Action.MERGE,
        changes={k: [before[k], after[k]] for k in changes},
        note=_("Merged %(name)s (#%(id)s) into this record")
        % {"name": merged.name, "id": merged.pk},
    )
    TimelineEntry.objects.create(
        company=actor.company,
        customer=survivor,
        kind=TimelineEntry.Kind.SYSTEM,
        occurred_at=timezone.now(),
        author=actor.user,
        subject=_("Merged with %(name)s") % {"name": merged.name},
        data={"merge_id": record.pk},
    )
    return record


@transaction.atomic
def customer_merge_undo(*, actor: Actor, merge_id: int) -> Customer:
    require_write(actor)
    record = (
        CustomerMerge.objects.select_for_update()
        .filter(pk=merge_id, company_id=actor.company_id)
        .first()
    )
    if record is None:
        raise NotFound()
    if record.undone_at:
        raise Conflict(_("This merge was already undone."))
    survivor = Customer.all_objects.get(pk=record.survivor_id)
    merged = Customer.all_objects.get(pk=record.merged_id)
    for field, value in record.survivor_before.items():
        setattr(survivor, _attname(field), value)
    survivor.refresh_search()
    survivor.version += 1
    survivor.updated_by = actor.user
    survivor.save()
    for key, model in RELATED.items():
        model.all_objects.filter(pk__in=record.moved.get(key, [])).update(customer=merged)
    survivor.tags.remove(*record.moved.get("tags", []))
    from shangyou.core.models import TrashItem
    from shangyou.core.services import trash_restore

    item = TrashItem.objects.filter(
        company_id=actor.company_id, object_id=merged.pk, content_type__model="customer"
    ).first()
    if item is not None:
        trash_restore(actor=actor, item_id=item.pk)
    Customer.all_objects.filter(pk=merged.pk).update(merged_into=None)
    TimelineEntry.objects.filter(
        company_id=actor.company_id, customer=survivor, data__merge_id=record.pk
    ).delete()
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at", "updated_at"])
    audit_log(
        actor=actor,
        instance=survivor,
        action=AuditEntry.Action.MERGE,
        note=_("Undid the merge of %(name)s (#%(id)s)") % {"name": merged.name, "id": merged.pk},
    )
    merged.refresh_from_db()
    return merged


def _attname(field: str) -> str:
    return f"{field}_id" if field in {"owner", "team", "grade"} else field


def _raw(customer: Customer, field: str):
    value = getattr(customer, _attname(field))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _is_empty(value) -> bool:
    return value in (None, "", [], {})
