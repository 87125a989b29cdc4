import time
import uuid

from django.apps import apps
from django.db import transaction
from django_tasks import task

from . import services
from .models import TaskProgress, TenantModel
from .progress import Progress
from .scheduler import periodic
from .search import SearchableModel


@periodic(every=3600)
@task()
def trash_purge_expired() -> int:
    """Hard-delete what has been in the trash longer than the retention period."""
    return services.trash_purge_expired()


def progress_id_for(task_id: str) -> uuid.UUID:
    """The `TaskProgress` id a task reports on: its own id (the database queue's ids are UUIDs)
    or a UUID derived from it (Redis queue ids are not), so a re-run reuses the same row."""
    try:
        return uuid.UUID(str(task_id))
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"shangyou-task:{task_id}")


@task(takes_context=True)
def search_reindex(
    context, company_id: int, model_label: str, batch_size: int = 500, pause: float = 0.0
) -> dict:
    """Recompute `search_text`/`search_grams` of one company's rows of a searchable model
    (after a change to the search rules, or to repair rows loaded around the services).

    Idempotent: the columns are a pure function of each row, so a run cut short (a worker
    killed, then the task re-queued by `shangyou worker`) and run again ends in the same state;
    rows already right are not written twice. Progress goes to the `TaskProgress` row
    `progress_id_for(task id)`. `pause` (seconds between batches) throttles a big reindex on a
    busy database. Returns {"rows": rows seen, "changed": rows written}.
    """
    return search_columns_refresh(
        company_id=company_id,
        model_label=model_label,
        progress_id=progress_id_for(context.task_result.id),
        batch_size=batch_size,
        pause=pause,
    )


def search_columns_refresh(
    *, company_id: int, model_label: str, progress_id, batch_size: int = 500, pause: float = 0.0
) -> dict:
    """`search_reindex`'s work, reporting on the `TaskProgress` row `progress_id` (the task's
    own, or a new one when `shangyou search_reindex --now` runs it in its process)."""
    model = apps.get_model(model_label)
    if not (issubclass(model, SearchableModel) and issubclass(model, TenantModel)):
        raise ValueError(f"{model_label} is not a company-owned searchable model")
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
