"""Tasks left RUNNING by a dead worker of the database queue, found and re-queued.

django-tasks-db claims a task by setting it RUNNING with the worker's id appended to
`worker_ids`, runs it outside any transaction, then marks it SUCCESSFUL or FAILED. A worker that
is SIGKILLed, OOM-killed or loses its machine in between leaves the row RUNNING for ever: the
package has no lease, heartbeat or reaper.

Each `shangyou worker` therefore holds a *liveness lock* for its whole life, which the operating
system or the database server releases the moment the process dies:

* PostgreSQL: a session advisory lock on a connection of its own (not Django's, which is closed
  between tasks). Visible to every host, so this works for workers on many machines.
* SQLite: an exclusive `flock` on `DATA_DIR/workers/<id>.lock`. SQLite lives on one host, so a
  host-local lock is enough.

A RUNNING task whose last worker's lock can be taken is orphaned: it is put back to READY (and
run again — tasks are written to be idempotent) or, after `max_attempts` claims, marked FAILED
so a task that kills its worker cannot loop for ever. Tasks claimed by worker ids that are not
ours (a bare `db_worker`) are left alone and logged. Each worker sweeps on start-up and then
every `sweep_interval` seconds, so a surviving worker also rescues a dead sibling's task.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

ID_PREFIX = "sy:"
LOST_EXCEPTION = "shangyou.ops.task_recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task died before the task finished."""


def new_worker_id() -> str:
    """`sy:<host>:<pid>:<random>` — at most 64 characters, as django-tasks-db requires."""
    host = "".join(c for c in socket.gethostname() if c.isalnum() or c in "-.")[:32] or "host"
    return f"{ID_PREFIX}{host}:{os.getpid()}:{get_random_string(8)}"


def _advisory_key(worker_id: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(worker_id.encode(), digest_size=8).digest(), "big", signed=True
    )


def _lock_path(worker_id: str) -> Path:
    digest = hashlib.sha256(worker_id.encode()).hexdigest()[:32]
    return Path(settings.DATA_DIR) / "workers" / f"{digest}.lock"


class LivenessLock:
    """Held by a live worker; `is_alive(worker_id)` answers for any worker of ours."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.vendor = connections[DEFAULT_DB_ALIAS].vendor
        self._conn = None  # PostgreSQL: a DatabaseWrapper of our own
        self._file = None  # SQLite: the open, locked file

    # -- holding ---------------------------------------------------------------------------
    def acquire(self) -> None:
        if self.vendor == "postgresql":
            self._conn = connections.create_connection(DEFAULT_DB_ALIAS)
            self._conn.inc_thread_sharing()  # the watchdog thread checks it
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_advisory_key(self.worker_id)])
        else:
            path = _lock_path(self.worker_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a+")  # noqa: SIM115 - held for the process's life
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._file.seek(0)
            self._file.truncate()
            self._file.write(f"{self.worker_id}\n")
            self._file.flush()

    def check(self) -> bool:
        """Still holding it? On PostgreSQL a lost connection loses the lock: take it again."""
        if self.vendor != "postgresql" or self._conn is None:
            return True
        try:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:
            logger.error(
                "worker %s lost its liveness connection; reconnecting. A task it is running "
                "may be re-queued by another worker meanwhile (tasks are idempotent).",
                self.worker_id,
            )
            with contextlib.suppress(Exception):  # already broken
                self._conn.close()
            try:
                self.acquire()
            except Exception:
                logger.exception("could not re-take the liveness lock")
                return False
            return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._file is not None:
            path = Path(self._file.name)
            self._file.close()
            self._file = None
            path.unlink(missing_ok=True)


def is_alive(worker_id: str) -> bool | None:
    """True/False for a worker of ours; None when we cannot tell (not our id format)."""
    if not worker_id.startswith(ID_PREFIX):
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        key = _advisory_key(worker_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (got,) = cursor.fetchone()
            if got:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return not got
    path = _lock_path(worker_id)
    try:
        handle = open(path, "a")  # noqa: SIM115
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        path.unlink(missing_ok=True)  # its owner is gone; tidy up
        return False


def recover_orphaned_tasks(*, backend_name: str = "default", max_attempts: int = 3) -> dict:
    """Re-queue (or fail, after `max_attempts` claims) RUNNING tasks whose worker is dead."""
    summary = {"requeued": [], "failed": [], "unknown": []}
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    with exclusive_transaction(running.db):
        # Row locks keep two sweeping workers from handling the same task twice (PostgreSQL);
        # SQLite's exclusive transaction serialises the sweep as a whole.
        for result in running.select_for_update(skip_locked=True):
            worker_id = result.worker_ids[-1] if result.worker_ids else ""
            alive = is_alive(worker_id)
            if alive is None:
                summary["unknown"].append(str(result.id))
                continue
            if alive:
                continue
            attempts = len(result.worker_ids)
            if attempts >= max_attempts:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = LOST_EXCEPTION
                result.traceback = (
                    f"WorkerLost: worker {worker_id} died while running this task; it was "
                    f"claimed {attempts} times (limit {max_attempts}), so it was not re-queued."
                )
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                summary["failed"].append(str(result.id))
                logger.error(
                    "task %s (%s) failed: %s", result.id, result.task_path, result.traceback
                )
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                summary["requeued"].append(str(result.id))
                logger.warning(
                    "task %s (%s) re-queued: worker %s died while running it (attempt %d of %d)",
                    result.id,
                    result.task_path,
                    worker_id,
                    attempts,
                    max_attempts,
                )
    if summary["unknown"]:
        logger.warning(
            "tasks %s are RUNNING under workers this command did not start; if those workers "
            "are gone, re-queue them from the admin or the shell",
            ", ".join(summary["unknown"]),
        )
    return summary


def start_watchdog(
    lock: LivenessLock, *, backend_name: str, max_attempts: int, sweep_interval: float
) -> threading.Thread:
    """Keep the liveness lock and sweep for orphans every `sweep_interval` seconds."""
    stop = threading.Event()

    def loop():
        while not stop.wait(sweep_interval):
            try:
                lock.check()
                close_old_connections()
                recover_orphaned_tasks(backend_name=backend_name, max_attempts=max_attempts)
            except Exception:  # keep watching after a transient database error
                logger.exception("orphaned-task sweep failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="shangyou-task-watchdog", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
