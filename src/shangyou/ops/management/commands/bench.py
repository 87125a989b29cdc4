"""`shangyou bench generate` and `shangyou bench run` — see docs/benchmarks.md."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangyou.ops.bench import generate as gen
from shangyou.ops.bench import report, runner
from shangyou.ops.bench.scenarios import SCENARIOS


class Command(BaseCommand):
    help = "Generate benchmark data at scale, and time real requests against it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        g = sub.add_parser("generate", help="Create companies, users and customers in bulk.")
        g.add_argument("--scale", type=int, default=0, help="Number of customers.")
        g.add_argument(
            "--tables",
            help="Only these generators, comma-separated (e.g. contacts,timeline,tasks), added to "
            "the data of this seed already in the database. Known: " + ", ".join(gen.GENERATORS),
        )
        g.add_argument(
            "--directory-companies",
            type=int,
            default=0,
            metavar="N",
            help="Also create N member companies with public profiles (directory scenario).",
        )
        g.add_argument(
            "--orders",
            type=int,
            default=0,
            metavar="N",
            help="Also create N sales orders (~4 lines each), with categories and products, "
            "spread over the companies' customers (with --tables: add them to existing data).",
        )
        g.add_argument("--seed", type=int, default=1)
        g.add_argument("--companies", type=int, default=5)
        g.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Processes that build rows (1 = in this process).",
        )
        g.add_argument("--drop-indexes", choices=["auto", "yes", "no"], default="auto")
        g.add_argument("--out", type=Path, help="Results directory (default benchmarks/results).")
        g.add_argument("--no-record", action="store_true", help="Do not write generate-<db>.json.")

        r = sub.add_parser("run", help="Time scenarios; write benchmarks/results/<s>-<db>.json.")
        r.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
        r.add_argument("--db", choices=["sqlite", "postgres"], help="Refuse to run on another DB.")
        r.add_argument("--repeat", type=int, default=200, help="Timed requests per scenario.")
        r.add_argument("--warmup", type=int, default=3, help="Untimed rounds first.")
        r.add_argument("--company", help="Company slug (default: the biggest bench-* company).")
        r.add_argument("--out", type=Path, help="Results directory (default benchmarks/results).")
        r.add_argument("--no-explain", action="store_true", help="Skip the slowest query's plan.")
        r.add_argument(
            "--update-docs",
            nargs="?",
            const=runner.repo_root() / "docs" / "benchmarks.md",
            type=Path,
            metavar="PATH",
            help="Rewrite the results tables of docs/benchmarks.md from every JSON result.",
        )
        r.add_argument("--list", action="store_true", help="List scenarios and exit.")

        ld = sub.add_parser(
            "load", help="Load test: serve on 127.0.0.1 and run benchmarks/load/locustfile.py."
        )
        ld.add_argument("--users", type=int, default=50)
        ld.add_argument("--spawn-rate", type=int, default=10)
        ld.add_argument("--duration", default="5m", help="locust run time, e.g. 5m, 90s.")
        ld.add_argument("--port", type=int, default=8765)
        ld.add_argument("--web-workers", type=int, default=4)
        ld.add_argument("--company", help="Company slug (default: the biggest bench-* company).")
        ld.add_argument("--out", type=Path, help="Results directory (default benchmarks/results).")

    def handle(self, *args, **options):
        if options["action"] == "generate":
            return self._generate(options)
        if options["action"] == "load":
            from shangyou.ops.bench.load import load_test

            try:
                load_test(
                    users=options["users"],
                    spawn_rate=options["spawn_rate"],
                    duration=options["duration"],
                    port=options["port"],
                    web_workers=options["web_workers"],
                    company_slug=options["company"],
                    out_dir=options["out"],
                    log=self._log,
                )
            except (LookupError, RuntimeError) as exc:
                raise CommandError(str(exc)) from exc
            return None
        return self._run(options)

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _generate(self, options):
        tables = None
        if options["tables"]:
            tables = tuple(t.strip() for t in options["tables"].split(",") if t.strip())
        elif options["scale"] < 1:
            raise CommandError("Give --scale N (customers), or --tables to add to existing data.")
        opts = gen.Options(
            tables=tables,
            directory_companies=options["directory_companies"],
            orders=options["orders"],
            scale=options["scale"],
            seed=options["seed"],
            companies=options["companies"],
            workers=options["workers"],
            drop_indexes=options["drop_indexes"],
        )
        try:
            summary = gen.generate(opts, log=self._log)
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        customers = next((t for t in summary["tables"] if t["table"] == "contacts_customer"), None)
        if customers:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{customers['rows']:,} customers in {customers['seconds']:.1f} s "
                    f"({customers['rows_per_second']:,} rows/s, indexes included); "
                    f"total {summary['seconds']:.1f} s"
                )
            )
        if not options["no_record"]:
            out = Path(options["out"] or runner.default_results_dir())
            out.mkdir(parents=True, exist_ok=True)
            record = {
                "kind": "generate",
                "db": runner.db_label(),
                **summary,
                "machine": runner.machine_info(),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "git": runner.git_info(),
            }
            suffix = f"-{'-'.join(opts.tables)}" if opts.tables else ""
            path = out / f"generate-{record['db']}{suffix}.json"
            path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            self.stdout.write(f"recorded {path}")

    def _run(self, options):
        if options["list"]:
            for name, sc in SCENARIOS.items():
                target = sc.target.text if sc.target else "-"
                self.stdout.write(f"{name:<28} {target:<16} {sc.description}")
            return
        db = runner.db_label()
        if options["db"] and options["db"] != db:
            raise CommandError(
                f"This process is connected to {db}, not {options['db']}: set DATABASE_URL "
                "(e.g. postgres://postgres@127.0.0.1/sy_bench) and run again."
            )
        try:
            runner.run(
                options["scenarios"],
                repeat=options["repeat"],
                warmup=options["warmup"],
                out_dir=options["out"],
                company_slug=options["company"],
                with_explain=not options["no_explain"],
                log=self._log,
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if options["update_docs"]:
            out = Path(options["out"] or runner.default_results_dir())
            report.update_docs(options["update_docs"], out)
            self.stdout.write(f"updated {options['update_docs']}")
