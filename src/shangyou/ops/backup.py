"""Backup and restore: one `.tar.gz` holding the database, every uploaded file and a manifest.

Archive layout::

    database/shangyou.sqlite3 | database/shangyou.pgdump
    media/<path under MEDIA_ROOT>…
    manifest.json        (last member) format, time, app/Django version, database vendor and
                         per-table row counts, applied migrations, and size + SHA-256 of every
                         other member

The database is copied consistently while the application runs:

* SQLite: the online backup API (`sqlite3.Connection.backup`) in one step, which holds a read
  snapshot for the copy, so concurrent writers (WAL) neither block nor tear it.
* PostgreSQL: `pg_dump --format=custom`, the server's own tool: one MVCC snapshot, faithful
  types, sequences, extensions and indexes, restorable without Shangyou (`pg_restore`). The row
  counts in the manifest are taken in that very snapshot (`pg_export_snapshot` +
  `pg_dump --snapshot`). A portable logical dump (`dumpdata`) was not chosen: it loses
  sequences and the search indexes, is slow and memory-hungry on big tables, and a backup's
  job is an exact copy. Moving between SQLite and PostgreSQL is a migration (`dumpdata` /
  `loaddata`), not a restore.

Restore verifies the whole archive (every checksum, the manifest's format and the migration
state against the installed code) before it touches anything; refuses to overwrite a
database that has tables, or a MEDIA_ROOT that has files, unless `force=True`; loads the
database in one transaction (PostgreSQL: `pg_restore` piped into `psql --single-transaction`,
with the row-count check inside the same transaction; SQLite: verified copy, then the backup
API into the live file), then swaps the media directory into place.
"""

import contextlib
import hashlib
import io
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections

import shangyou

FORMAT = "shangyou-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database/shangyou.sqlite3", "postgresql": "database/shangyou.pgdump"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024

Echo = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def _quiet(_line: str) -> None:
    pass


# --- hashing while streaming ----------------------------------------------------------------------
class _HashingReader(io.RawIOBase):
    def __init__(self, raw) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict:
    with open(path, "rb") as raw:
        stat = os.fstat(raw.fileno())
        info = tarfile.TarInfo(arcname)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o644
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


# --- database: which, and connection parameters ----------------------------------------------
def _db_settings() -> dict:
    return settings.DATABASES[DEFAULT_DB_ALIAS]


def database_vendor() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_path() -> Path:
    name = str(_db_settings()["NAME"])
    if name in ("", ":memory:") or name.startswith("file::memory:"):
        raise BackupError(
            "The configured SQLite database is in memory; there is nothing to back up."
        )
    return Path(name)


def pg_env() -> dict[str, str]:
    """libpq environment for pg_dump / pg_restore / psql from DATABASES (i.e. DATABASE_URL):
    keeps the password out of the process list."""
    db = _db_settings()
    env = os.environ.copy()
    for key, value in (
        ("PGDATABASE", db.get("NAME")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
    ):
        if value:
            env[key] = str(value)
    options = db.get("OPTIONS", {})
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
        ("options", "PGOPTIONS"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    env["PGAPPNAME"] = "shangyou-backup"
    return env


def _run(command: list[str], *, env: dict | None = None, what: str) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} was not found. Install the PostgreSQL client tools of the server's "
            "major version (Debian: postgresql-client)."
        ) from exc
    if completed.returncode:
        raise BackupError(f"{what} failed: {completed.stderr.strip() or completed.stdout.strip()}")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- what is in a database -------------------------------------------------------------------
def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def _sqlite_inventory(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = {
        name: conn.execute(f"SELECT count(*) FROM {_quote_ident(name)}").fetchone()[0]  # noqa: S608
        for name in _sqlite_tables(conn)
    }
    return tables, _migrations(conn.execute, "django_migrations" in tables)


PG_TABLES_SQL = (
    "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
)


def _pg_inventory(cursor) -> tuple[dict[str, int], dict[str, list[str]]]:
    cursor.execute(PG_TABLES_SQL)
    names = cursor.fetchall()
    tables = {}
    for schema, table in names:
        cursor.execute(f"SELECT count(*) FROM {_quote_ident(schema)}.{_quote_ident(table)}")  # noqa: S608
        tables[f"{schema}.{table}"] = cursor.fetchone()[0]

    def execute(sql):
        cursor.execute(sql)
        return cursor.fetchall()

    return tables, _migrations(execute, "public.django_migrations" in tables)


def _migrations(execute, present: bool) -> dict[str, list[str]]:
    if not present:
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        applied.setdefault(app, []).append(name)
    return applied


def table_fingerprints() -> dict[str, dict]:
    """{table: {"rows": n, "sha256": digest of its sorted rows}} for the configured database —
    what a restore test compares between the original and the restored copy."""
    connection = connections[DEFAULT_DB_ALIAS]
    result = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_TABLES_SQL)
            names = [
                (f"{s}.{t}", f"{_quote_ident(s)}.{_quote_ident(t)}") for s, t in cursor.fetchall()
            ]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            names = [(t, _quote_ident(t)) for (t,) in cursor.fetchall()]
        for label, quoted in names:
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[label] = {"rows": len(rows), "sha256": digest}
    return result


# --- backup -----------------------------------------------------------------------------------
def _dump_sqlite(workdir: Path) -> tuple[Path, dict]:
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    target = workdir / "shangyou.sqlite3"
    source = sqlite3.connect(source_path, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: the whole database in one step, one read snapshot
    finally:
        source.close()
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"The SQLite database failed its integrity check: {check}")
        tables, migrations = _sqlite_inventory(copy)
        info = {
            "format": "sqlite3 database file (online backup API)",
            "sqlite_version": sqlite3.sqlite_version,
            "tables": tables,
        }
    finally:
        copy.close()
    return target, {"info": info, "migrations": migrations}


def _dump_postgresql(workdir: Path) -> tuple[Path, dict]:
    target = workdir / "shangyou.pgdump"
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        raise BackupError("A backup cannot run inside a transaction.")
    connection.ensure_connection()
    raw = connection.connection  # psycopg: its own transaction, REPEATABLE READ, read-only
    old_autocommit = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables, migrations = _pg_inventory(cursor)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--no-password",
                ],
                env=pg_env(),
                what="pg_dump",
            )
        raw.rollback()
    finally:
        raw.autocommit = old_autocommit
    info = {
        "format": "pg_dump custom format",
        "server_version": server_version,
        "tables": tables,
    }
    return target, {"info": info, "migrations": migrations}


def _media_storage_is_local() -> bool:
    return isinstance(storages["default"], FileSystemStorage)


def _media_files(root: Path):
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


def create_backup(path: Path, *, echo: Echo = _quiet) -> dict:
    """Write the archive to `path` (via `path.partial`, renamed when complete); return the
    manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name.")
    vendor = database_vendor()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=".shangyou-backup-", dir=path.parent) as tmp:
        echo(f"Dumping the {vendor} database…")
        dump = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        db_file, db = dump(Path(tmp))
        media_root = Path(settings.MEDIA_ROOT)
        media = {"included": _media_storage_is_local(), "files": 0, "bytes": 0}
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                members[DB_MEMBERS[vendor]] = _add_file(tar, db_file, DB_MEMBERS[vendor])
                if media["included"]:
                    echo(f"Adding uploaded files from {media_root}…")
                    for file_path, relative in _media_files(media_root):
                        member = MEDIA_PREFIX + relative
                        members[member] = _add_file(tar, file_path, member)
                        media["files"] += 1
                        media["bytes"] += members[member]["size"]
                else:
                    media["storage"] = type(storages["default"]).__module__
                    echo("Uploaded files are on remote storage and are not in this archive.")
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "app": {"name": "shangyou", "version": shangyou.__version__},
                    "django_version": django.get_version(),
                    "python_version": platform.python_version(),
                    "host": socket.gethostname(),
                    "database": {"vendor": vendor, "member": DB_MEMBERS[vendor], **db["info"]},
                    "migrations": db["migrations"],
                    "media": media,
                    "members": members,
                }
                data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.now(UTC).timestamp())
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# --- restore: read and verify -------------------------------------------------------------
@dataclass
class VerifiedArchive:
    manifest: dict
    staging: Path  # the members, extracted and checked

    @property
    def database_file(self) -> Path:
        return self.staging / self.manifest["database"]["member"]

    @property
    def media_dir(self) -> Path:
        return self.staging / MEDIA_PREFIX.rstrip("/")


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return (
        not pure.is_absolute()
        and ".." not in pure.parts
        and (name == MANIFEST or name.startswith(("database/", MEDIA_PREFIX)))
    )


def _corrupt(path: Path, why: str) -> BackupError:
    return BackupError(
        f"{path} is not a usable Shangyou backup: {why}. Nothing was changed. "
        "Use another copy of the backup."
    )


def verify_archive(path: Path, staging: Path) -> VerifiedArchive:
    """Extract every member into `staging`, checking sizes and SHA-256 sums against the
    manifest. Raises BackupError (nothing else touched) when anything is off."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    found: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile() or not _safe_member_name(member.name):
                    raise _corrupt(path, f"unexpected member {member.name!r}")
                if member.name in found or (member.name == MANIFEST and manifest is not None):
                    raise _corrupt(path, f"member {member.name!r} appears twice")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read().decode())
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = {"size": size, "sha256": digest.hexdigest()}
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        # gzip.BadGzipFile (a bad CRC) is an OSError and JSON errors are ValueErrors; a damaged
        # deflate stream raises zlib.error, which is neither.
        raise _corrupt(path, f"the archive cannot be read ({exc})") from exc
    if not isinstance(manifest, dict):
        raise _corrupt(path, "it has no manifest")
    if manifest.get("format") != FORMAT:
        raise _corrupt(path, "its manifest is not a Shangyou backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a version {manifest.get('format_version')} backup; this Shangyou reads "
            f"version {FORMAT_VERSION}. Restore it with the Shangyou version that made it "
            f"({manifest.get('app', {}).get('version', '?')})."
        )
    try:
        expected = dict(manifest["members"])
        str(manifest["database"]["member"]) + str(manifest["database"]["vendor"])
        dict(manifest["database"]["tables"]), dict(manifest["migrations"])
        bool(manifest["media"]["included"]), str(manifest["app"]["version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(path, f"its manifest lacks {exc}") from exc
    for name, meta in expected.items():
        if name not in found:
            raise _corrupt(path, f"{name} is missing")
        if found[name] != {"size": meta.get("size"), "sha256": meta.get("sha256")}:
            raise _corrupt(path, f"the checksum of {name} does not match the manifest")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise _corrupt(path, f"{extra[0]} is not listed in the manifest")
    if manifest["database"]["member"] not in found:
        raise _corrupt(path, "the database dump is missing")
    return VerifiedArchive(manifest=manifest, staging=staging)


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup from newer code; return migrations the code has and the backup lacks."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    recorded = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(recorded - known)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"The backup was made by Shangyou {manifest['app']['version']} with migrations this "
            f"installation does not have (e.g. {app}.{name}). Install that version or newer, "
            "then restore."
        )
    return [f"{app}.{name}" for app, name in sorted(known - recorded)]


# --- restore: what is there now ------------------------------------------------------------
def _existing_tables(vendor: str) -> dict[str, int]:
    if vendor == "sqlite":
        path = _sqlite_path()
        if not path.exists():
            return {}
        conn = sqlite3.connect(path, timeout=30)
        try:
            return {
                t: conn.execute(f"SELECT count(*) FROM {_quote_ident(t)}").fetchone()[0]  # noqa: S608
                for t in _sqlite_tables(conn)
            }
        finally:
            conn.close()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(PG_TABLES_SQL)
        return {f"{s}.{t}": -1 for s, t in cursor.fetchall()}


def _media_is_empty(root: Path) -> bool:
    return next(iter(_media_files(root)), None) is None


# --- restore: load -----------------------------------------------------------------------------
def _restore_sqlite(archive: VerifiedArchive) -> None:
    expected = archive.manifest["database"]["tables"]
    staged = sqlite3.connect(archive.database_file)
    try:
        (check,) = staged.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"The database in the backup failed its integrity check: {check}")
        tables, _ = _sqlite_inventory(staged)
        if tables != expected:
            raise BackupError(
                "The database in the backup does not hold the rows its manifest lists."
            )
        target_path = _sqlite_path()
        target_path.parent.mkdir(parents=True, exist_ok=True)
        connections[DEFAULT_DB_ALIAS].close()
        target = sqlite3.connect(target_path, timeout=60)
        try:
            staged.backup(target)  # replaces every page of the target in one transaction
            restored, _ = _sqlite_inventory(target)
        finally:
            target.close()
    finally:
        staged.close()
    if restored != expected:
        raise BackupError("The restored database does not hold the rows the backup lists.")


def _pg_verification_sql(tables: dict[str, int]) -> str:
    lines = ["DO $shangyou$", "DECLARE n bigint;", "BEGIN"]
    for label, count in sorted(tables.items()):
        schema, table = label.split(".", 1)
        qualified = f"{_quote_ident(schema)}.{_quote_ident(table)}"
        literal = label.replace("'", "''")
        count = int(count)
        message = f"'restored table % has % rows; the backup lists {count}', '{literal}', n"
        # Names come from pg_catalog (quoted); counts are integers.
        check = f"SELECT count(*) INTO n FROM {qualified};"  # noqa: S608
        lines.append(f"  {check} IF n <> {count} THEN RAISE EXCEPTION {message}; END IF;")
    lines += ["END", "$shangyou$;", ""]
    return "\n".join(lines)


def _restore_postgresql(archive: VerifiedArchive, *, replace: bool) -> None:
    """pg_restore's SQL piped into one psql transaction: drop (with --force), load, count."""
    env = pg_env()
    connections[DEFAULT_DB_ALIAS].close()
    prelude = "SET client_min_messages = warning;\n"
    if replace:
        prelude += "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
    suffix = _pg_verification_sql(archive.manifest["database"]["tables"])
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_out:
        try:
            psql = subprocess.Popen(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
                stdin=subprocess.PIPE,
                stdout=psql_out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        except FileNotFoundError as exc:
            raise BackupError("psql was not found; install the PostgreSQL client tools.") from exc
        pg_restore = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-acl", "--file=-", str(archive.database_file)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        try:
            psql.stdin.write(prelude.encode())
            while chunk := pg_restore.stdout.read(CHUNK):
                psql.stdin.write(chunk)
            psql.stdin.write(suffix.encode())
        except BrokenPipeError:
            pass  # psql stopped on an error; its output says which
        finally:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
        restore_code = pg_restore.wait()
        psql_code = psql.wait()
        if restore_code or psql_code:
            restore_err.seek(0)
            psql_out.seek(0)
            detail = (psql_out.read() + restore_err.read()).decode(errors="replace").strip()
            raise BackupError(
                "Restoring the PostgreSQL database failed and was rolled back; the database is "
                f"as it was. {detail[-2000:]}"
            )


def _restore_media(archive: VerifiedArchive, media_root: Path) -> Path | None:
    """Swap the restored media directory into place; return where the old one was kept."""
    source = archive.media_dir
    if not source.exists():
        source.mkdir(parents=True)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if media_root.exists():
        if _media_is_empty(media_root):
            shutil.rmtree(media_root)
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
            os.replace(media_root, kept)
    try:
        os.replace(source, media_root)
    except OSError:  # another filesystem: copy instead
        shutil.copytree(source, media_root)
    return kept


@dataclass
class RestoreReport:
    manifest: dict
    pending_migrations: list[str]
    old_media: Path | None


def restore_backup(path: Path, *, force: bool = False, echo: Echo = _quiet) -> RestoreReport:
    vendor = database_vendor()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".shangyou-restore-", dir=media_root.parent) as tmp:
        echo(f"Verifying {path}…")
        archive = verify_archive(Path(path), Path(tmp))
        manifest = archive.manifest
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                f"The backup holds a {manifest['database']['vendor']} database but this "
                f"installation is configured for {vendor} (DATABASE_URL). A backup restores "
                "into the same kind of database; to move between them, see docs/operations.md."
            )
        pending = _check_migrations(manifest)
        if not force:
            existing = _existing_tables(vendor)
            if existing:
                raise BackupError(
                    f"The database already has {len(existing)} tables "
                    f"(e.g. {sorted(existing)[0]}). Restoring replaces all of it: pass --force "
                    "to overwrite it, or point DATABASE_URL at an empty database."
                )
            if manifest["media"]["included"] and not _media_is_empty(media_root):
                raise BackupError(
                    f"{media_root} already holds uploaded files. Pass --force to replace them "
                    "(the current directory is kept beside it), or empty it first."
                )
        echo(f"Restoring the {vendor} database…")
        if vendor == "sqlite":
            _restore_sqlite(archive)
        else:
            _restore_postgresql(archive, replace=force)
        old_media = None
        if manifest["media"]["included"]:
            echo(f"Restoring {manifest['media']['files']} uploaded files into {media_root}…")
            old_media = _restore_media(archive, media_root)
    return RestoreReport(manifest=manifest, pending_migrations=pending, old_media=old_media)
