from django.core.management import call_command
from django.core.management.base import BaseCommand

from shangyou.accounts.models import Company
from shangyou.ops.demo import DEMO_PASSWORD, demo_logins

from .serve import start_processes


class Command(BaseCommand):
    help = "Migrate, load demo data into an empty database, then serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Prepare only; do not serve.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not Company.objects.exists():
            self.stdout.write("Loading demo data…")
            call_command("demo", verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"\nShangyou is ready: {url}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for company, role, email in demo_logins():
            self.stdout.write(f"  {company:<28} {role:<10} {email}")
        self.stdout.write(f"API docs: {url}api/v1/docs\n")
        if options["no_serve"]:
            return
        start_processes(
            host=options["host"],
            port=options["port"],
            workers=2,
            with_worker=True,
            stdout=self.stdout,
        )
