"""The order import under a worker SIGKILLed in the middle of its run (as the customer import's
test in tests/ops/test_faults.py): nothing half-written, and the next worker imports every
order exactly once."""

import os
import signal
import time

import pytest

from shangyou.ops.bench.ordersbench import write_order_csv
from tests.ops.scratch import (  # noqa: F401 - fixtures
    PASSWORD,
    app_env,
    cli,
    ops_dir,
    processes,
    scratch,
    scratch_templates,
    shell_json,
    suite_vendor,
    wait_until,
)

pytestmark = pytest.mark.ops

LINES = 60_000
SETUP = """
import json
from django.db import transaction
from shangyou.accounts.models import Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.orders import importing
membership = Membership.objects.select_related("user", "company").get(company__slug="fault")
actor = actor_from_membership(membership)
with open({path!r}, "rb") as handle:
    data = handle.read()
job = importing.order_import_preview(actor=actor, filename="history.csv", data=data)
with transaction.atomic():
    importing.order_import_commit(actor=actor, job=job, create_missing=True)  # queued on commit
print("JSON=" + json.dumps([job.pk, job.report["orders"], job.report["file_totals"]]))
"""


def test_worker_killed_mid_order_import_resumes_without_loss_or_duplicates(
    scratch,  # noqa: F811 - the fixtures imported above
    ops_dir,  # noqa: F811
    processes,  # noqa: F811
):
    db = scratch("sy_fault", suite_vendor())
    data = ops_dir / "data"
    data.mkdir()
    env = app_env(db, data)
    cli(env, "company", "create", "--name", "导入公司", "--slug", "fault",
        "--owner-email", "owner@fault.test", "--password", PASSWORD)  # fmt: skip
    path = write_order_csv(ops_dir / "history.csv", LINES, seed=3)
    job_id, orders, totals = shell_json(env, SETUP.format(path=str(path)))

    def job():
        return db.query("SELECT status FROM orders_orderimportjob WHERE id = %s", (job_id,))[0][0]

    def count(table):
        return db.query(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 - our table names

    first = processes.start("worker1", env, "worker", "--no-scheduler")
    try:
        wait_until(lambda: job() == "running", timeout=180, what="the import to start")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{processes.logs()}") from None
    time.sleep(1.0)  # within its single transaction
    assert job() == "running", processes.logs()
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    for table in ("orders_salesorder", "orders_orderline", "contacts_customer"):
        assert count(table) == 0, table  # nothing half-written

    processes.start("worker2", env, "worker", "--no-scheduler")
    try:
        wait_until(lambda: job() == "done", timeout=300, what="the re-run")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{processes.logs()}") from None
    assert count("orders_salesorder") == orders
    assert db.query("SELECT count(DISTINCT number) FROM orders_salesorder")[0][0] == orders
    assert count("orders_orderline") == LINES
    assert db.query("SELECT count(*) FROM contacts_timelineentry WHERE kind = 'order'")[0][0] == (
        orders
    )
    assert db.query("SELECT count(DISTINCT code) FROM contacts_customer")[0][0] == count(
        "contacts_customer"
    )
    total = db.query("SELECT sum(total) FROM orders_salesorder")[0][0]
    assert {"CNY": f"{total:.2f}"} == totals
