import time

from django.core.management.base import BaseCommand, CommandError

from shangyou.accounts.models import Company
from shangyou.analytics.services import rollup_company_ids, sales_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the sales statistics rollups from the orders: every company with orders (or "
        "rollup rows), or one with --company SLUG."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--company", default="", help="Company slug (default: every company with orders)."
        )

    def handle(self, *args, **options):
        if options["company"]:
            companies = Company.objects.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"no company with slug {options['company']}")
        else:
            companies = Company.objects.filter(pk__in=rollup_company_ids()).order_by("pk")
        for company in companies.iterator():
            started = time.perf_counter()
            sales_rollup_rebuild(company_id=company.pk)
            self.stdout.write(f"{company.slug}: rebuilt in {time.perf_counter() - started:.1f} s")
