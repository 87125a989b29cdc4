"""Periodic tasks without a second service: the worker process runs this loop in a thread.

Each app declares its periodic jobs with `@periodic(every=seconds)` on a task in its `tasks.py`.
Every worker tries to claim the current time slot of each job by inserting a `PeriodicRun` row;
the unique constraint lets exactly one of them enqueue it, however many workers run.
"""

import importlib
import logging
import threading
import time
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, close_old_connections, transaction

from .models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: int
    task: object


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(*, every: int):
    def register(task):
        name = f"{task.module_path}"
        REGISTRY[name] = PeriodicJob(name=name, every=every, task=task)
        return task

    return register


def autodiscover() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("shangyou."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


def run_due(now: float | None = None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; returns their names."""
    now = now or time.time()
    enqueued = []
    for job in REGISTRY.values():
        slot = str(int(now // job.every))
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, slot=slot)
                transaction.on_commit(job.task.enqueue)
        except IntegrityError:
            continue
        enqueued.append(job.name)
    for name in enqueued:
        # Forget the job's earlier slots: they can never be claimed again. (Judged by slot, not
        # by row age: a weekly job's current slot must outlive a day, and `now` may be given.)
        current = int(now // REGISTRY[name].every)
        PeriodicRun.objects.filter(name=name).exclude(
            slot__in=[str(current), str(current - 1)]
        ).delete()
    return enqueued


def start_thread(interval: float = 30.0) -> threading.Thread:
    autodiscover()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                close_old_connections()
                for name in run_due():
                    logger.info("scheduled %s", name)
            except Exception:  # keep scheduling after a transient database error
                logger.exception("scheduler tick failed")
            finally:
                close_old_connections()
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="shangyou-scheduler", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
