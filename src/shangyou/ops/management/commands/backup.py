from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangyou.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database and every uploaded file into one .tar.gz archive with a manifest "
        "(SHA-256 of every member, migration state, database vendor, app version, time). Safe "
        "while Shangyou runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to write, e.g. shangyou-2026-11-23.tar.gz")

    def handle(self, *args, **options):
        echo = self.stderr.write if options["verbosity"] else (lambda line: None)
        try:
            manifest = backup.create_backup(Path(options["file"]), echo=echo)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        database = manifest["database"]
        rows = sum(database["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {database['vendor']} ({len(database['tables'])} tables, {rows} rows) "
                f"and {manifest['media']['files']} uploaded files to {options['file']}"
            )
        )
