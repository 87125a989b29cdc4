"""Generators for sales: categories and products per company, then sales orders and their
lines (`bench generate --orders N`, up to 5,000,000 orders / 20,000,000 lines).

* Products: a catalogue per company (categories of an industrial wholesaler, ~200–2,000
  products with SKUs, units, list prices and 13% VAT), written through `bulk_create` with the
  model's own search columns.
* Orders: spread over the companies like their customers, dated over the three years before the
  anchor with the seasons of Chinese B2B trade (quiet at the Spring Festival and in summer, busy
  in spring and in the autumn fair season), weekdays mostly, and growing year on year. Customers
  buy unevenly (a few buy often), products are Zipf-popular, 1–8 lines an order (~4). Orders of
  the last two months are still open (confirmed, partly shipped, shipped); older ones completed,
  with some drafts and cancellations. 97% in CNY, 3% in USD. Totals are the sums of the lines,
  to the cent (integer cents throughout).

Orders and lines are made in chunks of `ORDERS_PER_CHUNK` orders, each from
`random.Random(f"{seed}:orders:{company}:{chunk}")`, in two passes over the same chunks (orders
first, with their ids taken from a block past the table's largest id; then the lines, made again
from the same random stream), so the data depends on the seed and the customers only.
"""

import random
from array import array
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import connection

from shangyou.catalog.models import Category, Product
from shangyou.orders.models import OrderLine, SalesOrder

from . import loader, names
from .crm import MONTH_WEIGHT, WEEKDAY_WEIGHT, customer_arrays
from .generate import (
    ANCHOR,
    HISTORY,
    Chunk,
    ChunkedTable,
    GenerateContext,
    RowTemplate,
    TableGenerator,
    TableResult,
    register,
)

ORDERS_PER_CHUNK = 5_000
LINES_PER_ORDER = (1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8)  # mean ~4
USD_RATE = 7.1
CATALOGUE = {
    "阀门": ["不锈钢球阀", "铸铁闸阀", "电动蝶阀", "截止阀", "止回阀"],
    "轴承": ["深沟球轴承", "圆锥滚子轴承", "调心滚子轴承", "直线轴承"],
    "液压气动": ["液压油缸", "齿轮泵", "电磁换向阀", "气缸"],
    "照明": ["LED面板灯", "LED投光灯", "工矿灯", "防爆灯"],
    "电子元件": ["PCB电路板", "工业连接器", "传感器", "电源适配器", "继电器"],
    "传动": ["伺服电机", "变频器", "减速机", "同步带轮"],
    "型材五金": ["铝型材", "不锈钢螺栓", "五金配件", "角码"],
    "密封件": ["氟橡胶密封圈", "O型圈", "骨架油封"],
    "包装": ["五层瓦楞纸箱", "塑料托盘", "缠绕膜", "气泡袋"],
    "刀具": ["数控刀片", "硬质合金铣刀", "丝锥"],
    "新能源": ["光伏组件", "锂电池模组", "逆变器"],
}
SPECS = ("DN15", "DN25", "DN50", "DN80", "6205", "6308", "24V", "220V", "750W", "2.2kW", "4040",
         "600×600", "100W", "M8", "M12", "16芯", "A型", "B型", "加强型", "标准型")  # fmt: skip
UNITS = ("个", "套", "台", "件", "米", "箱", "只", "包")

#: Per company (filled before the worker processes fork): customer ids/owners/teams, products.
_SHARED: dict[int, dict] = {}


def products_per_company(orders: int) -> int:
    return max(20, min(2_000, orders // 250))


@register
class ProductsGenerator(TableGenerator):
    """Categories and products of every company (only with --orders)."""

    name = "products"

    def run(self, ctx: GenerateContext) -> TableResult:
        import time

        started = time.perf_counter()
        if ctx.options.orders < 1:
            return TableResult("products (none: no --orders)", 0, 0.0)
        rows = 0
        for plan in ctx.companies:
            rng = ctx.rng("products", plan.index)
            n = products_per_company(_company_orders(ctx, plan))
            categories = Category.objects.bulk_create(
                [
                    Category(
                        company_id=plan.company_id, name=name, code=f"C{i + 1:02d}", position=i
                    )
                    for i, name in enumerate(CATALOGUE)
                ]
            )
            products = []
            for i in range(n):
                category = categories[i % len(categories)]
                base = rng.choice(CATALOGUE[category.name])
                price = Decimal(round(rng.lognormvariate(4.0, 1.2), 2)).quantize(Decimal("0.01"))
                product = Product(
                    company_id=plan.company_id,
                    created_by_id=plan.owner_user_id,
                    updated_by_id=plan.owner_user_id,
                    sku=f"{category.code}-{i + 1:05d}",
                    name=f"{base} {SPECS[rng.randrange(len(SPECS))]}",
                    category=category,
                    unit=UNITS[rng.randrange(len(UNITS))],
                    price=max(price, Decimal("0.50")),
                    tax_rate=Decimal("13.00"),
                )
                product.refresh_search()
                products.append(product)
            Product.objects.bulk_create(products, batch_size=1000)
            rows += len(categories) + len(products)
        return TableResult("catalog_product", rows, time.perf_counter() - started)


def _company_orders(ctx: GenerateContext, plan) -> int:
    total_customers = sum(p.customers for p in ctx.companies) or 1
    shares = ctx.extra.setdefault("order_shares", {})
    if not shares:
        left = ctx.options.orders
        for i, p in enumerate(ctx.companies):
            n = (
                left
                if i == len(ctx.companies) - 1
                else round(ctx.options.orders * p.customers / total_customers)
            )
            shares[p.company_id] = n
            left -= n
    return shares[plan.company_id]


def _share(ctx: GenerateContext) -> None:
    """Customers (id, owner, team) and products of each company, for the worker processes."""
    if ctx.extra.get("orders_shared"):
        return
    _SHARED.clear()
    ctx.extra["orders_shared"] = True
    for plan in ctx.companies:
        arrays = customer_arrays(ctx, plan.company_id)
        teams = {user: team for user, team, _w in plan.owners}
        products = list(
            Product.objects.filter(company_id=plan.company_id)
            .order_by("id")
            .values_list("id", "sku", "name", "unit", "price")
        )
        _SHARED[plan.company_id] = {
            "customers": arrays.ids,
            "owners": arrays.owners,
            "teams": array("q", [teams.get(o) or 0 for o in arrays.owners]),
            "products": [
                (pk, sku, name, unit, int(price * 100)) for pk, sku, name, unit, price in products
            ],
            "creator": plan.owner_user_id,
        }


def _plan_chunks(ctx: GenerateContext, table: str) -> list[Chunk]:
    _share(ctx)
    first_id = ctx.extra.get("first_order_id")
    if first_id is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {SalesOrder._meta.db_table}")  # noqa: S608
            first_id = ctx.extra["first_order_id"] = cursor.fetchone()[0]
    chunks, next_id = [], first_id
    for plan in ctx.companies:
        n = _company_orders(ctx, plan)
        if (
            not len(_SHARED[plan.company_id]["customers"])
            or not _SHARED[plan.company_id]["products"]
        ):
            continue
        for i, start in enumerate(range(0, n, ORDERS_PER_CHUNK)):
            count = min(ORDERS_PER_CHUNK, n - start)
            params = (plan.company_id, next_id, start)
            chunks.append(Chunk(ctx.options.seed, "orders", plan.index, i, count, params))
            next_id += count
    if table == "lines":
        return [
            Chunk(c.seed, c.table, c.company_index, c.chunk_index, c.rows * 4, c.params)
            for c in chunks
        ]
    return chunks


# --- simulation (integer cents) -------------------------------------------------------------------
_DAYS = int(HISTORY.total_seconds() // 86400)
_DAY_WEIGHTS = list(
    accumulate(
        MONTH_WEIGHT[(ANCHOR - timedelta(days=_DAYS - d)).month - 1]
        * WEEKDAY_WEIGHT[(ANCHOR - timedelta(days=_DAYS - d)).weekday()]
        * (0.75 + 0.5 * d / _DAYS)  # growing business
        for d in range(_DAYS)
    )
)
_STATUS_OLD = names.Weighted(
    [("completed", 82), ("shipped", 3), ("draft", 4), ("cancelled", 7), ("confirmed", 4)]
)
_STATUS_NEW = names.Weighted(
    [("confirmed", 35), ("partly_shipped", 15), ("shipped", 25), ("completed", 10),
     ("draft", 10), ("cancelled", 5)]
)  # fmt: skip


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def simulate(chunk: Chunk):
    """Yield (order values, [line values]) of one chunk; the same for a seed, every pass."""
    company_id, first_id, start = chunk.params
    shared = _SHARED[company_id]
    customers, owners, teams = shared["customers"], shared["owners"], shared["teams"]
    products = shared["products"]
    rng = random.Random(f"{chunk.seed}:orders:{chunk.company_index}:{chunk.chunk_index}")
    n_customers, n_products = len(customers), len(products)
    orders = chunk.rows if chunk.table == "orders" else chunk.rows // 4
    total_weight = _DAY_WEIGHTS[-1]
    for k in range(orders):
        day = bisect_right(_DAY_WEIGHTS, rng.random() * total_weight)
        order_date = (ANCHOR - timedelta(days=_DAYS - day)).date()
        c = int(n_customers * rng.random() ** 2.5)
        status = (_STATUS_NEW if _DAYS - day < 60 else _STATUS_OLD).pick(rng)
        usd = rng.random() < 0.03
        lines, subtotal, tax_total = [], 0, 0
        for position in range(1, LINES_PER_ORDER[rng.randrange(len(LINES_PER_ORDER))] + 1):
            pk, sku, name, unit, price = products[int(n_products * rng.random() ** 3)]
            price = int(price * (0.9 + 0.15 * rng.random()) / (USD_RATE if usd else 1)) or 1
            quantity = rng.choice((1, 2, 5, 10, 10, 20, 50, 100, 200, 500))
            net = price * quantity
            tax = (net * 13 + 50) // 100
            subtotal += net
            tax_total += tax
            lines.append((position, pk, sku, name, unit, quantity, price, net, tax))
        at = datetime(order_date.year, order_date.month, order_date.day, 2, 0, tzinfo=UTC)
        at += timedelta(minutes=rng.randrange(480))
        seq = start + k + 1
        order = {
            "id": first_id + k,
            "number": f"SO-{order_date.year}-{seq:07d}",
            "customer_id": customers[c],
            "owner_id": owners[c] or None,
            "team_id": teams[c] or None,
            "status": status,
            "order_date": order_date,
            "currency": "USD" if usd else "CNY",
            "subtotal": subtotal,
            "tax_total": tax_total,
            "at": at,
        }
        yield order, lines


def order_rows(chunk: Chunk) -> list[tuple]:
    template = RowTemplate(SalesOrder)
    creator = _SHARED[chunk.params[0]]["creator"]
    rows = []
    for o, _lines in simulate(chunk):
        done = o["status"] in ("completed", "shipped", "partly_shipped", "confirmed")
        rows.append(
            (o["id"],)
            + template.row(
                None,
                company_id=chunk.params[0],
                created_by_id=creator,
                updated_by_id=creator,
                created_at=o["at"],
                updated_at=o["at"],
                number=o["number"],
                customer_id=o["customer_id"],
                owner_id=o["owner_id"],
                team_id=o["team_id"],
                status=o["status"],
                source="manual",
                order_date=o["order_date"],
                currency=o["currency"],
                subtotal=Decimal(_money(o["subtotal"])),
                tax_total=Decimal(_money(o["tax_total"])),
                total=Decimal(_money(o["subtotal"] + o["tax_total"])),
                confirmed_at=o["at"] if done else None,
                completed_at=o["at"] if o["status"] == "completed" else None,
                cancelled_at=o["at"] if o["status"] == "cancelled" else None,
            )
        )
    return rows


def line_rows(chunk: Chunk) -> list[tuple]:
    template = RowTemplate(OrderLine)
    company_id = chunk.params[0]
    rows = []
    for o, lines in simulate(chunk):
        shipped = o["status"] in ("completed", "shipped")
        for position, pk, sku, name, unit, quantity, price, net, tax in lines:
            rows.append(
                template.row(
                    None,
                    company_id=company_id,
                    order_id=o["id"],
                    position=position,
                    product_id=pk,
                    sku=sku,
                    description=name,
                    quantity=Decimal(quantity),
                    unit=unit,
                    unit_price=Decimal(_money(price)),
                    tax_rate=Decimal(13),
                    line_subtotal=Decimal(_money(net)),
                    line_tax=Decimal(_money(tax)),
                    line_total=Decimal(_money(net + tax)),
                    quantity_shipped=Decimal(quantity if shipped else 0),
                )
            )
    return rows


class _OrdersTable(ChunkedTable):
    def run(self, ctx: GenerateContext) -> TableResult:
        if ctx.options.orders < 1:
            return TableResult(f"{self.model._meta.db_table} (none: no --orders)", 0, 0.0)
        return super().run(ctx)


@register
class OrdersGenerator(_OrdersTable):
    name = "orders"
    model = SalesOrder
    with_pk = True
    rows_fn = staticmethod(order_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        return _plan_chunks(ctx, "orders")


@register
class OrderLinesGenerator(_OrdersTable):
    name = "order_lines"
    model = OrderLine
    rows_fn = staticmethod(line_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        chunks = _plan_chunks(ctx, "lines")
        # the real number of lines is known only once made; the estimate drives the progress
        return [
            Chunk(c.seed, "lines", c.company_index, c.chunk_index, c.rows, c.params) for c in chunks
        ]


# --- sales statistics rollups (analytics, issue 5) ------------------------------------------------
@register
class SalesRollupGenerator(TableGenerator):
    """The analytics rollups of the generated orders: rebuilt per company from the orders and
    lines (INSERT … SELECT … GROUP BY), as `shangyou rebuild_sales_rollup` does. Runs after
    the orders and lines; `--tables sales_rollup` rebuilds them alone."""

    name = "sales_rollup"

    def run(self, ctx: GenerateContext) -> TableResult:
        import time

        from shangyou.analytics import models as rollups
        from shangyou.analytics.services import sales_rollup_rebuild

        started = time.perf_counter()
        for plan in ctx.companies:
            company_started = time.perf_counter()
            sales_rollup_rebuild(company_id=plan.company_id)
            ctx.log(f"  {plan.slug}: {time.perf_counter() - company_started:.1f} s")
        tables = [
            rollups.OrderSnapshot,
            rollups.SalesRollup,
            rollups.SalesGradeRollup,
            rollups.SalesRegionRollup,
            rollups.SalesProductRollup,
        ]
        if ctx.vendor == "postgresql":
            for model in tables:
                loader.analyze(model._meta.db_table)
        company_ids = [p.company_id for p in ctx.companies]
        rows = sum(m.objects.filter(company_id__in=company_ids).count() for m in tables)
        return TableResult("analytics sales rollups", rows, time.perf_counter() - started)
