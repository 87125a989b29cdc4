"""The results table of docs/benchmarks.md, rebuilt from benchmarks/results/*.json.

`shangyou bench run --update-docs` rewrites what lies between the marker comments; everything
else in the page is prose kept by hand.
"""

import json
from pathlib import Path

from .scenarios import SCENARIOS

RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"
GENERATE_START = "<!-- bench:generate:start -->"
GENERATE_END = "<!-- bench:generate:end -->"
LOAD_START = "<!-- bench:load:start -->"
LOAD_END = "<!-- bench:load:end -->"


def load_runs(results_dir: Path) -> list[dict]:
    runs = []
    for path in sorted(Path(results_dir).glob("load-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("kind") == "load":
            runs.append(data)
    return runs


def load_table(runs: list[dict]) -> str:
    """The locust runs: overall and per request type."""
    lines = [
        "| DB | Request | Requests | Failures | p50 / p95 / p99 (ms) | Req/s |",
        "|---|---|---|---|---|---|",
    ]
    notes = []
    for run in runs:
        rows = [("**all**", run["total"])] + sorted(run["requests"].items())
        for name, r in rows:
            lines.append(
                f"| {run['db']} | {name} | {r['requests']:,} | {r['failures']:,} | "
                f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['p99_ms']:.0f} | {r['rps']} |"
            )
        loads = run.get("load_average_1m_during") or []
        load_text = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"
        notes.append(
            f"{run['db']}: `{run['command']}` — {run['users']} users for {run['duration']} "
            f"against `shangyou serve --workers {run['web_workers']}` on the same machine, "
            f"error rate {100 * run['error_rate']:.2f}%, 1-minute load average {load_text} "
            f"during the run, {run['date'][:10]}."
        )
    return "\n".join(lines + [""] + notes)


def load_results(results_dir: Path) -> tuple[list[dict], list[dict]]:
    scenarios, generations = [], []
    for path in sorted(Path(results_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("kind") == "generate":
            generations.append(data)
        elif data.get("scenario"):
            scenarios.append(data)
    order = {name: i for i, name in enumerate(SCENARIOS)}
    scenarios.sort(key=lambda r: (order.get(r["scenario"], len(order)), r["scenario"], r["db"]))
    generations.sort(key=lambda r: (r.get("db", ""), r.get("date", "")))
    return scenarios, generations


def _machine(m: dict) -> str:
    db = m.get("database", {})
    ref = m.get("cpu_ref_ms")
    if isinstance(ref, list):
        ref = " → ".join(f"{x:g}" for x in ref)
    speed = f"; CPU ref {ref} ms" if ref else ""
    return (
        f"{m.get('cpus')} × {m.get('cpu_model')}, {m.get('memory_gb')} GB{speed}; "
        f"{db.get('vendor')} {db.get('version')}"
    )


def _load(m: dict) -> str:
    load = m.get("load_average_1m")
    if isinstance(load, list):
        return " → ".join(f"{x:.1f}" for x in load)
    return "–" if load is None else f"{load:.1f}"


def _size(d: dict) -> str:
    text = f"{d.get('customers_in_company', 0):,} of {d.get('customers_total', 0):,} customers"
    more = [
        f"{d[key]:,} {label}"
        for key, label in (
            ("contacts_total", "contacts"),
            ("timeline_total", "timeline"),
            ("profiles_total", "profiles"),
        )
        if d.get(key)
    ]
    return text + (f" ({', '.join(more)})" if more else "")


def results_table(scenarios: list[dict]) -> str:
    lines = [
        "| Scenario | DB | Target | Measured p50 / p95 / p99 (ms) | Met | Queries | "
        "Data size (company / total) | Machine | Load (1 min) | Date |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in scenarios:
        m = r["measured"]
        met = {True: "yes", False: "**no**", None: "–"}[r.get("met")]
        target = (r.get("target") or {}).get("text", "–")
        if "p50_ms" in m:
            figures = f"{m['p50_ms']} / {m['p95_ms']} / {m['p99_ms']}"
            queries = m["queries_per_request"]
        else:  # a batch scenario (import): one timed operation
            figures = (
                f"{m['rows']:,} rows in {m['total_s']} s = {m['rows_per_s']:,} rows/s "
                f"(preview {m['preview_s']} s, run {m['run_s']} s)"
            )
            queries = "–"
        lines.append(
            f"| `{r['scenario']}` | {r['db']} | {target} | {figures} | {met} | {queries} | "
            f"{_size(r['data_size'])} | {_machine(r['machine'])} | "
            f"{_load(r['machine'])} | {r['date'][:10]} |"
        )
    return "\n".join(lines)


def generate_table(generations: list[dict]) -> str:
    """One line per table made, from every `generate-*.json` (a full run, or tables added to
    existing customers with --tables)."""
    lines = [
        "| DB | Table | Rows | Rows/s (incl. index rebuild) | Seconds | Workers | Notes | Date |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g in generations:
        notes = {n.split(":", 1)[0]: n.split(":", 1)[1].strip() for n in g.get("notes", [])}
        for t in g["tables"]:
            if not t["rows"] or "(" in t["table"]:  # "tenants (existing)", "… (total)"
                continue
            lines.append(
                f"| {g['db']} | `{t['table']}` | {t['rows']:,} | {t['rows_per_second']:,} | "
                f"{t['seconds']:,.0f} | {g['workers']} | {notes.get(t['table'], '–')} | "
                f"{g['date'][:10]} |"
            )
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, body: str) -> str:
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _old, tail = rest.split(end, 1)
        return head + block + tail
    return text.rstrip("\n") + "\n\n" + block + "\n"


def update_docs(docs_path: Path, results_dir: Path) -> None:
    scenarios, generations = load_results(results_dir)
    text = docs_path.read_text() if docs_path.exists() else "# Benchmarks\n"
    text = _replace(text, RESULTS_START, RESULTS_END, results_table(scenarios))
    text = _replace(text, GENERATE_START, GENERATE_END, generate_table(generations))
    runs = load_runs(results_dir)
    if runs:
        text = _replace(text, LOAD_START, LOAD_END, load_table(runs))
    docs_path.write_text(text)
