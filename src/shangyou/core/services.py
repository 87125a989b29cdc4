"""Generic write helpers every domain service builds on: audited create/update, optimistic
locking, soft delete → trash → restore/purge.

Domain services (`customer_update`, …) validate their own rules, then call these so that every
write is audited and every stale edit refused the same way.
"""

import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import lookups
from .actor import Actor
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .models import AuditEntry, TaskProgress, TenantModel, TrashItem
from .progress import Progress
from .search import SearchableModel

M = TypeVar("M", bound=TenantModel)


# --- permissions ------------------------------------------------------------------------------
def require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise PermissionDenied(_("Your role is read-only in this company."))


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only the company's owner or administrators can do this."))


# --- audit --------------------------------------------------------------------------------------
def audit_value(value: Any) -> Any:
    """A JSON-friendly, human-readable form of a field value for the audit log."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)[:200]}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [audit_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): audit_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return value


def audit_log(
    *,
    actor: Actor | None,
    instance: models.Model,
    action: str,
    changes: dict | None = None,
    note: str = "",
    company=None,
) -> AuditEntry:
    company = company or getattr(instance, "company", None) or (actor.company if actor else None)
    return AuditEntry.objects.create(
        company=company,
        user=actor.user if actor else None,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        action=action,
        changes=changes or {},
        note=note[:300],
    )


def _field_value(instance: models.Model, field: models.Field) -> Any:
    if isinstance(field, models.ForeignKey):
        return getattr(instance, field.name)
    return getattr(instance, field.attname)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    exclude = getattr(instance, "AUDIT_EXCLUDE", frozenset())
    result = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or (fields is not None and field.name not in fields):
            continue
        if field.name.startswith("search_") or field.name in {"deleted_at", "deleted_by"}:
            continue
        result[field.name] = audit_value(_field_value(instance, field))
    return result


# --- create / update ----------------------------------------------------------------------------
def full_clean_or_fail(instance: models.Model, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


@transaction.atomic
def model_create(*, actor: Actor, instance: M, clean: bool = True) -> M:
    """Save a new tenant row for the actor's company, validated and audited."""
    require_write(actor)
    instance.company = actor.company
    instance.created_by = actor.user
    instance.updated_by = actor.user
    if hasattr(instance, "refresh_search"):
        instance.refresh_search()
    if clean:
        full_clean_or_fail(instance, validate_unique=True)
    instance.save()
    audit_log(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.CREATE,
        changes={k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "")},
    )
    return instance


def stale_message(current: TenantModel) -> str:
    who = current.updated_by.display_name if current.updated_by else _("someone")
    when = date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT")
    return _(
        "%(who)s changed this record at %(when)s (now version %(version)s). "
        "Reload it to see their changes, then make yours again."
    ) % {"who": who, "when": when, "version": current.version}


@transaction.atomic
def model_update(
    *,
    actor: Actor,
    instance: M,
    data: dict[str, Any],
    expected_version: int | None,
    clean: bool = True,
) -> tuple[M, dict[str, list]]:
    """Apply `data` to `instance` if nobody changed it since `expected_version`.

    The version check is a conditional UPDATE, so two concurrent saves of the same version can
    never both win. Returns the instance and the audited changes ({field: [old, new]}).
    """
    require_write(actor)
    if expected_version is None:
        raise ValidationFailed(
            _("The record's version is missing; reload the record and try again."),
            errors={"version": [_("This field is required.")]},
        )
    before = snapshot(instance, data.keys())
    for name, value in data.items():
        setattr(instance, name, value)
    if hasattr(instance, "refresh_search"):
        instance.refresh_search()
    if clean:
        full_clean_or_fail(instance, validate_unique=True)
    after = snapshot(instance, data.keys())
    changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}

    model = type(instance)
    values = {}
    for name in data:
        field = model._meta.get_field(name)
        values[field.attname] = getattr(instance, field.attname)
    for name in ("search_text", "search_grams"):
        if hasattr(instance, name) and name not in values:
            values[name] = getattr(instance, name)
    now = timezone.now()
    updated = model.objects.filter(
        pk=instance.pk, company_id=actor.company_id, version=expected_version
    ).update(**values, version=F("version") + 1, updated_at=now, updated_by=actor.user)
    if not updated:
        current = model.all_objects.select_related("updated_by").filter(pk=instance.pk).first()
        if current is None or current.company_id != actor.company_id or current.is_deleted:
            raise NotFound()
        raise Conflict(stale_message(current), extra={"current_version": current.version})
    instance.version = expected_version + 1
    instance.updated_at = now
    instance.updated_by = actor.user
    lookups.model_changed(model, actor.company_id)
    if changes:
        audit_log(actor=actor, instance=instance, action=AuditEntry.Action.UPDATE, changes=changes)
    return instance, changes


# --- database upkeep ----------------------------------------------------------------------------
#: Rows SQLite samples per index when it gathers statistics (`PRAGMA analysis_limit`): a
#: 100,000-customer database in a third of a second, enough for the planner to choose.
SQLITE_ANALYSIS_LIMIT = 1000


def sqlite_statistics(*, using: str = "default", **kwargs) -> bool:
    """SQLite: gather the query planner's statistics again (`ANALYZE`, sampled); False on
    PostgreSQL, whose autovacuum does it.

    SQLite keeps none by itself, and without them it prefers an index that gives a query's order
    over one that finds its few rows: one customer's contacts were read by walking all of the
    company's contacts in list order (82 ms instead of a fraction of one), and the blacklist
    filter read every customer (125 ms). Run after every `migrate` (new indexes; see
    `CoreConfig.ready`) and hourly by the worker (`core.tasks.database_statistics`)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


# --- trash --------------------------------------------------------------------------------------
@transaction.atomic
def soft_delete(*, actor: Actor, instance: TenantModel, note: str = "") -> None:
    require_write(actor)
    if instance.company_id != actor.company_id:
        raise NotFound()
    now = timezone.now()
    type(instance).all_objects.filter(pk=instance.pk).update(
        deleted_at=now, deleted_by=actor.user, version=F("version") + 1
    )
    instance.deleted_at, instance.deleted_by = now, actor.user
    lookups.model_changed(type(instance), actor.company_id)
    TrashItem.objects.update_or_create(
        company=actor.company,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        defaults={"object_repr": str(instance)[:300], "deleted_at": now, "deleted_by": actor.user},
    )
    audit_log(actor=actor, instance=instance, action=AuditEntry.Action.DELETE, note=note)


def _trash_target(*, actor: Actor, item_id: int) -> tuple[TrashItem, TenantModel]:
    items = TrashItem.objects.filter(pk=item_id, company_id=actor.company_id)
    if not actor.is_admin:  # as `trash_list`: members reach only what they deleted themselves
        items = items.filter(deleted_by_id=actor.user_id)
    item = items.first()
    if item is None:
        raise NotFound(_("This item is no longer in the trash."))
    model = item.content_type.model_class()
    obj = model.all_objects.filter(pk=item.object_id, company_id=actor.company_id).first()
    return item, obj


@transaction.atomic
def trash_restore(*, actor: Actor, item_id: int) -> TenantModel | None:
    require_write(actor)
    item, obj = _trash_target(actor=actor, item_id=item_id)
    if obj is not None:
        type(obj).all_objects.filter(pk=obj.pk).update(
            deleted_at=None, deleted_by=None, version=F("version") + 1
        )
        obj.refresh_from_db()
        lookups.model_changed(type(obj), actor.company_id)
        audit_log(actor=actor, instance=obj, action=AuditEntry.Action.RESTORE)
    item.delete()
    return obj


@transaction.atomic
def trash_purge(*, actor: Actor, item_id: int) -> None:
    require_admin(actor)
    item, obj = _trash_target(actor=actor, item_id=item_id)
    _purge(item, obj, actor=actor)


def _purge(item: TrashItem, obj: TenantModel | None, *, actor: Actor | None) -> None:
    if obj is not None:
        audit_log(actor=actor, instance=obj, action=AuditEntry.Action.PURGE, company=item.company)
        obj.delete()
    item.delete()


def trash_purge_expired(*, now: datetime | None = None) -> int:
    """Hard-delete what has been in the trash longer than TRASH_RETENTION_DAYS (periodic)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRASH_RETENTION_DAYS)
    count = 0
    expired = TrashItem.objects.filter(deleted_at__lt=cutoff).select_related(
        "content_type", "company"
    )
    for item in expired.iterator(chunk_size=500):
        with transaction.atomic():
            model = item.content_type.model_class()
            obj = model.all_objects.filter(pk=item.object_id).first() if model else None
            _purge(item, obj, actor=None)
            count += 1
    return count


# --- search columns -------------------------------------------------------------------------
def searchable_model_labels() -> list[str]:
    """Every company-owned model with search columns, as app_label.ModelName."""
    return sorted(
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, SearchableModel) and issubclass(m, TenantModel)
    )


def search_columns_refresh(
    *, company_id: int, model_label: str, progress_id, batch_size: int = 500, pause: float = 0.0
) -> dict:
    """`search_reindex`'s work, reporting on the `TaskProgress` row `progress_id` (the task's
    own, or a new one when `shangyou search_reindex --now` runs it in its process)."""
    if model_label not in searchable_model_labels():
        raise ValueError(f"{model_label} is not a company-owned searchable model")
    model = apps.get_model(model_label)
    rows = model.all_objects.filter(company_id=company_id)  # trashed rows are searched too
    TaskProgress.objects.get_or_create(
        pk=progress_id,
        defaults={"name": f"search_reindex {model_label}", "company_id": company_id},
    )
    changed = 0
    with Progress(progress_id) as progress:
        progress.set_total(rows.count())
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(rows.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
                if not batch:
                    break
                dirty = []
                for obj in batch:
                    before = (obj.search_text, obj.search_grams)
                    obj.refresh_search()
                    if (obj.search_text, obj.search_grams) != before:
                        dirty.append(obj)
                # Derived columns only: no version bump, no audit entry, updated_at untouched.
                model.all_objects.bulk_update(dirty, ["search_text", "search_grams"])
            changed += len(dirty)
            last_pk = batch[-1].pk
            progress.advance(len(batch), force=True)
            if pause:
                time.sleep(pause)
        result = {"rows": progress.done, "changed": changed}
        progress.finish(result=result)
    return result
