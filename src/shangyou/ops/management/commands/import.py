import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangyou.core.errors import ApplicationError
from shangyou.core.progress import echo_to
from shangyou.ops.commands_support import actor_for_command


class Command(BaseCommand):
    help = "Import data: `import customers FILE --company SLUG [--dry-run] [--skip-invalid]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        customers = sub.add_parser("customers", help="Customers and contacts (.csv, .xlsx, .vcf).")
        customers.add_argument("file")
        customers.add_argument("--company", required=True, help="Company slug.")
        customers.add_argument("--user", default="", help="Acting member's email (default: owner).")
        customers.add_argument("--dry-run", action="store_true", help="Validate and report only.")
        customers.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows, skip the rest."
        )
        customers.add_argument(
            "--duplicates",
            choices=["skip", "merge", "create"],
            default="skip",
            help="What to do with rows that match an existing customer (default: skip).",
        )

    def handle(self, *args, **options):
        from shangyou.contacts import importing

        actor = actor_for_command(options["company"], options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            job = importing.import_preview(actor=actor, filename=path.name, data=path.read_bytes())
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        report = job.report
        for problem in report["problems"]:
            self.stderr.write(f"note: {problem}")
        for error in report["errors"]:
            self.stderr.write(f"row {error['row']}: {'; '.join(error['messages'])}")
        for dup in report["duplicates"]:
            target = dup.get("existing_name") or f"row {dup.get('same_as_row')}"
            self.stdout.write(
                f"row {dup['row']}: duplicate of {target} ({', '.join(dup['reasons'])})"
            )
        self.stdout.write(
            f"{job.total_rows} rows, {job.valid_rows} valid, {report['error_count']} invalid, "
            f"{report['duplicate_count']} duplicates"
        )
        if options["dry_run"]:
            job.status = job.Status.CANCELLED
            job.save(update_fields=["status"])
            if report["error_count"]:
                sys.exit(1)
            return
        if report["error_count"] and not options["skip_invalid"]:
            job.status = job.Status.CANCELLED
            job.save(update_fields=["status"])
            raise CommandError(
                f"{report['error_count']} invalid rows: nothing imported "
                "(fix the file or use --skip-invalid)"
            )
        try:
            importing.import_commit(
                actor=actor,
                job=job,
                skip_invalid=options["skip_invalid"],
                duplicate_default=options["duplicates"],
            )
            # The command is itself the worker for its import: run it here, with progress.
            result = importing.import_run(job_id=job.pk, echo=echo_to(self.stderr))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"imported: {result['created']} created, {result['merged']} merged, "
            f"{result['skipped']} skipped"
        )
