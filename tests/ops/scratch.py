"""Scratch databases, real processes and real HTTP for the operations tests.

These tests run Shangyou the way it is deployed: `shangyou serve` (gunicorn), `shangyou worker`,
`shangyou backup`/`restore` in subprocesses against a database of their own — a SQLite file, or a
PostgreSQL database created for the test (names `sy_bk…`, `sy_scale…`, `sy_fault…`) and dropped
afterwards. A migrated template is made once per test session and cloned (PostgreSQL:
`CREATE DATABASE … TEMPLATE`; SQLite: the backup API), so each test starts from a fresh schema in
well under a second.

PostgreSQL comes from DATABASE_URL when the suite runs on it, else SHANGYOU_TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/postgres); tests that need it skip when it is not
reachable. Redis: SHANGYOU_TEST_REDIS_URL (default redis://127.0.0.1:6379/7).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

PASSWORD = "Correct-Horse-9"
REDIS_URL = os.environ.get("SHANGYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
_STRIPPED_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DB_CONN_MAX_AGE",
    "SHANGYOU_ENV",
    "SHANGYOU_DATA_DIR",
    "SHANGYOU_TASKS_BACKEND",
    "SHANGYOU_TEST_DB_NAME",
    "WEB_CONCURRENCY",
    "PORT",
}


def suite_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


_pg_admin: list = []


def postgres_admin_url() -> str | None:
    """A URL of the server's `postgres` database, or None when no server answers."""
    if _pg_admin:
        return _pg_admin[0]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get(
            "SHANGYOU_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        )
    url = _with_dbname(url, "postgres")
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3, autocommit=True).close()
    except Exception:
        url = None
    _pg_admin.append(url)
    return url


def require_postgres() -> str:
    if suite_vendor() == "sqlite" and not os.environ.get("SHANGYOU_TEST_POSTGRES_URL"):
        pytest.skip(
            "PostgreSQL scenario: runs in the PostgreSQL suite (DATABASE_URL=postgres://…) or "
            "with SHANGYOU_TEST_POSTGRES_URL set"
        )
    url = postgres_admin_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable (set DATABASE_URL or SHANGYOU_TEST_POSTGRES_URL)")
    return url


def require_redis():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return client


def _pg_execute(url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@dataclass
class ScratchDB:
    vendor: str
    url: str
    name: str
    path: Path | None = None  # SQLite
    admin_url: str | None = None  # PostgreSQL

    def query(self, sql: str, params=()) -> list[tuple]:
        """Raw SQL with %s placeholders, on a connection of the test's own."""
        if self.vendor == "postgresql":
            return _pg_execute(self.url, sql, params)
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            rows = conn.execute(sql.replace("%s", "?"), params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            _pg_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def new_database(vendor: str, prefix: str, directory: Path, *, template: ScratchDB | None = None):
    """An empty (or, with `template`, a copied) scratch database."""
    name = unique_name(prefix)
    if vendor == "postgresql":
        admin = require_postgres()
        clause = f' TEMPLATE "{template.name}"' if template else ""
        _pg_execute(admin, f'CREATE DATABASE "{name}"{clause}')
        return ScratchDB(vendor, _with_dbname(admin, name), name, admin_url=admin)
    path = directory / f"{name}.sqlite3"
    if template:
        source, target = sqlite3.connect(template.path), sqlite3.connect(path)
        with contextlib.closing(source), contextlib.closing(target):
            source.backup(target)
    return ScratchDB(vendor, f"sqlite:///{path}", name, path=path)


def app_env(db: ScratchDB, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a Shangyou process on `db` with its own data directory."""
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
    env.update(
        DATABASE_URL=db.url,
        SHANGYOU_DATA_DIR=str(data_dir),
        SHANGYOU_TASKS_BACKEND="database",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="shangyou.config.settings",
    )
    env.update(extra)
    return env


def cli(env: dict, *args: str, timeout: float = 180, check: bool = True):
    """Run `shangyou ARGS` to completion; returns the CompletedProcess."""
    done = subprocess.run(
        [sys.executable, "-m", "shangyou", *args],
        env=env,
        cwd=env["SHANGYOU_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode:
        raise AssertionError(
            f"shangyou {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def shell_json(env: dict, code: str) -> object:
    """Run Python in `shangyou shell`; the code prints one line `JSON=<json>`."""
    out = cli(env, "shell", "-c", code).stdout
    lines = [line for line in out.splitlines() if line.startswith("JSON=")]
    assert lines, out
    return json.loads(lines[-1][5:])


@dataclass
class Processes:
    """Long-running subprocesses of one test, each in its own process group, logged to files."""

    log_dir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, env: dict, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed by the child
        proc = subprocess.Popen(
            [sys.executable, "-m", "shangyou", *args],
            env=env,
            cwd=env["SHANGYOU_DATA_DIR"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.log(name)[-3000:]}" for name in self.procs)

    def stop(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
        # Whatever is left of its group (gunicorn's workers after a killed master, say).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for proc in self.procs.values():  # all at once, then wait for each
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for name in list(self.procs):
            self.stop(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    token: str = "",
    data=None,
    timeout: float = 20,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = {"Accept": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers))


def wait_for_http(url: str, proc: subprocess.Popen, processes: Processes, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}\n{processes.logs()}")
        try:
            if http("GET", url, timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s\n{processes.logs()}")


def wait_until(predicate, *, timeout: float, interval: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def company_with_token(env: dict, slug: str) -> tuple[int, str]:
    """`shangyou company create` + `shangyou token create`: (company id, raw API token)."""
    out = cli(
        env,
        "company",
        "create",
        "--name",
        f"{slug} 贸易有限公司",
        "--slug",
        slug,
        "--owner-email",
        f"owner@{slug}.test",
        "--password",
        PASSWORD,
    ).stdout
    company_id = int(re.search(r"\(id (\d+)\)", out).group(1))
    token = cli(env, "token", "create", "--email", f"owner@{slug}.test").stdout.split()[-1]
    return company_id, token


class Templates:
    """Migrated template databases, made once per session and vendor."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.made: dict[str, ScratchDB] = {}

    def get(self, vendor: str) -> ScratchDB:
        if vendor not in self.made:
            prefix = "sy_scale_tpl" if vendor == "postgresql" else "template"
            db = new_database(vendor, prefix, self.directory)
            data_dir = self.directory / f"data-{db.name}"
            data_dir.mkdir()
            try:
                cli(app_env(db, data_dir), "migrate", "--no-input", "-v", "0", timeout=600)
            except BaseException:
                db.drop()
                raise
            self.made[vendor] = db
        return self.made[vendor]

    def drop_all(self) -> None:
        for db in self.made.values():
            db.drop()


# --- fixtures (imported by the test modules) -----------------------------------------------------
_TEMPLATES: dict[str, Templates] = {}


@pytest.fixture(scope="session")
def scratch_templates():
    directory = Path(tempfile.mkdtemp(prefix="sy-ops-tpl-"))
    templates = _TEMPLATES.setdefault("session", Templates(directory))
    yield templates
    templates.drop_all()
    _TEMPLATES.pop("session", None)
    shutil.rmtree(templates.directory, ignore_errors=True)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def ops_dir():
    """A working directory under /tmp/sy-ops-*: data dirs, SQLite files, logs, archives."""
    directory = Path(tempfile.mkdtemp(prefix="sy-ops-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def scratch(scratch_templates, ops_dir):
    """`scratch(prefix, vendor=None, migrated=True)` → a ScratchDB dropped after the test."""
    made: list[ScratchDB] = []

    def make(prefix: str, vendor: str | None = None, *, migrated: bool = True) -> ScratchDB:
        vendor = vendor or suite_vendor()
        template = scratch_templates.get(vendor) if migrated else None
        db = new_database(vendor, prefix, ops_dir, template=template)
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


@pytest.fixture
def processes(ops_dir):
    procs = Processes(ops_dir)
    yield procs
    procs.stop_all()
