from django_tasks import task

from . import services
from .scheduler import periodic


@periodic(every=3600)
@task()
def trash_purge_expired() -> int:
    """Hard-delete what has been in the trash longer than the retention period."""
    return services.trash_purge_expired()
