"""Progress of long background jobs: one `TaskProgress` row a job, updated as it goes.

Pages show it with `components/_progress.html` (HTMX polling); commands print it with
`echo_to`. Updates are throttled so a job of a million rows does not write a million times.

A job that runs inside one long transaction (an import that must change nothing when it fails)
cannot make its row visible before it commits, so live figures also go to the shared cache
(file cache or Redis), which `live_progress()` lays over the row.
"""

import sys
import time

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from .models import TaskProgress


def progress_start(*, name: str, company=None, user=None, total: int | None = None) -> TaskProgress:
    return TaskProgress.objects.create(name=name, company=company, user=user, total=total)


def cache_key(progress_id) -> str:
    return f"shangyou:progress:{progress_id}"


def live_progress(progress: TaskProgress) -> TaskProgress:
    """The row with the latest figures a running job put in the cache."""
    if not progress.finished:
        live = cache.get(cache_key(progress.pk))
        if live:
            for name, value in live.items():
                if value is not None:
                    setattr(progress, name, value)
    return progress


class Progress:
    """Report on one job: `with Progress(id) as p: p.advance(100)`."""

    def __init__(self, progress_id, *, min_interval: float = 0.5, echo=None) -> None:
        self.id = progress_id
        self.min_interval = min_interval
        self.echo = echo  # a callable(str) for the CLI
        self.done = 0
        self.total: int | None = None
        self._last = 0.0
        TaskProgress.objects.filter(pk=progress_id).update(status=TaskProgress.Status.RUNNING)

    def set_total(self, total: int) -> None:
        self.total = total
        self.advance(0, force=True)

    def advance(self, n: int = 1, *, message: str = "", force: bool = False) -> None:
        self.done += n
        now = time.monotonic()
        if force or now - self._last >= self.min_interval:
            self._last = now
            fields = {"done": self.done, "total": self.total}
            if message:
                fields["message"] = message[:500]
            cache.set(cache_key(self.id), fields, 24 * 3600)
            if not transaction.get_connection().in_atomic_block:
                TaskProgress.objects.filter(pk=self.id).update(**fields)
            if self.echo:
                total = f"/{self.total}" if self.total else ""
                self.echo(f"{self.done}{total} {message}".rstrip())

    def finish(self, *, result: dict | None = None, message: str = "") -> None:
        cache.delete(cache_key(self.id))
        TaskProgress.objects.filter(pk=self.id).update(
            status=TaskProgress.Status.DONE,
            done=self.done,
            result=result or {},
            message=(message or _("Finished."))[:500],
        )
        if self.echo:
            self.echo(message or _("Finished."))

    def fail(self, message: str) -> None:
        cache.delete(cache_key(self.id))
        TaskProgress.objects.filter(pk=self.id).update(
            status=TaskProgress.Status.FAILED, message=message[:500]
        )

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is not None:
            self.fail(str(exc))


def echo_to(stream=None):
    stream = stream or sys.stderr

    def echo(line: str) -> None:
        stream.write(f"\r{line}\n")
        stream.flush()

    return echo
