"""The benchmark harness at a tiny scale: deterministic data, searchable rows, well-formed results.
No timing is asserted anywhere: these tests prove the harness, not the speed."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction

from shangyou.accounts.models import Company, Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer
from shangyou.contacts.selectors import customer_list
from shangyou.core.actor import Role
from shangyou.core.search import CJK_RE, pinyin_forms
from shangyou.ops.bench import report, runner
from shangyou.ops.bench.generate import Options, generate, split_customers


def quiet(_message: str) -> None:
    pass


def make(seed: int = 7, scale: int = 50, companies: int = 2) -> dict:
    return generate(Options(scale=scale, seed=seed, companies=companies, workers=1), log=quiet)


def snapshot() -> list[tuple]:
    return list(
        Customer.objects.order_by("id").values_list(
            "company__slug", "name", "kind", "stage", "phone", "email", "province", "city"
        )
    )


class Rollback(Exception):
    pass


def owner_actor(company: Company):
    return actor_from_membership(
        Membership.objects.select_related("user", "company").get(company=company, role=Role.OWNER)
    )


def test_customers_are_split_over_companies_biggest_first():
    assert split_customers(50, 2) == [35, 15]
    assert sum(split_customers(1_000_000, 5)) == 1_000_000
    assert split_customers(10, 1) == [10]


def test_generate_is_deterministic_for_a_seed(db):
    try:
        with transaction.atomic():
            make(seed=7)
            first = snapshot()
            raise Rollback
    except Rollback:
        pass
    assert not Customer.objects.exists()

    summary = make(seed=7)

    assert snapshot() == first
    assert len(first) == 50
    assert [c["customers"] for c in summary["companies"]] == [35, 15]
    assert sum(CJK_RE.search(row[1]) is not None for row in first) > 10


def test_another_seed_makes_other_data(db):
    make(seed=7)
    first = [row[1:] for row in snapshot()]
    make(seed=8)
    second = [row[1:] for row in snapshot() if row[0].startswith("bench-8-")]
    assert first != second


def test_generate_twice_with_one_seed_is_refused(db):
    make(seed=9, scale=5, companies=1)
    with pytest.raises(RuntimeError, match="already"):
        make(seed=9, scale=5, companies=1)


def test_generated_customers_have_owners_teams_and_search_columns(db):
    make(seed=5)
    company = Company.objects.get(slug="bench-5-1")
    roles = set(Membership.objects.filter(company=company).values_list("role", flat=True))
    assert {Role.OWNER, Role.MANAGER, Role.SALES} <= roles
    customers = list(Customer.objects.filter(company=company))
    assert len(customers) == 35
    assert all(c.search_text for c in customers)
    owned = [c for c in customers if c.owner_id]
    assert owned and all(c.team_id for c in owned)
    sales = set(
        Membership.objects.filter(company=company, role=Role.SALES).values_list("user", flat=True)
    )
    assert {c.owner_id for c in owned} & sales


def test_generated_names_are_found_by_pinyin_and_chinese(db):
    make(seed=3)
    company = Company.objects.get(slug="bench-3-1")
    actor = owner_actor(company)
    chinese = [
        c
        for c in Customer.objects.filter(company=company).order_by("id")
        if CJK_RE.fullmatch(c.name)
    ]
    assert chinese
    target = chinese[0]
    full_pinyin = pinyin_forms(target.name)[1]

    assert target in customer_list(actor=actor, q=full_pinyin)
    assert target in customer_list(actor=actor, q=target.name[:2])


def test_bench_run_writes_well_formed_results(db, tmp_path):
    make(seed=4)
    results = runner.run(
        ["customer_list_page1", "customer_search_pinyin", "customer_detail"],
        repeat=3,
        warmup=1,
        out_dir=tmp_path,
        log=quiet,
    )
    assert [r["scenario"] for r in results] == [
        "customer_list_page1",
        "customer_search_pinyin",
        "customer_detail",
    ]
    db_label = runner.db_label()
    data = json.loads((tmp_path / f"customer_search_pinyin-{db_label}.json").read_text())
    assert data["scenario"] == "customer_search_pinyin"
    assert data["db"] == db_label
    assert data["target"]["text"] == "p95 <= 20 ms"
    assert isinstance(data["met"], bool)
    for key in ("p50_ms", "p95_ms", "p99_ms", "throughput_rps", "peak_rss_mb"):
        assert data["measured"][key] >= 0
    assert data["measured"]["requests"] == 3
    assert data["data_size"]["customers_total"] == 50
    assert data["data_size"]["customers_in_company"] == 35
    assert data["machine"]["cpus"] >= 1
    assert "commit" in data["git"]
    assert data["date"]
    assert data["statements"]


def test_bench_commands_record_generation_and_update_the_docs(db, tmp_path):
    call_command("bench", "generate", "--scale", "12", "--seed", "11", "--out", str(tmp_path))
    call_command(
        "bench",
        "run",
        "customer_list_page500",
        "--repeat",
        "2",
        "--out",
        str(tmp_path),
        "--update-docs",
        str(tmp_path / "benchmarks.md"),
        "--no-explain",
    )
    db_label = runner.db_label()
    generation = json.loads((tmp_path / f"generate-{db_label}.json").read_text())
    assert generation["kind"] == "generate"
    assert generation["scale"] == 12
    docs = (tmp_path / "benchmarks.md").read_text()
    assert report.RESULTS_START in docs and report.GENERATE_START in docs
    assert f"| `customer_list_page500` | {db_label} |" in docs
    # Rewriting keeps one table, not two.
    report.update_docs(tmp_path / "benchmarks.md", tmp_path)
    assert (tmp_path / "benchmarks.md").read_text().count(report.RESULTS_START) == 1
