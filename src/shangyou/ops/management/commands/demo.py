from django.core.management.base import BaseCommand

from shangyou.ops.demo import load_demo


class Command(BaseCommand):
    help = "Load demo companies, users in every role, teams and customers (idempotent)."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(f"demo data ready ({created} companies created)")
