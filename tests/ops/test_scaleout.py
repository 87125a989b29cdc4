"""Scale-out on one host: several gunicorn web processes and several task workers on one
database, driven over real HTTP — with the Redis queue (django-tasks-rq) on PostgreSQL, and with
the database queue on the suite's database. Every task must run exactly once."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from .scratch import (
    REDIS_URL,
    app_env,
    company_with_token,
    free_port,
    http,
    require_postgres,
    require_redis,
    shell_json,
    suite_vendor,
    wait_for_http,
    wait_until,
)

pytestmark = pytest.mark.ops

CUSTOMERS = 24
TASKS = 6

ENQUEUE = """
import json
from shangyou.core.tasks import search_reindex
ids = [search_reindex.enqueue({company}, "contacts.Customer", batch_size=5).id for _ in range({n})]
print("JSON=" + json.dumps(ids))
"""

RESULTS = """
import json
from django_tasks import default_task_backend
from shangyou.core.models import TaskProgress
from shangyou.core.tasks import progress_id_for
out = {{}}
for task_id in {ids!r}:
    result = default_task_backend.get_result(task_id)
    progress = TaskProgress.objects.filter(pk=progress_id_for(task_id))
    out[task_id] = {{
        "status": str(result.status),
        "worker_ids": list(result.worker_ids),
        "return_value": result.return_value if str(result.status) == "SUCCESSFUL" else None,
        "progress": [[p.status, p.done] for p in progress],
    }}
print("JSON=" + json.dumps(out))
"""


@pytest.fixture
def redis_lock():
    """Serialise the rq scenario across concurrent test runs sharing the Redis database: they
    would otherwise run each other's jobs against the wrong database."""
    client = require_redis()
    key, token = "shangyou-tests:scaleout-lock", uuid.uuid4().hex
    wait_until(
        lambda: client.set(key, token, nx=True, ex=300),
        timeout=300,
        interval=1,
        what="the Redis test lock",
    )
    for name in client.scan_iter("rq:*"):  # leftovers of an earlier, killed run
        client.delete(name)
    yield client
    if client.get(key) == token.encode():
        client.delete(key)


def _run_scenario(*, db, ops_dir, processes, backend: str, extra_env: dict):
    data = ops_dir / "data"
    data.mkdir()
    env = app_env(db, data, SHANGYOU_TASKS_BACKEND=backend, **extra_env)
    company_id, token = company_with_token(env, "scale")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = processes.start("web", env, "serve", "--port", str(port), "--workers", "2", "--no-worker")
    workers = [processes.start(f"worker{i}", env, "worker") for i in (1, 2)]
    wait_for_http(f"{base}/healthz", web, processes)

    # Records created through the API, concurrently, over real HTTP to both web processes.
    def create(i: int):
        return http(
            "POST",
            f"{base}/api/v1/customers",
            token=token,
            data={"name": f"扩展客户{i}", "phone": f"+86 139 0000 {i:04d}"},
        )

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(create, range(CUSTOMERS)))
    assert [r.status for r in responses] == [201] * CUSTOMERS, responses[0].body
    listed = http("GET", f"{base}/api/v1/customers?q={quote('扩展客户')}&limit=100", token=token)
    assert listed.status == 200 and listed.json()["count"] == CUSTOMERS

    # Real tasks, picked up by the two workers: each runs exactly once.
    ids = shell_json(env, ENQUEUE.format(company=company_id, n=TASKS))

    def finished():
        results = shell_json(env, RESULTS.format(ids=ids))
        if all(r["status"] in ("SUCCESSFUL", "FAILED") for r in results.values()):
            return results
        return None

    try:
        results = wait_until(finished, timeout=90, interval=1, what="the tasks to finish")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{processes.logs()}") from None
    ran_on = set()
    for task_id, result in results.items():
        assert result["status"] == "SUCCESSFUL", (task_id, result, processes.logs())
        assert len(result["worker_ids"]) == 1, result  # claimed and run once
        assert result["return_value"]["rows"] == CUSTOMERS
        assert result["progress"] == [["done", CUSTOMERS]]  # one progress row, finished
        ran_on.add(result["worker_ids"][0])
    assert all(w.poll() is None for w in workers), processes.logs()
    assert web.poll() is None
    # Still serving after the background work; search answers through the index.
    found = http("GET", f"{base}/api/v1/customers?q=kuozhan", token=token)
    assert found.status == 200 and found.json()["count"] == CUSTOMERS
    return ran_on


def test_rq_workers_and_gunicorn_on_postgresql(scratch, ops_dir, processes, redis_lock):
    require_postgres()
    db = scratch("sy_scale", "postgresql")
    started = time.monotonic()
    ran_on = _run_scenario(
        db=db,
        ops_dir=ops_dir,
        processes=processes,
        backend="rq",
        extra_env={"REDIS_URL": REDIS_URL},
    )
    assert ran_on  # names of the rq workers that ran them (one or both)
    assert time.monotonic() - started < 240


def test_database_queue_workers_and_gunicorn(scratch, ops_dir, processes):
    db = scratch("sy_scale", suite_vendor())
    ran_on = _run_scenario(
        db=db, ops_dir=ops_dir, processes=processes, backend="database", extra_env={}
    )
    assert all(worker_id.startswith("sy:") for worker_id in ran_on)
