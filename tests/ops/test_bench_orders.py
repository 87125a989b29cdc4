"""The sales part of the benchmark harness at a tiny scale: orders and lines generated
deterministically with totals to the cent, and the order scenarios well-formed. No timing is
asserted."""

import json
from decimal import Decimal

from django.db.models import Sum

from shangyou.catalog.models import Product
from shangyou.ops.bench import runner
from shangyou.ops.bench.generate import Options, generate
from shangyou.orders.models import OrderLine, SalesOrder


def quiet(_message: str) -> None:
    pass


def make(seed: int = 21, orders: int = 120) -> dict:
    return generate(Options(scale=40, seed=seed, companies=2, workers=1, orders=orders), log=quiet)


def snapshot() -> list[tuple]:
    return list(
        SalesOrder.objects.order_by("number", "company__slug").values_list(
            "company__slug", "number", "status", "order_date", "currency", "total"
        )
    )


def test_orders_are_generated_with_products_lines_and_totals_to_the_cent(db):
    summary = make()
    assert SalesOrder.objects.count() == 120
    assert summary["orders"] == 120
    assert Product.objects.filter(company__slug="bench-21-1").count() >= 20
    lines = OrderLine.objects.count()
    assert 120 <= lines <= 120 * 8
    for order in SalesOrder.objects.prefetch_related("lines"):
        items = list(order.lines.all())
        assert items
        assert order.total == sum((ln.line_total for ln in items), Decimal(0))
        assert order.subtotal == sum((ln.line_subtotal for ln in items), Decimal(0))
        assert all(ln.product_id and ln.company_id == order.company_id for ln in items)
        assert order.customer.company_id == order.company_id
    statuses = set(SalesOrder.objects.values_list("status", flat=True))
    assert "completed" in statuses and len(statuses) >= 3
    assert SalesOrder.objects.filter(company__slug="bench-21-1").count() > 60  # the big one
    assert (
        OrderLine.objects.aggregate(s=Sum("line_total"))["s"]
        == SalesOrder.objects.aggregate(s=Sum("total"))["s"]
    )


def test_orders_are_deterministic_for_a_seed(db):
    from django.db import transaction

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            make(seed=22, orders=50)
            first = snapshot()
            raise Rollback
    except Rollback:
        pass
    make(seed=22, orders=50)
    assert snapshot() == first


def test_no_orders_without_the_option(db):
    generate(Options(scale=10, seed=23, companies=1, workers=1), log=quiet)
    assert not SalesOrder.objects.exists() and not Product.objects.exists()


def test_new_orders_after_generation_get_fresh_ids(db):
    make(seed=24, orders=30)
    biggest = SalesOrder.objects.order_by("-id").values_list("id", flat=True).first()
    order = SalesOrder.objects.first()
    copy = SalesOrder.objects.create(
        company=order.company,
        number="SO-NEW-1",
        customer=order.customer,
        order_date=order.order_date,
    )
    assert copy.pk > biggest


def test_order_scenarios_write_well_formed_results(db, tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setenv("SHANGYOU_BENCH_ORDER_IMPORT_LINES", "300")
    make(seed=25, orders=80)
    names = [
        "order_list_page1",
        "order_list_filtered",
        "quotation_save_50_lines",
        "sales_statistics",
        "import_orders_csv",
    ]
    results = runner.run(names, repeat=2, warmup=1, out_dir=tmp_path, log=quiet)
    by_name = {r["scenario"]: r for r in results}
    db_label = runner.db_label()
    assert {"sales_statistics", "import_orders_csv"} <= set(by_name)
    stats = json.loads((tmp_path / f"sales_statistics-{db_label}.json").read_text())
    assert stats["measured"]["p95_ms"] >= 0 and stats["target"]["text"] == "p95 <= 200 ms"
    imported = by_name["import_orders_csv"]["measured"]
    assert imported["rows"] == 300
    assert imported["totals_match"] is True
    assert imported["rows_per_s"] > 0
    assert by_name["import_orders_csv"]["target"]["min"] == 20_000
    # the import company is gone again
    assert (
        not SalesOrder.objects.exclude(company__slug__startswith="bench-25-")
        .filter(company__slug__startswith="bench-25-import")
        .exists()
    )
    for name in set(names) - set(by_name):  # skipped: their endpoint has not landed yet
        assert not (tmp_path / f"{name}-{db_label}.json").exists()
