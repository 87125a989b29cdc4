from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shangyou.core import scheduler


class Command(BaseCommand):
    help = "Run the background worker (and the periodic-task scheduler) for the configured backend."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not run periodic tasks."
        )
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args, **options):
        if not options["no_scheduler"]:
            scheduler.start_thread()
        backend = settings.TASKS_BACKEND_NAME
        if backend == "database":
            call_command(
                "db_worker",
                interval=options["interval"],
                batch=options["batch"],
                verbosity=options["verbosity"],
            )
        elif backend == "rq":
            scheduler.autodiscover()
            call_command("rqworker", "default", burst=options["batch"], with_scheduler=False)
        else:
            self.stdout.write(
                f"The '{backend}' task backend runs tasks in-process; no worker needed."
            )
