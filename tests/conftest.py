"""Shared fixtures: companies with a member in every role, actors, API clients, a real SMTP
server (aiosmtpd) and per-test data directories."""

import itertools
import socket
import threading
from email import message_from_bytes, policy

import pytest
from django.test import Client

from shangyou.accounts.models import Company, Membership, Team, User
from shangyou.accounts.selectors import actor_from_membership
from shangyou.accounts.services import token_create
from shangyou.core.actor import Role

PASSWORD = "Correct-Horse-9"
_seq = itertools.count(1)


def pytest_configure(config):
    """Test databases that threads can share and concurrent runs cannot collide on.

    SQLite: a file (not the shared-cache in-memory default), so the concurrency tests' threads
    each get a real connection with WAL and BEGIN IMMEDIATE. PostgreSQL: `<NAME>_t<run id>`
    (pytest-xdist adds `_gw0`…), so two people running the suite on one server do not destroy
    each other's test database. SHANGYOU_TEST_DB_NAME, when set, wins for SQLite.
    """
    import os
    import tempfile

    from django.conf import settings

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if test.get("NAME"):
        return
    run_id = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid()))[:8]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        test["NAME"] = os.path.join(tempfile.gettempdir(), f"shangyou_test_{run_id}.sqlite3")
        # A throwaway database need not survive a power cut: skip fsync (migrations 2x faster).
        options = db.setdefault("OPTIONS", {})
        options["init_command"] = options.get("init_command", "").replace(
            "synchronous=NORMAL", "synchronous=OFF"
        )
    elif db["ENGINE"] == "django.db.backends.postgresql":
        test["NAME"] = f"{db['NAME']}_t{run_id}"


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Fast hashing in tests; argon2 is covered by a test of its own.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_HOST = ""
    # Django's test setup swaps in the locmem backend; we use the real one (outbox + SMTP).
    settings.EMAIL_BACKEND = "shangyou.core.mail.OutboxEmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()


class Tenant:
    """A company with one member per role (and a second salesperson in another team)."""

    def __init__(self, name: str, slug: str, member_type: str = Company.MemberType.BOTH):
        self.company = Company.objects.create(name=name, slug=slug, member_type=member_type)
        self.team_a = Team.objects.create(company=self.company, name="Team A")
        self.team_b = Team.objects.create(company=self.company, name="Team B")
        self.memberships: dict[str, Membership] = {}
        for key, role, team in [
            ("owner", Role.OWNER, None),
            ("admin", Role.ADMIN, None),
            ("manager", Role.MANAGER, self.team_a),
            ("sales", Role.SALES, self.team_a),
            ("sales_b", Role.SALES, self.team_b),
            ("service", Role.SERVICE, self.team_a),
            ("readonly", Role.READONLY, None),
        ]:
            user = User.objects.create_user(
                f"{key}@{slug}.test", PASSWORD, full_name=f"{key.title()} {slug}"
            )
            self.memberships[key] = Membership.objects.create(
                company=self.company, user=user, role=role, team=team
            )

    def user(self, key: str = "owner") -> User:
        return self.memberships[key].user

    def actor(self, key: str = "owner"):
        return actor_from_membership(self.memberships[key])

    def client(self, key: str = "owner") -> Client:
        client = Client()
        client.force_login(self.user(key), backend="shangyou.accounts.backends.EmailBackend")
        return client

    def api(self, key: str = "owner") -> Client:
        _token, raw = token_create(user=self.user(key), company=self.company)
        return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def english(settings):
    """English messages, so tests can assert on the text a user reads (zh-hans is the default)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tenant_factory(db):
    def make(name: str | None = None, member_type: str = Company.MemberType.BOTH) -> Tenant:
        n = next(_seq)
        return Tenant(name or f"Company {n}", f"co{n}", member_type)

    return make


@pytest.fixture
def tenant(tenant_factory) -> Tenant:
    return tenant_factory("甲公司")


@pytest.fixture
def other_tenant(tenant_factory) -> Tenant:
    return tenant_factory("乙公司")


# --- a real SMTP server -------------------------------------------------------------------------
class Mailbox:
    def __init__(self) -> None:
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def bodies(self) -> list[str]:
        result = []
        for message in self.messages:
            part = message.get_body(preferencelist=("plain",))
            result.append(part.get_content() if part else "")
        return result


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on a free local port; Django sends through it over real SMTP."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield mailbox
    finally:
        controller.stop()
