import uuid

from django.core.management.base import BaseCommand, CommandError

from shangyou.accounts.models import Company
from shangyou.core.services import search_columns_refresh, searchable_model_labels
from shangyou.core.tasks import search_reindex


class Command(BaseCommand):
    help = (
        "Recompute the search columns of every company's searchable rows (customers, contacts, "
        "products …) — after an upgrade that changes what is searched, or to repair rows "
        "loaded around the services. Queued for the worker, one task per company and model; "
        "--now runs them here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", default="", help="Company slug (default: all).")
        parser.add_argument(
            "--model",
            action="append",
            default=[],
            help="app_label.Model, repeatable (default: every searchable model).",
        )
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing.")
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="Seconds between batches of 500 rows (throttles a big reindex).",
        )

    def handle(self, *args, **options):
        labels = searchable_model_labels()
        unknown = sorted(set(options["model"]) - set(labels))
        if unknown:
            raise CommandError(
                f"not searchable models: {', '.join(unknown)} (one of: {', '.join(labels)})"
            )
        labels = options["model"] or labels
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"no company with slug {options['company']}")
        for company in companies.iterator():
            for label in labels:
                if options["now"]:
                    result = search_columns_refresh(
                        company_id=company.pk,
                        model_label=label,
                        progress_id=uuid.uuid4(),
                        pause=options["pause"],
                    )
                    self.stdout.write(
                        f"{company.slug} {label}: {result['changed']} of {result['rows']} rows "
                        "changed"
                    )
                else:
                    task = search_reindex.enqueue(company.pk, label, pause=options["pause"])
                    self.stdout.write(f"{company.slug} {label}: queued ({task.id})")
