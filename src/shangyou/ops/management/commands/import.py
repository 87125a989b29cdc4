import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangyou.core.errors import ApplicationError
from shangyou.core.progress import echo_to
from shangyou.ops.commands_support import actor_for_command


class Command(BaseCommand):
    help = (
        "Import data: `import customers FILE --company SLUG [--dry-run] [--skip-invalid]`, "
        "`import orders FILE --company SLUG [--dry-run] [--skip-invalid] "
        "[--create-missing|--report-missing] [--skip-existing]`."
    )

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

        orders = sub.add_parser(
            "orders", help="Order history, one order line per row (.csv, .xlsx)."
        )
        orders.add_argument("file")
        orders.add_argument("--company", required=True, help="Company slug.")
        orders.add_argument("--user", default="", help="Acting member's email (default: owner).")
        orders.add_argument("--dry-run", action="store_true", help="Validate and report only.")
        orders.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid orders, skip those with invalid rows (or missing records).",
        )
        missing = orders.add_mutually_exclusive_group()
        missing.add_argument(
            "--create-missing",
            action="store_true",
            help="Create the customers and products the company does not have yet.",
        )
        missing.add_argument(
            "--report-missing",
            action="store_true",
            help="Report unknown customers and products as errors (the default).",
        )
        orders.add_argument(
            "--skip-existing",
            action="store_true",
            help="Skip orders whose number the company already uses (e.g. imported before).",
        )

        suppliers = sub.add_parser(
            "suppliers", help="Suppliers (.csv, .xlsx): the supplier role on CRM records."
        )
        suppliers.add_argument("file")
        suppliers.add_argument("--company", required=True, help="Company slug.")
        suppliers.add_argument("--user", default="", help="Acting member's email (default: owner).")
        suppliers.add_argument("--dry-run", action="store_true", help="Validate and report only.")
        suppliers.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid rows, skip the rest."
        )

    def handle(self, *args, **options):
        if options["kind"] == "orders":
            return self._orders(options)
        if options["kind"] == "suppliers":
            from shangyou.purchasing.importing import run_supplier_import_command

            code = run_supplier_import_command(
                actor=actor_for_command(options["company"], options["user"]),
                path=options["file"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                out=self.stdout,
                err=self.stderr,
            )
            if code:
                sys.exit(code)
            return
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

    def _orders(self, options):
        from shangyou.orders import importing

        actor = actor_for_command(options["company"], options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            job = importing.order_import_preview(
                actor=actor, filename=path.name, data=path.read_bytes()
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        report = job.report
        create = options["create_missing"]
        for problem in report["problems"]:
            self.stderr.write(f"note: {problem}")
        for error in report["errors"]:
            self.stderr.write(f"row {error['row']}: {'; '.join(error['messages'])}")
        stream = self.stdout if create else self.stderr
        for c in report["missing_customers"]:
            label = " ".join(p for p in (c["code"], c["name"]) if p)
            verb = "will be created" if create else "not found"
            stream.write(f"row {c['row']}: customer {label}: {verb}")
        for p in report["missing_products"]:
            label = " ".join(dict.fromkeys(x for x in (p["sku"], p["name"]) if x))
            verb = "will be created" if create else "not found"
            stream.write(f"row {p['row']}: product {label}: {verb}")
        for e in report["existing"]:
            verb = "skipped (already imported)" if options["skip_existing"] else "already used"
            self.stderr.write(f"row {e['row']}: order number {e['number']} {verb}")
        totals = ", ".join(f"{k} {v}" for k, v in report["file_totals"].items()) or "0"
        self.stdout.write(
            f"{report['rows']} rows, {report['orders']} orders, {report['invalid_orders']} "
            f"invalid orders, {report['missing_customer_count']} unknown customers, "
            f"{report['missing_product_count']} unknown products, "
            f"{report['existing_count']} existing order numbers; file total {totals}"
        )
        commit_options = {
            "skip_invalid": options["skip_invalid"],
            "create_missing": create,
            "skip_existing": options["skip_existing"],
        }
        refusal = importing.order_import_refusal(report, commit_options)
        if options["dry_run"] or refusal:
            importing.order_import_cancel(actor=actor, job=job)
            if refusal:
                if options["dry_run"]:
                    self.stderr.write(refusal)
                    sys.exit(1)
                raise CommandError(f"nothing imported: {refusal}")
            return
        try:
            importing.order_import_commit(actor=actor, job=job, **commit_options)
            # The command is itself the worker for its import: run it here, with progress.
            result = importing.order_import_run(job_id=job.pk, echo=echo_to(self.stderr))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        imported = ", ".join(f"{k} {v}" for k, v in result["imported_totals"].items()) or "0"
        self.stdout.write(
            f"imported: {result['orders']} orders, {result['lines']} lines, "
            f"{result['customers_created']} customers and {result['products_created']} products "
            f"created, {result['skipped_invalid']} invalid and {result['skipped_existing']} "
            f"existing orders skipped; file total {totals}, imported total {imported}"
        )
