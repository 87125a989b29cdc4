"""Scenarios of sales and orders (issue 5): the order list (page and API), saving a 50-line
quotation, the order-history import (lines/s) and the sales statistics.

A scenario whose page or endpoint is not there yet (apps land one by one) says so with
`skip_reason` and the runner skips it instead of failing.
"""

import csv
import io
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.urls import Resolver404, resolve

from .scenarios import Request, RunContext, Scenario, Target, scenario

ORDER_IMPORT_LINES = {"postgresql": 200_000, "sqlite": 50_000}


def _missing(path: str) -> str | None:
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return f"{path} does not exist yet (the app that serves it has not landed)"
    return None


def _sample_orders(ctx: RunContext) -> dict:
    """A customer with orders, and the statuses present (read once per run)."""
    if "orders_sample" not in ctx.extra:
        from shangyou.orders.models import SalesOrder

        company_id = ctx.actor.company_id
        row = (
            SalesOrder.objects.filter(company_id=company_id)
            .order_by("-id")
            .values_list("customer_id", flat=True)
            .first()
        )
        ctx.extra["orders_sample"] = {"customer_id": row}
    return ctx.extra["orders_sample"]


@scenario
class OrderListPage1(Scenario):
    name = "order_list_page1"
    description = "GET /orders/ — the order list, first page, newest first, as the owner"
    target = Target("p95_ms", 30, "p95 <= 30 ms", "issue 5: order list at 5M orders")

    def skip_reason(self, ctx):
        return _missing("/orders/")

    def requests(self, ctx):
        return [Request(ctx.web, "/orders/")]


@scenario
class OrderListFiltered(Scenario):
    name = "order_list_filtered"
    description = (
        "GET /api/v1/orders?status=completed&limit=25 and ?customer=<id> — filtered API lists"
    )
    target = Target("p95_ms", 30, "p95 <= 30 ms", "issue 5: order list at 5M orders")

    def skip_reason(self, ctx):
        return _missing("/api/v1/orders")

    def requests(self, ctx):
        customer = _sample_orders(ctx)["customer_id"]
        requests = [Request(ctx.api, "/api/v1/orders?status=completed&limit=25", label="status")]
        if customer:
            requests.append(
                Request(ctx.api, f"/api/v1/orders?customer={customer}&limit=25", label="customer")
            )
        return requests

    def result_rows(self, ctx, request, response):
        try:
            return response.json().get("count")
        except ValueError:
            return None


@scenario
class QuotationSave50Lines(Scenario):
    name = "quotation_save_50_lines"
    description = (
        "POST /api/v1/quotations with 50 product lines (prices and totals computed, numbered, "
        "audited, on the timeline); each request creates a quotation in the bench company"
    )
    target = Target("p95_ms", 100, "p95 <= 100 ms", "issue 5: saving a 50-line quotation")

    def skip_reason(self, ctx):
        return _missing("/api/v1/quotations")

    def requests(self, ctx):
        from shangyou.catalog.models import Product

        products = list(
            Product.objects.filter(company_id=ctx.actor.company_id)
            .order_by("id")
            .values_list("id", "price")[:50]
        )
        customer = _sample_orders(ctx)["customer_id"] or (ctx.customer_ids or [None])[0]
        if not customer:
            return []
        lines = []
        for i in range(50):
            if products:
                pk, price = products[i % len(products)]
                lines.append(
                    {"product_id": pk, "quantity": str(1 + i % 7), "unit_price": str(price)}
                )
            else:
                lines.append(
                    {"description": f"产品 {i + 1}", "quantity": "2", "unit_price": "9.90"}
                )
        body = {"customer_id": customer, "lines": lines}
        return [Request(ctx.api, "/api/v1/quotations", method="post", data=body, expect_status=201)]


STATS_TARGET = Target("p95_ms", 200, "p95 <= 200 ms", "bench: statistics over 20M lines")


@scenario
class SalesStatistics(Scenario):
    name = "sales_statistics"
    description = (
        "GET /api/v1/analytics/sales?group_by=period|owner|product|grade|region over the last "
        "12 months, and the /analytics/sales/ page (all five groupings)"
    )
    target = STATS_TARGET

    def skip_reason(self, ctx):
        return _missing("/api/v1/analytics/sales")

    def requests(self, ctx):
        api = [
            Request(ctx.api, f"/api/v1/analytics/sales?group_by={g}", label=g)
            for g in ("period", "owner", "product", "grade", "region")
        ]
        return [*api, Request(ctx.web, "/analytics/sales/", label="page")]


# --- import -------------------------------------------------------------------------------------
def order_import_lines_default() -> int:
    env = os.environ.get("SHANGYOU_BENCH_ORDER_IMPORT_LINES")
    return int(env) if env else ORDER_IMPORT_LINES.get(connection.vendor, 50_000)


def order_csv_path(lines: int, seed: int) -> Path:
    return Path(settings.DATA_DIR) / "bench" / f"import-orders-v1-{lines}-seed{seed}.csv"


def write_order_csv(path: Path, lines: int, seed: int) -> Path:
    """An ERP export of three years of order lines: ~2,000 customers, ~800 products, 1–8 lines
    an order, Chinese headers and names; about a quarter of the rows give only the amount."""
    from . import names

    rng = random.Random(f"{seed}:import-orders:{lines}")
    customers = [
        (f"KH{i + 1:05d}", names.chinese_company(rng)[0]) for i in range(max(50, lines // 100))
    ]
    products = [
        (f"P{i + 1:05d}", f"产品{i + 1:05d}", round(rng.lognormvariate(4, 1.1), 2))
        for i in range(max(20, lines // 250))
    ]
    start = date(2023, 11, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "订单号",
                "客户编号",
                "客户名称",
                "订单日期",
                "产品编码",
                "产品名称",
                "数量",
                "单价",
                "金额",
            ]
        )
        written, n = 0, 0
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        while written < lines:
            n += 1
            day = start + timedelta(days=rng.randrange(3 * 365))
            code, customer = customers[int(len(customers) * rng.random() ** 2)]
            for _ in range(min(rng.randint(1, 8), lines - written)):
                sku, product, price = products[int(len(products) * rng.random() ** 3)]
                quantity = rng.choice((1, 2, 5, 10, 20, 50, 100))
                amount = f"{round(quantity * price + 1e-9, 2):.2f}"
                if rng.random() < 0.25:
                    row_price, row_amount = "", amount
                else:
                    row_price, row_amount = f"{price:.2f}", amount
                writer.writerow(
                    [f"XS{day:%Y%m}{n:07d}", code, customer, day.isoformat(), sku, product,
                     quantity, row_price, row_amount]
                )  # fmt: skip
                written += 1
            if n % 5000 == 0:
                handle.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        handle.write(buffer.getvalue())
    tmp.replace(path)
    return path


def remove_order_import_company(company_id: int) -> None:
    from shangyou.catalog.models import Product
    from shangyou.contacts.models import TimelineEntry
    from shangyou.orders.importing import order_import_files_delete
    from shangyou.orders.models import OrderImportJob, OrderLine, SalesOrder

    from .importbench import remove_company_data

    tables = [OrderLine, TimelineEntry, SalesOrder, Product]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in tables:
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE company_id = %s",  # noqa: S608
                [company_id],
            )
        for job in OrderImportJob.objects.filter(company_id=company_id):
            order_import_files_delete(job=job)
        OrderImportJob.objects.filter(company_id=company_id).delete()
    remove_company_data(company_id)


@scenario
class ImportOrdersCsv(Scenario):
    name = "import_orders_csv"
    description = (
        "order_import_preview + commit + run of an order-history CSV (200,000 lines on "
        "PostgreSQL, 50,000 on SQLite) into a fresh company, creating its customers and products"
    )
    target = Target(
        "rows_per_s",
        20_000,
        ">= 20,000 lines/s",
        "issue 5: order-history import",
        higher_is_better=True,
    )
    batch = True

    def measure_batch(self, ctx: RunContext, *, log) -> dict:
        from shangyou.orders import importing

        from .importbench import fresh_company

        seed = ctx.extra.get("seed", 1)
        lines = order_import_lines_default()
        path = order_csv_path(lines, seed)
        if not path.exists():
            started = time.perf_counter()
            write_order_csv(path, lines, seed)
            log(f"  wrote {path} ({lines:,} lines) in {time.perf_counter() - started:.1f} s")
        data = path.read_bytes()
        company, actor = fresh_company(seed)
        try:
            # Wall time is what is measured; the CPU time of this process (the application's
            # side, without the database's) tells how much of it was Python on a busy machine.
            t0, p0 = time.perf_counter(), time.process_time()
            job = importing.order_import_preview(actor=actor, filename=path.name, data=data)
            t1, p1 = time.perf_counter(), time.process_time()
            log(f"  preview: {t1 - t0:.1f} s, {p1 - p0:.1f} s CPU ({job.total_rows:,} lines)")
            job = importing.order_import_commit(actor=actor, job=job, create_missing=True)
            t2, p2 = time.perf_counter(), time.process_time()
            result = importing.order_import_run(job_id=job.pk)
            t3, p3 = time.perf_counter(), time.process_time()
            log(f"  run: {t3 - t2:.1f} s, {p3 - p2:.1f} s CPU ({result['orders']:,} orders)")
        finally:
            c0 = time.perf_counter()
            remove_order_import_company(company.pk)
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
                "preview_cpu_s": round(p1 - p0, 2),
                "run_cpu_s": round(p3 - p2, 2),
                "rows_per_s": round(job.total_rows / total),
                "orders": result["orders"],
                "customers_created": result["customers_created"],
                "products_created": result["products_created"],
                "file_totals": result["file_totals"],
                "imported_totals": result["imported_totals"],
                "totals_match": result["file_totals"] == result["imported_totals"],
            },
            "requests": [{"method": "call", "path": str(path), "label": f"{lines:,} lines"}],
            "rows_found": None,
            "statements": [],
            "slowest_statement_plan": None,
        }
