from pathlib import Path

from django.core.management.base import BaseCommand

from shangyou.ops.commands_support import actor_for_command


class Command(BaseCommand):
    help = "Export data: `export customers --company SLUG --format csv|xlsx|vcf -o FILE`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        customers = sub.add_parser("customers", help="Customers (all, or a saved segment).")
        customers.add_argument("--company", required=True)
        customers.add_argument("--user", default="", help="Acting member's email (default: owner).")
        customers.add_argument("--format", choices=["csv", "xlsx", "vcf"], default="csv")
        customers.add_argument("--segment", type=int, default=None, help="Segment id.")
        customers.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options):
        from shangyou.contacts import exporting, selectors

        actor = actor_for_command(options["company"], options["user"])
        if options["segment"]:
            segment = selectors.segment_get(actor=actor, id=options["segment"])
            customers = selectors.segment_customers(actor=actor, segment=segment)
        else:
            customers = selectors.customer_list(actor=actor, sort="name")
        path = Path(options["output"])
        fmt = options["format"]
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as out:
                for chunk in exporting.export_csv(customers):
                    out.write(chunk)
        elif fmt == "xlsx":
            path.write_bytes(exporting.export_xlsx(customers))
        else:
            path.write_text(exporting.export_vcf(customers), encoding="utf-8", newline="")
        self.stdout.write(f"wrote {customers.count()} customers to {path}")
