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
    before, after = data["machine"]["cpu_ref_ms"]  # the machine's speed around the scenario
    assert before > 0 and after > 0
    assert "CPU ref" in report._machine(data["machine"])
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


# --- contacts, timeline, tasks, profiles, directory ----------------------------------------------
def crm_snapshot() -> dict:
    from shangyou.contacts.models import Contact, Task, TimelineEntry
    from shangyou.network.models import CompanyProfile

    return {
        "contacts": list(
            Contact.objects.order_by("id").values_list(
                "customer__name", "name", "title", "mobile", "email", "is_primary", "search_text"
            )
        ),
        "timeline": list(
            TimelineEntry.objects.order_by("id").values_list(
                "customer__name", "kind", "occurred_at", "subject", "author__email"
            )
        ),
        "tasks": list(
            Task.objects.order_by("id").values_list("title", "kind", "due_at", "done_at")
        ),
        "profiles": list(
            CompanyProfile.objects.order_by("id").values_list(
                "company__name", "company__slug", "main_products", "industries", "search_text"
            )
        ),
    }


def make_crm(seed: int = 21, scale: int = 20, directory: int = 15) -> dict:
    return generate(
        Options(scale=scale, seed=seed, companies=2, workers=1, directory_companies=directory),
        log=quiet,
    )


def test_crm_tables_are_generated_per_customer_and_deterministic(db):
    from shangyou.contacts.models import Contact, TimelineEntry
    from shangyou.ops.bench.crm import CONTACTS_PER_CUSTOMER, TIMELINE_PER_CUSTOMER

    try:
        with transaction.atomic():
            make_crm()
            first = crm_snapshot()
            raise Rollback
    except Rollback:
        pass
    make_crm()
    again = crm_snapshot()
    assert again == first
    assert len(first["contacts"]) == 20 * CONTACTS_PER_CUSTOMER
    assert len(first["timeline"]) == 20 * TIMELINE_PER_CUSTOMER
    assert len(first["profiles"]) == 2 + 15  # the tenants' own profiles and the directory
    assert first["tasks"]
    customer = Customer.objects.order_by("id").first()
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1
    entries = TimelineEntry.objects.filter(customer=customer)
    assert {e.kind for e in TimelineEntry.objects.all()} >= {"call", "note", "email_out"}
    assert all(e.occurred_at >= customer.created_at for e in entries)
    assert all(c.search_text and c.search_grams for c in Contact.objects.all())


def test_customers_were_last_contacted_at_their_newest_interaction(db):
    from django.db.models import Max

    from shangyou.contacts.models import TimelineEntry
    from shangyou.contacts.timeline import INTERACTIONS

    make_crm(seed=23)
    newest = dict(
        TimelineEntry.objects.filter(kind__in=INTERACTIONS)
        .values("customer_id")
        .annotate(at=Max("occurred_at"))
        .values_list("customer_id", "at")
    )
    contacted = dict(Customer.objects.values_list("id", "last_contacted_at"))
    assert newest and contacted == {pk: newest.get(pk) for pk in contacted}
    notes_only = TimelineEntry.objects.exclude(kind__in=INTERACTIONS).values("customer_id")
    assert notes_only.exists()  # notes too, whose times the date ignores


def test_tables_are_added_to_existing_customers(db):
    from shangyou.contacts.models import Contact, TimelineEntry

    generate(
        Options(scale=12, seed=22, companies=2, workers=1, tables=("tenants", "customers")),
        log=quiet,
    )
    assert Customer.objects.count() == 12 and not Contact.objects.exists()
    summary = generate(
        Options(scale=0, seed=22, companies=2, workers=1, tables=("contacts",)), log=quiet
    )
    assert Contact.objects.count() == 36
    assert not TimelineEntry.objects.exists()
    assert summary["tables_requested"] == ["contacts"]
    with pytest.raises(ValueError, match="unknown table"):
        generate(Options(scale=0, seed=22, workers=1, tables=("invoices",)), log=quiet)


def test_directory_profiles_are_found_by_product_pinyin_and_chinese(db):
    from shangyou.network.models import CompanyProfile
    from shangyou.network.selectors import directory_search

    make_crm(seed=23, scale=6, directory=30)
    profile = (
        CompanyProfile.objects.filter(is_public=True, company__slug__contains="-d")
        .select_related("company")
        .order_by("id")
        .first()
    )
    product = profile.main_products.split("、")[0]
    found = directory_search(actor=None, q=product)
    assert profile in found
    assert profile in directory_search(actor=None, q=pinyin_forms(profile.company.name)[1])
    assert profile in directory_search(actor=None, q=profile.company.name[:2])


def test_bench_run_new_scenarios_write_results(db, tmp_path, settings, monkeypatch):
    make_crm(seed=24, scale=30, directory=10)
    monkeypatch.setenv("SHANGYOU_BENCH_IMPORT_ROWS", "120")
    settings.DATA_DIR = tmp_path
    names = [
        "customer_api_list_page1",
        "customer_api_list_offset",
        "contact_api_list",
        "task_api_list",
        "customer_list_filter_sort",
        "customer_360",
        "customer_timeline_api",
        "directory_search_cjk2",
        "directory_search_product",
        "visit_record",
        "profile_view",
        "profile_view_no_visit",
        "import_customers_csv",
    ]
    companies_before = Company.objects.count()
    results = runner.run(names, repeat=2, warmup=1, out_dir=tmp_path, log=quiet)
    by_name = {r["scenario"]: r for r in results}
    assert list(by_name) == names
    assert by_name["customer_timeline_api"]["rows_found"]
    for name in ("contact_api_list", "task_api_list"):
        assert all(by_name[name]["rows_found"].values()), name
    assert by_name["customer_360"]["measured"]["queries_per_request"] > 0
    imported = by_name["import_customers_csv"]["measured"]
    assert imported["rows"] == 120
    assert imported["created"] + imported["skipped"] + imported["merged"] == 120
    assert imported["invalid_rows"] >= 0 and imported["rows_per_s"] > 0
    assert Company.objects.count() == companies_before  # the import company was removed
    docs = tmp_path / "benchmarks.md"
    report.update_docs(docs, tmp_path)
    assert "| `import_customers_csv` |" in docs.read_text()


def test_import_csv_is_deterministic(tmp_path):
    from shangyou.ops.bench.importbench import write_csv

    first = write_csv(tmp_path / "a.csv", 300, 1).read_bytes()
    second = write_csv(tmp_path / "b.csv", 300, 1).read_bytes()
    assert first == second
    assert first.decode("utf-8-sig").count("\n") == 301


def test_locust_stats_are_parsed(tmp_path):
    from shangyou.ops.bench.load import parse_stats

    path = tmp_path / "run_stats.csv"
    path.write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
        "GET,/customers/<id>/,10,0,40,45,20,90,1000,2.5,0,40,42,45,50,60,70,80,90,90,90,90\n"
        ",Aggregated,10,0,40,45,20,90,1000,2.5,0,40,42,45,50,60,70,80,90,90,90,90\n"
    )
    stats = parse_stats(path)
    assert stats["Aggregated"]["requests"] == 10
    assert stats["GET /customers/<id>/"]["p95_ms"] == 70.0
    run = {
        "kind": "load", "db": "postgres", "total": stats["Aggregated"],
        "requests": {k: v for k, v in stats.items() if k != "Aggregated"}, "users": 50,
        "duration": "5m", "web_workers": 4, "error_rate": 0.0, "command": "shangyou bench load",
        "load_average_1m_during": [3.0, 4.5], "date": "2026-11-23T00:00:00+00:00",
    }  # fmt: skip
    table = report.load_table([run])
    assert "| postgres | **all** | 10 | 0 | 40 / 70 / 90 | 2.5 |" in table
