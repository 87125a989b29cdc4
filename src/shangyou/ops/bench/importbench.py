"""`import_customers_csv`: time a whole customer import (validate + deduplicate + preview, then
the one-transaction commit with search indexing) of a realistic CSV into a fresh company.

The CSV is generated once per size and seed (deterministic) under the data directory:
1,000,000 rows on PostgreSQL, 100,000 on SQLite (`SHANGYOU_BENCH_IMPORT_ROWS` overrides): a B2B
customer list, mostly companies with a contact person. About 0.2% of the rows are invalid (a
broken email address), 1% repeat an earlier row's phone, and people's names repeat as they do
(张伟 …): those are reported as duplicates and skipped. The import company and its rows are removed
afterwards.
"""

import csv
import io
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from . import names
from .scenarios import RunContext, Scenario, Target, scenario

DEFAULT_ROWS = {"postgresql": 1_000_000, "sqlite": 100_000}
HEADER = [
    "客户名称", "类型", "联系人", "职位", "电话", "邮箱", "省份", "城市", "行业", "来源", "备注",
]  # fmt: skip
SOURCE_LABELS = ("展会", "网站", "转介绍", "电话营销", "平台", "")


def import_rows_default() -> int:
    env = os.environ.get("SHANGYOU_BENCH_IMPORT_ROWS")
    return int(env) if env else DEFAULT_ROWS.get(connection.vendor, 100_000)


#: Part of the file name: a new version of the row generator writes a new file.
CSV_VERSION = 2


def csv_path(rows: int, seed: int) -> Path:
    name = f"import-customers-v{CSV_VERSION}-{rows}-seed{seed}.csv"
    return Path(settings.DATA_DIR) / "bench" / name


#: A third brand character for some companies: real company names are far more varied than
#: `names.chinese_company` (which is tuned for search: common brands repeat).
BRAND_THIRD = "达兴华通泰科源隆盛德昌安信发祥瑞丰恒诚合鑫宏富成利康辉嘉美新广永"
COMPANY_BOXES = ("sales", "info", "service", "purchase", "contact", "trade", "office")


def csv_row(rng: random.Random) -> list[str]:
    """One row of a B2B customer list: 93% Chinese companies with a contact person, 5% people,
    2% foreign companies; phones and emails as people type them."""
    from .crm import TITLES
    from .generate import make_customer

    roll = rng.random()
    if roll < 0.93:
        name, brand, city, industry = names.chinese_company(rng)
        if rng.random() < 0.7:  # a more distinctive brand: 恒通 → 恒通达
            third = BRAND_THIRD[rng.randrange(len(BRAND_THIRD))]
            name = name.replace(brand, brand + third, 1)
            brand += third
        p = rng.random()
        phone = names.landline(rng, city) if p < 0.5 else names.mobile(rng) if p < 0.97 else ""
        domain = "".join(w[0] for w in (brand_pinyin(brand) or ["co"])) + str(rng.randrange(10**5))
        box = COMPANY_BOXES[rng.randrange(len(COMPANY_BOXES))]
        email = f"{box}@{domain}.example.cn" if rng.random() < 0.8 else ""
        return [
            name, "公司", names.chinese_person(rng), TITLES.pick(rng), phone, email,
            city.province, city.name, industry, SOURCE_LABELS[rng.randrange(len(SOURCE_LABELS))],
            f"地区：{names.region_label(city)}",
        ]  # fmt: skip
    c = make_customer(rng)
    while (c["kind"] == "company") != (roll >= 0.98) or (roll < 0.98 and c["name"].isascii()):
        c = make_customer(rng)
    company = c["kind"] == "company"
    return [
        c["name"], "公司" if company else "个人", names.english_person(rng) if company else "",
        "Purchasing" if company else "", c["phone"], c["email"], c["province"], c["city"],
        c["industry"], SOURCE_LABELS[rng.randrange(len(SOURCE_LABELS))], c["notes"],
    ]  # fmt: skip


def brand_pinyin(brand: str) -> list[str]:
    from shangyou.core.search import pinyin_forms

    forms = pinyin_forms(brand)
    return forms[0].split() if forms else []


def write_csv(path: Path, rows: int, seed: int) -> Path:
    """A CSV as a sales team would export it. About 1% of the rows repeat an earlier row's phone
    (in-file duplicates) and 0.2% have a broken email address (invalid rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:import-csv:{rows}")
    phones: list[str] = []
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for i in range(rows):
            row = csv_row(rng)
            roll = rng.random()
            if roll < 0.01 and phones:  # the same phone as an earlier row: a duplicate
                row[4] = phones[rng.randrange(len(phones))]
            elif row[4] and len(phones) < 50_000:
                phones.append(row[4])
            if 0.01 <= roll < 0.012:
                row[5] = row[5].replace("@", " at ") if row[5] else "no-email@"
            writer.writerow(row)
            if i % 10_000 == 9_999:
                handle.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        handle.write(buffer.getvalue())
    tmp.replace(path)
    return path


def fresh_company(seed: int):
    from shangyou.accounts.models import Membership
    from shangyou.accounts.selectors import actor_from_membership
    from shangyou.accounts.services import company_create

    from .generate import BENCH_PASSWORD

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    company = company_create(
        name=f"导入测试公司 {stamp}",
        slug=f"bench-{seed}-import-{stamp}",
        owner_email=f"owner@import-{stamp}.bench.example",
        owner_password=BENCH_PASSWORD,
        owner_name="导入测试",
    )
    membership = Membership.objects.select_related("user", "company").get(company=company)
    return company, actor_from_membership(membership)


def remove_company_data(company_id: int) -> None:
    """Delete an import company and what the import made (raw SQL: a million rows)."""
    from shangyou.accounts.models import Company, Membership, User
    from shangyou.contacts.importing import prepared
    from shangyou.contacts.models import Contact, Customer, ImportJob, Tag
    from shangyou.core.models import AuditEntry, TaskProgress

    tag_link = Customer.tags.through._meta.db_table
    customers = Customer._meta.db_table
    members = Membership.objects.filter(company_id=company_id)
    user_ids = list(members.values_list("user_id", flat=True))
    # Table names from the models, the company id as a parameter.
    statements = [
        f"DELETE FROM {AuditEntry._meta.db_table} WHERE company_id = %s",  # noqa: S608
        f"DELETE FROM {tag_link} WHERE customer_id IN "  # noqa: S608
        f"(SELECT id FROM {customers} WHERE company_id = %s)",
        f"DELETE FROM {Contact._meta.db_table} WHERE company_id = %s",  # noqa: S608
        f"DELETE FROM {customers} WHERE company_id = %s",  # noqa: S608
        f"DELETE FROM {Tag._meta.db_table} WHERE company_id = %s",  # noqa: S608
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [company_id])
        for job in ImportJob.objects.filter(company_id=company_id):
            prepared.delete(job)  # the preview's rows, left when a run failed
            job.file.delete(save=False)
        ImportJob.objects.filter(company_id=company_id).delete()
        TaskProgress.objects.filter(company_id=company_id).delete()
        Company.objects.filter(pk=company_id).delete()
        User.objects.filter(pk__in=user_ids, memberships__isnull=True).delete()


@scenario
class ImportCustomersCsv(Scenario):
    name = "import_customers_csv"
    description = (
        "import_preview + import_commit + import_run of a realistic customer CSV (1,000,000 rows "
        "on PostgreSQL, 100,000 on SQLite) into a fresh company, skipping invalid rows"
    )
    target = Target(
        "rows_per_s",
        1_000_000 / 60,
        "1M rows <= 60 s (>= 16,667 rows/s)",
        "issue: import 1,000,000 rows validated, deduplicated and search-indexed",
        higher_is_better=True,
    )
    batch = True

    def measure_batch(self, ctx: RunContext, *, log) -> dict:
        from shangyou.contacts import importing

        seed = ctx.extra.get("seed", 1)
        rows = import_rows_default()
        path = csv_path(rows, seed)
        if not path.exists():
            started = time.perf_counter()
            write_csv(path, rows, seed)
            log(f"  wrote {path} ({rows:,} rows) in {time.perf_counter() - started:.1f} s")
        data = path.read_bytes()
        company, actor = fresh_company(seed)
        try:
            t0 = time.perf_counter()
            job = importing.import_preview(actor=actor, filename=path.name, data=data)
            t1 = time.perf_counter()
            log(f"  preview: {t1 - t0:.1f} s ({job.total_rows:,} rows)")
            job = importing.import_commit(actor=actor, job=job, skip_invalid=True)
            t2 = time.perf_counter()
            result = importing.import_run(job_id=job.pk)
            t3 = time.perf_counter()
            log(f"  run: {t3 - t2:.1f} s ({result})")
            report = job.report
        finally:
            c0 = time.perf_counter()
            remove_company_data(company.pk)
            log(f"  removed the import company in {time.perf_counter() - c0:.1f} s")
        total = t3 - t0
        return {
            "measured": {
                "rows": job.total_rows,
                "file_bytes": len(data),
                "preview_s": round(t1 - t0, 2),
                "commit_s": round(t2 - t1, 2),
                "run_s": round(t3 - t2, 2),
                "total_s": round(total, 2),
                "rows_per_s": round(job.total_rows / total),
                "created": result["created"],
                "skipped": result["skipped"],
                "merged": result["merged"],
                "invalid_rows": report.get("error_count"),
                "duplicate_rows": report.get("duplicate_count"),
            },
            "requests": [{"method": "call", "path": str(path), "label": f"{rows:,} rows"}],
            "rows_found": None,
            "statements": [],
            "slowest_statement_plan": None,
        }
