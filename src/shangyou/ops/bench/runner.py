"""`shangyou bench run`: time real requests in-process and write one JSON result per scenario.

Each request goes through the whole Django stack (middleware, session or token auth, view or API
endpoint, template, database) with `django.test.Client`; only the request is timed, after a
warm-up. Per scenario we record latency percentiles, single-client throughput, peak memory, the
SQL the request ran (with each statement's median time) and the plan of the slowest statement,
the data size and the machine.
"""

import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection
from django.db.models import Count
from django.test import Client

from shangyou.accounts.models import Company, Membership, User
from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer
from shangyou.core.actor import Role
from shangyou.core.search import normalize_phone

from .scenarios import SCENARIOS, Request, RunContext, Scenario

SAMPLE_CUSTOMERS = 50
SAMPLE_DIRECTORY = 200
#: The generated tenants (bench-<seed>-<n>), not directory members nor import targets.
TENANT_SLUG_RE = re.compile(r"^bench-\d+-\d+$")
SELECT_LIST_RE = re.compile(r"^(SELECT(?: DISTINCT)?) .{80,}? FROM", re.S)


def repo_root() -> Path:
    import shangyou

    root = Path(shangyou.__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def default_results_dir() -> Path:
    return repo_root() / "benchmarks" / "results"


def db_label() -> str:
    return {"postgresql": "postgres", "sqlite": "sqlite"}.get(connection.vendor, connection.vendor)


# --- environment ------------------------------------------------------------------------------
def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict:
    cpuinfo = _read("/proc/cpuinfo")
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or platform.machine(),
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
         if line.startswith("MemTotal:")),
        0,
    )  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_model": model,
        "cpu_ref_ms": cpu_reference_ms(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "database": database_info(),
    }


def cpu_reference_ms() -> float:
    """How fast this machine runs Python: a fixed workload of the kind a request's Python time
    is made of (calls, strings, dict look-ups), best of 5, in milliseconds. Machines that say
    the same CPU model differed by 2-3x in it here — one idle machine went from 58 to 119 ms
    within minutes — and the latencies measured on them by as much: each scenario records it
    before and after, so results can be compared through it."""

    def work() -> int:
        counts: dict[str, int] = {}
        for i in range(200_000):
            key = f"k{i % 5000}"
            counts[key] = (counts.get(key, 0) + i) % 97
        return len(counts)

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def database_info() -> dict:
    # CONN_MAX_AGE 0 (the default) opens a new connection for every request: part of the time.
    conn = {"conn_max_age": connection.settings_dict.get("CONN_MAX_AGE")}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', "
                "'max_parallel_workers_per_gather')"
            )
            settings = dict(cursor.fetchall())
            return {"vendor": "postgresql", "version": version, "settings": settings, **conn}
        cursor.execute("SELECT sqlite_version()")
        return {"vendor": connection.vendor, "version": cursor.fetchone()[0], **conn}


def database_bytes() -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = connection.settings_dict.get("NAME")
    try:
        return sum(
            Path(f"{name}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{name}{suffix}").exists()
        )
    except (OSError, TypeError):
        return None


def git_info() -> dict:
    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=repo_root(), capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else None
    return {"commit": commit or None, "dirty": dirty}


def unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


# --- context ------------------------------------------------------------------------------------
def bench_company(slug: str | None = None) -> Company:
    """The named company, or the generated (bench-*) company with the most customers."""
    if slug:
        return Company.objects.get(slug=slug)
    companies = [
        pk
        for pk, slug in Company.objects.filter(slug__startswith="bench-").values_list("pk", "slug")
        if TENANT_SLUG_RE.match(slug)
    ]
    if not companies:
        raise LookupError("No generated data here: run `shangyou bench generate --scale N` first.")
    counts = {
        row["company_id"]: row["n"]
        for row in Customer.all_objects.filter(company_id__in=companies)
        .values("company_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    return Company.objects.get(pk=max(companies, key=lambda pk: (counts.get(pk, 0), -pk)))


def build_context(company: Company, *, seed: int = 1) -> tuple[RunContext, dict]:
    from shangyou.accounts.services import token_create

    membership = Membership.objects.select_related("user", "company").get(
        company=company, role=Role.OWNER
    )
    user = membership.user
    if user.last_company_id != company.pk:
        User.objects.filter(pk=user.pk).update(last_company=company)
        user.last_company = company
    web = Client()
    web.force_login(user, backend="shangyou.accounts.backends.EmailBackend")
    token, raw = token_create(user=user, company=company, name="bench run")
    api = Client(headers={"authorization": f"Bearer {raw}"})

    live = Customer.objects.filter(company=company)
    bounds = live.order_by("id").values_list("id", flat=True)
    first, last = bounds.first(), live.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(seed)
    ids: list[int] = []
    if first is not None:
        candidates = sorted({rng.randint(first, last) for _ in range(SAMPLE_CUSTOMERS * 4)})
        found = set(live.filter(pk__in=candidates).values_list("pk", flat=True))
        ids = [pk for pk in candidates if pk in found]
        rng.shuffle(ids)
        ids = ids[:SAMPLE_CUSTOMERS] or list(live.values_list("pk", flat=True)[:SAMPLE_CUSTOMERS])
    phones = []
    for phone in live.filter(pk__in=ids).values_list("phone", flat=True):
        national = normalize_phone(phone)
        if len(national) == 11 and national.startswith("1"):
            phones.append(national)
    from shangyou.network.models import CompanyProfile

    public = CompanyProfile.objects.filter(is_public=True).exclude(company=company)
    members = public.filter(company__slug__contains="-d").order_by("id")
    directory_ids = list(members.values_list("company_id", flat=True)[: SAMPLE_DIRECTORY * 20])[
        ::20
    ] or list(public.order_by("id").values_list("company_id", flat=True)[:SAMPLE_DIRECTORY])
    ctx = RunContext(
        actor=actor_from_membership(membership),
        web=web,
        api=api,
        customer_ids=ids,
        phones=phones,
        directory_ids=directory_ids,
        extra={"token_id": token.pk, "seed": seed},
    )
    size = {
        "customers_total": Customer.all_objects.count(),
        "customers_in_company": live.count(),
        **table_counts(),
        "companies": Company.objects.count(),
        "users": User.objects.count(),
        "database_bytes": database_bytes(),
    }
    return ctx, size


def table_counts() -> dict:
    """Rows of the tables the scenarios read (estimates on PostgreSQL: exact counts of ten
    million rows take seconds)."""
    from shangyou.contacts.models import Contact, Task, TimelineEntry
    from shangyou.network.models import CompanyProfile

    models = {
        "contacts_total": Contact,
        "timeline_total": TimelineEntry,
        "tasks_total": Task,
        "profiles_total": CompanyProfile,
    }
    if connection.vendor != "postgresql":
        return {key: model._base_manager.count() for key, model in models.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [[m._meta.db_table for m in models.values()]],
        )
        estimates = dict(cursor.fetchall())
    return {key: max(0, estimates.get(m._meta.db_table, 0)) for key, m in models.items()}


def cleanup_context(ctx: RunContext) -> None:
    from shangyou.accounts.models import ApiToken

    ApiToken.objects.filter(pk=ctx.extra.get("token_id")).delete()


# --- measuring ----------------------------------------------------------------------------------
class QueryLog:
    """`connection.execute_wrapper` that records each statement's time."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def short_sql(sql: str, limit: int = 700) -> str:
    """The statement without its select list, which is long and says little."""
    text = SELECT_LIST_RE.sub(r"\1 … FROM", sql, count=1)
    return text if len(text) <= limit else text[:limit] + " …"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _send(request: Request):
    if request.call is not None:
        return request.call()
    if request.method == "get":
        response = request.client.get(request.path)
    else:
        response = getattr(request.client, request.method)(
            request.path, data=request.data or {}, content_type="application/json"
        )
    if response.status_code != request.expect_status:
        raise RuntimeError(
            f"{request.path} answered {response.status_code}, expected {request.expect_status}"
        )
    return response


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def measure(
    sc: Scenario, ctx: RunContext, *, repeat: int, warmup: int, with_explain: bool = True
) -> dict:
    requests = sc.requests(ctx)
    if not requests:
        raise RuntimeError(f"{sc.name}: no requests to time")
    found: dict[str, int | None] = {}
    with sc.patched(ctx):
        for _ in range(max(1, warmup)):
            for request in sc.warmup_requests(ctx):
                response = _send(request)
                found[request.label or request.path] = sc.result_rows(ctx, request, response)
        timed = _timed(sc, ctx, requests, repeat)
    return _summary(sc, ctx, requests, repeat, warmup, found, timed, with_explain)


def _timed(sc: Scenario, ctx: RunContext, requests: list[Request], repeat: int) -> dict:

    latencies: list[float] = []
    per_sql: dict[str, list[float]] = {}
    last_params: dict[str, object] = {}
    queries_per_request: list[int] = []
    db_ms: list[float] = []
    started = time.perf_counter()
    for i in range(repeat):
        request = requests[i % len(requests)]
        log = QueryLog()
        with connection.execute_wrapper(log):
            t0 = time.perf_counter_ns()
            _send(request)
            t1 = time.perf_counter_ns()
        latencies.append((t1 - t0) / 1e6)
        queries_per_request.append(len(log.queries))
        db_ms.append(sum(ms for _sql, _params, ms in log.queries))
        for sql, params, ms in log.queries:
            per_sql.setdefault(sql, []).append(ms)
            last_params[sql] = params
    wall = time.perf_counter() - started

    # Memory: Python allocations of one request (untimed pass; tracemalloc slows requests).
    tracemalloc.start()
    peak = 0
    for request in sc.warmup_requests(ctx)[:5]:
        tracemalloc.reset_peak()
        _send(request)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    return {
        "latencies": latencies,
        "per_sql": per_sql,
        "last_params": last_params,
        "queries_per_request": queries_per_request,
        "db_ms": db_ms,
        "wall": wall,
        "peak": peak,
    }


def _summary(sc, ctx, requests, repeat, warmup, found, timed, with_explain) -> dict:
    latencies, per_sql, last_params = timed["latencies"], timed["per_sql"], timed["last_params"]
    queries_per_request, db_ms = timed["queries_per_request"], timed["db_ms"]
    wall, peak = timed["wall"], timed["peak"]

    ordered = sorted(latencies)
    statements = sorted(
        (
            {
                "sql": short_sql(sql),
                "median_ms": round(statistics.median(times), 3),
                "per_request": round(len(times) / repeat, 2),
            }
            for sql, times in per_sql.items()
        ),
        key=lambda s: -s["median_ms"] * s["per_request"],
    )
    slowest_sql = max(per_sql, key=lambda s: statistics.median(per_sql[s])) if per_sql else None
    plan = None
    if with_explain and slowest_sql and slowest_sql.lstrip().upper().startswith("SELECT"):
        plan = explain(slowest_sql, last_params[slowest_sql])
    measured = {
        "requests": repeat,
        "warmup_rounds": warmup,
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
        "throughput_rps": round(repeat / wall, 1),
        "db_ms_per_request_median": round(statistics.median(db_ms), 2),
        "queries_per_request": max(queries_per_request),
        "peak_python_alloc_kb_per_request": round(peak / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    return {
        "measured": measured,
        "requests": [
            {"method": r.method if r.call is None else "call", "path": r.path, "label": r.label}
            for r in requests[:10]
        ],
        "rows_found": found if any(v is not None for v in found.values()) else None,
        "statements": statements[:5],
        "statements_note": (
            "Time of each statement's execute() call. PostgreSQL returns all rows there; SQLite "
            "computes rows while they are fetched, so on SQLite these times undercount."
        ),
        "slowest_statement_plan": plan,
    }


def run(
    names: list[str] | None = None,
    *,
    repeat: int = 200,
    warmup: int = 3,
    out_dir: Path | None = None,
    company_slug: str | None = None,
    with_explain: bool = True,
    log: Callable[[str], None] = print,
) -> list[dict]:
    """Run scenarios (all when `names` is empty) and write `<scenario>-<db>.json` files."""
    unknown = [n for n in names or [] if n not in SCENARIOS]
    if unknown:
        raise LookupError(
            f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}"
        )
    pending = unapplied_migrations()
    if pending:
        raise LookupError(
            f"This database has {len(pending)} unapplied migration(s) ({pending[0]} …): "
            "run `shangyou migrate` first."
        )
    out_dir = Path(out_dir or default_results_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    company = bench_company(company_slug)
    ctx, size = build_context(company)
    machine, git, db = machine_info(), git_info(), db_label()
    results = []
    try:
        for name in names or list(SCENARIOS):
            sc = SCENARIOS[name]
            reason = sc.skip_reason(ctx)
            if reason:
                log(f"{name}: skipped — {reason}")
                continue
            log(f"{name} ({db}, {size['customers_in_company']:,} customers in company) …")
            load_before, ref_before = os.getloadavg()[0], cpu_reference_ms()
            if sc.batch:
                data = sc.measure_batch(ctx, log=log)
            else:
                data = measure(sc, ctx, repeat=repeat, warmup=warmup, with_explain=with_explain)
            m = data["measured"]
            result = {
                "scenario": name,
                "description": sc.description,
                "db": db,
                "target": sc.target.as_dict() if sc.target else None,
                "met": sc.target.met(m) if sc.target else None,
                **data,
                "data_size": {**size, "company": company.slug},
                "machine": {
                    **machine,
                    "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    "cpu_ref_ms": [ref_before, cpu_reference_ms()],
                },
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "git": git,
            }
            path = out_dir / f"{name}-{db}.json"
            path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
            verdict = "" if result["met"] is None else (" met" if result["met"] else " MISSED")
            figures = (
                f"{m['rows']:,} rows in {m['total_s']} s ({m['rows_per_s']:,} rows/s)"
                if sc.batch
                else f"p50 {m['p50_ms']} ms · p95 {m['p95_ms']} ms · p99 {m['p99_ms']} ms · "
                f"{m['throughput_rps']} req/s · {m['queries_per_request']} queries"
            )
            log(f"  {figures} — target {sc.target.text if sc.target else '-'}{verdict} → {path}")
            results.append(result)
    finally:
        cleanup_context(ctx)
    return results
