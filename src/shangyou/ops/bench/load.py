"""`shangyou bench load`: a headless locust run against `shangyou serve` on this machine.

Starts the server (gunicorn with N workers, on 127.0.0.1 only), creates API tokens for the
bench company's owner and administrator, writes the plan the locustfile reads (logins, tokens,
sample customer and directory ids, search terms), runs `benchmarks/load/locustfile.py` for the
given time, then stops the server, deletes the tokens and records
`benchmarks/results/load-<db>.json` (per request type and overall: requests, failures, p50, p95,
p99, requests/s).
"""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from shangyou.core.actor import Role

from . import runner

SEARCH_TERMS = ["张伟", "王芳", "李娜", "zhangwei", "wangfang", "zw", "ly", "恒通", "1380013"]
DIRECTORY_TERMS = ["恒通", "宏达", "机械", "hengtong", "xinsheng", "轴承", "连接器", "LED"]


def locustfile_path() -> Path:
    return runner.repo_root() / "benchmarks" / "load" / "locustfile.py"


def make_plan(company, *, tokens: int = 8, seed: int = 1) -> tuple[dict, list[int]]:
    from shangyou.accounts.models import Membership
    from shangyou.accounts.services import token_create
    from shangyou.contacts.models import Customer
    from shangyou.network.models import CompanyProfile

    from .generate import BENCH_PASSWORD

    members = list(
        Membership.objects.filter(company=company, role__in=[Role.OWNER, Role.ADMIN])
        .select_related("user")
        .order_by("id")
    )
    token_ids, raws = [], []
    for i in range(tokens):
        m = members[i % len(members)]
        token, raw = token_create(user=m.user, company=company, name=f"bench load {i}")
        token_ids.append(token.pk)
        raws.append(raw)
    live = Customer.objects.filter(company=company)
    first = live.order_by("id").values_list("id", flat=True).first()
    last = live.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(seed)
    candidates = sorted({rng.randint(first, last) for _ in range(4000)})
    customer_ids = list(live.filter(pk__in=candidates).values_list("pk", flat=True))
    rng.shuffle(customer_ids)
    directory_ids = list(
        CompanyProfile.objects.filter(is_public=True)
        .exclude(company=company)
        .order_by("id")
        .values_list("company_id", flat=True)[:20000]
    )[::40]
    plan = {
        "password": BENCH_PASSWORD,
        "users": [m.user.email for m in members],
        "tokens": raws,
        "customer_ids": customer_ids,
        "directory_ids": directory_ids or [company.pk],
        "search_terms": SEARCH_TERMS,
        "directory_terms": DIRECTORY_TERMS,
    }
    return plan, token_ids


def _wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"the server did not answer {url} within {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ms(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A" when nothing was measured
        return 0.0


def parse_stats(path: Path) -> dict:
    """locust's `<prefix>_stats.csv` → {name: {requests, failures, p50_ms, …}}."""
    result = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "Aggregated"
            if row["Name"] == "Aggregated":
                name = "Aggregated"
            result[f"{row['Type']} {name}".strip()] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]),
                "rps": round(_ms(row["Requests/s"]), 2),
            }
    return result


def load_test(
    *,
    users: int = 50,
    spawn_rate: int = 10,
    duration: str = "5m",
    port: int = 8765,
    web_workers: int = 4,
    company_slug: str | None = None,
    out_dir: Path | None = None,
    log=print,
) -> dict:
    from shangyou.accounts.models import ApiToken

    company = runner.bench_company(company_slug)
    plan, token_ids = make_plan(company)
    work = Path(tempfile.mkdtemp(prefix="shangyou-load-"))
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SHANGYOU_LOAD_PLAN": str(plan_path)}
    server_log = (work / "server.log").open("w")
    machine_before = runner.machine_info()
    log(f"starting shangyou serve --workers {web_workers} on {base} (log {work / 'server.log'})")
    server = subprocess.Popen(
        [sys.executable, "-m", "shangyou", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(web_workers)],
        env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    started = time.monotonic()
    try:
        _wait_ready(f"{base}/accounts/login/")
        log(f"running locust: {users} users, {duration} …")
        loads = []
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(locustfile_path()), "--headless",
             "-u", str(users), "-r", str(spawn_rate), "-t", duration, "--host", base,
             "--csv", str(work / "run"), "--only-summary", "--stop-timeout", "10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        while locust.poll() is None:
            loads.append(round(os.getloadavg()[0], 2))
            time.sleep(10)
        output = locust.stdout.read() if locust.stdout else ""
        (work / "locust.log").write_text(output)
    finally:
        _stop(server)
        server_log.close()
        ApiToken.objects.filter(pk__in=token_ids).delete()
    stats = parse_stats(work / "run_stats.csv")
    total = stats.get("Aggregated", {})
    if not total.get("requests"):
        raise RuntimeError(f"locust made no requests; see {work / 'locust.log'}")
    failures_csv = work / "run_failures.csv"
    failures = []
    if failures_csv.exists():
        with failures_csv.open(encoding="utf-8") as handle:
            failures = list(csv.DictReader(handle))[:20]
    result = {
        "kind": "load",
        "db": runner.db_label(),
        "users": users,
        "spawn_rate": spawn_rate,
        "duration": duration,
        "web_workers": web_workers,
        "server": "shangyou serve (gunicorn gthread, 4 threads per worker) + task worker",
        "company": company.slug,
        "total": total,
        "error_rate": round(total.get("failures", 0) / max(1, total.get("requests", 0)), 5),
        "requests": {k: v for k, v in stats.items() if k != "Aggregated"},
        "failures": failures,
        "load_average_1m_during": loads,
        "machine": machine_before,
        "conn_max_age": os.environ.get("DB_CONN_MAX_AGE", "0"),
        "seconds": round(time.monotonic() - started, 1),
        "command": f"shangyou bench load --users {users} --duration {duration} "
        f"--web-workers {web_workers}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": runner.git_info(),
    }
    out = Path(out_dir or runner.default_results_dir())
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{result['db']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    log(
        f"{total.get('requests', 0):,} requests, {total.get('failures', 0)} failures "
        f"({100 * result['error_rate']:.2f}%), p50 {total.get('p50_ms')} ms, p95 "
        f"{total.get('p95_ms')} ms, p99 {total.get('p99_ms')} ms → {path}"
    )
    return result
