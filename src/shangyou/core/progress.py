"""Progress of long background jobs: one `TaskProgress` row a job, updated as it goes.

Pages show it with `components/_progress.html` (HTMX polling); commands print it with
`ProgressPrinter`. Updates are throttled so a job of a million rows does not write a million
times.
"""

import sys
import time

from django.utils.translation import gettext as _

from .models import TaskProgress


def progress_start(*, name: str, company=None, user=None, total: int | None = None) -> TaskProgress:
    return TaskProgress.objects.create(name=name, company=company, user=user, total=total)


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
        TaskProgress.objects.filter(pk=self.id).update(total=total)

    def advance(self, n: int = 1, *, message: str = "", force: bool = False) -> None:
        self.done += n
        now = time.monotonic()
        if force or now - self._last >= self.min_interval:
            self._last = now
            fields = {"done": self.done}
            if message:
                fields["message"] = message[:500]
            TaskProgress.objects.filter(pk=self.id).update(**fields)
            if self.echo:
                total = f"/{self.total}" if self.total else ""
                self.echo(f"{self.done}{total} {message}".rstrip())

    def finish(self, *, result: dict | None = None, message: str = "") -> None:
        TaskProgress.objects.filter(pk=self.id).update(
            status=TaskProgress.Status.DONE,
            done=self.done,
            result=result or {},
            message=(message or _("Finished."))[:500],
        )
        if self.echo:
            self.echo(message or _("Finished."))

    def fail(self, message: str) -> None:
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
