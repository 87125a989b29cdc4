import uuid

from django_tasks import task

from . import services
from .scheduler import periodic


@periodic(every=3600)
@task()
def trash_purge_expired() -> int:
    """Hard-delete what has been in the trash longer than the retention period."""
    return services.trash_purge_expired()


@periodic(every=3600)
@task()
def database_statistics() -> bool:
    """SQLite: refresh the query planner's statistics as the data grows (PostgreSQL: nothing)."""
    return services.sqlite_statistics()


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
    return services.search_columns_refresh(
        company_id=company_id,
        model_label=model_label,
        progress_id=progress_id_for(context.task_result.id),
        batch_size=batch_size,
        pause=pause,
    )
