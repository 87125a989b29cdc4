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
    generations.sort(key=lambda r: r.get("db", ""))
    return scenarios, generations


def _machine(m: dict) -> str:
    db = m.get("database", {})
    return (
        f"{m.get('cpus')} × {m.get('cpu_model')}, {m.get('memory_gb')} GB; "
        f"{db.get('vendor')} {db.get('version')}"
    )


def _load(m: dict) -> str:
    load = m.get("load_average_1m")
    if isinstance(load, list):
        return " → ".join(f"{x:.1f}" for x in load)
    return "–" if load is None else f"{load:.1f}"


def _size(d: dict) -> str:
    return f"{d.get('customers_in_company', 0):,} of {d.get('customers_total', 0):,} customers"


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
        lines.append(
            f"| `{r['scenario']}` | {r['db']} | {target} | "
            f"{m['p50_ms']} / {m['p95_ms']} / {m['p99_ms']} | {met} | "
            f"{m['queries_per_request']} | {_size(r['data_size'])} | {_machine(r['machine'])} | "
            f"{_load(r['machine'])} | {r['date'][:10]} |"
        )
    return "\n".join(lines)


def generate_table(generations: list[dict]) -> str:
    lines = [
        "| DB | Customers | Companies | Workers | Customers rows/s (incl. indexes) | Total | "
        "Notes | Date |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g in generations:
        customers = next((t for t in g["tables"] if t["table"] == "contacts_customer"), {})
        notes = "; ".join(g.get("notes", [])) or "–"
        lines.append(
            f"| {g['db']} | {g['scale']:,} | {len(g['companies'])} | {g['workers']} | "
            f"{customers.get('rows_per_second', 0):,} | {g['seconds']:.0f} s | {notes} | "
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
    docs_path.write_text(text)
