"""A PostgreSQL server of the test's own, to stop and restart for real.

The machine's shared server serves the rest of the suite (xdist workers in parallel): a fault test
must not restart it. `pg_cluster` runs `initdb` in a temporary directory and starts a postmaster on
a free port (TCP on 127.0.0.1, its unix socket in the same directory, trust authentication); the
test can then `restart()`, `stop()` and `start()` it; the fixture stops it and removes the
directory afterwards, also when the test fails.

initdb and postgres refuse to run as root: as root (CI, containers) they run as the `postgres`
OS user through `runuser`; as any other user, as that user. The binaries are found in
/usr/lib/postgresql/<version>/bin (Debian's layout; the newest version), else on PATH.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .scratch import ScratchDB, _pg_execute, free_port, suite_vendor


def postgres_bindir() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()),
        key=lambda p: [int(n) if n.isdigit() else 0 for n in p.parent.name.split(".")],
    )
    if versions:
        return versions[-1]
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _run_as() -> tuple[list[str], int | None, int | None]:
    """(command prefix, uid, gid) to run the server's binaries with; skips when impossible."""
    if os.geteuid() != 0:
        return [], None, None  # initdb only refuses root
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without `runuser` (util-linux): cannot start PostgreSQL")
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no `postgres` OS user to run PostgreSQL as")
    return [runuser, "-u", "postgres", "--"], account.pw_uid, account.pw_gid


@dataclass
class PgCluster:
    bindir: Path
    directory: Path
    port: int
    prefix: list[str]

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def logfile(self) -> Path:
        return self.directory / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> ScratchDB:
        _pg_execute(self.url(), f'CREATE DATABASE "{name}"')
        return ScratchDB("postgresql", self.url(name), name, admin_url=self.url())

    def clone(self, source: ScratchDB, name: str) -> ScratchDB:
        """A copy of `source`, a database on another server (the session's migrated template):
        `pg_dump | psql` takes a second or two where `migrate` takes tens of seconds."""
        target = self.create_database(name)
        dump = subprocess.Popen(
            [str(self.bindir / "pg_dump"), "--no-owner", "--no-privileges", "-d", source.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        restore = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target.url],
            stdin=dump.stdout,
            capture_output=True,
            timeout=300,
            check=False,
        )
        dump.stdout.close()
        dumped = dump.wait(timeout=60)
        if dumped or restore.returncode:
            raise AssertionError(
                f"pg_dump exited {dumped}: {dump.stderr.read().decode(errors='replace')}\n"
                f"psql exited {restore.returncode}: {restore.stderr.decode(errors='replace')}"
            )
        # Written out now, so that the first shutdown checkpoint is a short one.
        _pg_execute(self.url(), "CHECKPOINT")
        return target

    def _run(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(
            [*self.prefix, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise AssertionError(
                f"{' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}\n"
                f"--- server log ---\n{self.log()[-3000:]}"
            )
        return done.stdout

    def pg_ctl(self, action: str, *args: str, timeout: float = 60) -> str:
        return self._run(
            str(self.bindir / "pg_ctl"), action, "-D", str(self.datadir), "-w",
            "-t", str(int(timeout)), *args, timeout=timeout + 10,
        )  # fmt: skip

    def initdb(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.datadir), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-locale", "--no-sync", timeout=120,
        )  # fmt: skip
        # In postgresql.conf, so that `restart` and `start` use the same settings.
        settings = {
            "port": str(self.port),
            "unix_socket_directories": f"'{self.directory}'",
            "listen_addresses": "'127.0.0.1'",
            "max_connections": "50",
            "shared_buffers": "'32MB'",
        }
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.logfile))

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("restart", "-m", mode, "-l", str(self.logfile))

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server whatever state it is in, then remove its directory."""
        if self.running():
            with contextlib.suppress(Exception):
                self.pg_ctl("stop", "-m", "immediate", timeout=30)
        pidfile = self.datadir / "postmaster.pid"
        if pidfile.exists():  # pg_ctl failed: kill the postmaster itself
            with contextlib.suppress(Exception):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)
                time.sleep(0.5)
        shutil.rmtree(self.directory, ignore_errors=True)


def require_postgres_suite() -> None:
    if suite_vendor() == "sqlite" and not os.environ.get("SHANGYOU_TEST_POSTGRES_URL"):
        pytest.skip(
            "PostgreSQL scenario: runs in the PostgreSQL suite (DATABASE_URL=postgres://…) or "
            "with SHANGYOU_TEST_POSTGRES_URL set"
        )


@pytest.fixture
def pg_cluster():
    """A running PostgreSQL server of this test's own (see the module docstring)."""
    require_postgres_suite()
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    prefix, uid, gid = _run_as()
    directory = Path(tempfile.mkdtemp(prefix="sy-pgcluster-"))
    if uid is not None:
        os.chown(directory, uid, gid)
    cluster = PgCluster(bindir, directory, free_port(), prefix)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
