from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangyou.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a `shangyou backup` archive: verifies every checksum first, refuses a damaged "
        "archive, and will not overwrite a database with tables (or uploaded files) without "
        "--force. Stop the web server and workers before restoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by `shangyou backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the current database and uploaded files (the old media directory is "
            "kept beside the new one).",
        )

    def handle(self, *args, **options):
        echo = self.stderr.write if options["verbosity"] else (lambda line: None)
        try:
            report = backup.restore_backup(Path(options["file"]), force=options["force"], echo=echo)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (Shangyou "
                f"{manifest['app']['version']}): {len(manifest['database']['tables'])} tables, "
                f"{manifest['media']['files']} uploaded files; all checksums and row counts "
                "verified."
            )
        )
        if report.old_media:
            self.stdout.write(f"The previous uploaded files were kept in {report.old_media}")
        if not manifest["media"]["included"]:
            self.stdout.write(
                "Uploaded files were on remote storage when the backup was made; they are not "
                "part of it."
            )
        if report.pending_migrations:
            self.stdout.write(
                f"This version has {len(report.pending_migrations)} migrations the backup does "
                "not; run `shangyou migrate` now."
            )
