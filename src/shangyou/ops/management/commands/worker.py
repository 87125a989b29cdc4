from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shangyou.core import scheduler
from shangyou.ops import task_recovery

# django-tasks-rq's jobs must run as its own Job class (also set as RQ["JOB_CLASS"] in settings).
RQ_JOB_CLASS = "django_tasks_rq.Job"


class Command(BaseCommand):
    help = (
        "Run the background worker (and the periodic-task scheduler) for the configured "
        "backend. With the database queue it first re-queues tasks left RUNNING by workers "
        "that died (see shangyou.ops.task_recovery)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not run periodic tasks."
        )
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=3,
            help="A task whose worker died this many times is marked failed, not re-queued.",
        )
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=60.0,
            help="Seconds between checks for tasks orphaned by dead workers.",
        )

    def handle(self, *args, **options):
        backend = settings.TASKS_BACKEND_NAME
        if backend == "database":
            self.run_database_worker(options)
        elif backend == "rq":
            if not options["no_scheduler"]:
                scheduler.start_thread()
            call_command(
                "rqworker",
                "default",
                burst=options["batch"],
                with_scheduler=False,
                job_class=RQ_JOB_CLASS,
                verbosity=options["verbosity"],
            )
        else:
            self.stdout.write(
                f"The '{backend}' task backend runs tasks in-process; no worker needed."
            )

    def run_database_worker(self, options):
        worker_id = task_recovery.new_worker_id()
        lock = task_recovery.LivenessLock(worker_id)
        lock.acquire()  # before claiming anything, so no task of ours ever looks orphaned
        try:
            summary = task_recovery.recover_orphaned_tasks(max_attempts=options["max_attempts"])
            for key in ("requeued", "failed"):
                if summary[key]:
                    self.stdout.write(f"orphaned tasks {key}: {', '.join(summary[key])}")
            task_recovery.start_watchdog(
                lock,
                backend_name="default",
                max_attempts=options["max_attempts"],
                sweep_interval=options["sweep_interval"],
            )
            if not options["no_scheduler"]:
                scheduler.start_thread()
            call_command(
                "db_worker",
                interval=options["interval"],
                batch=options["batch"],
                worker_id=worker_id,
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            lock.release()
