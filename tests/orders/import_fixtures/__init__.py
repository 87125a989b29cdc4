"""A realistic order history for the import tests: three years of orders of a small
wholesaler (Chinese customer and product names, seasonal volume, 1–8 lines an order), written
as CSV (UTF-8 or GBK, Chinese or English headers) or XLSX, with the expected totals."""

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZH = [
    "订单号",
    "客户编号",
    "客户名称",
    "订单日期",
    "产品编码",
    "产品名称",
    "数量",
    "单位",
    "单价",
    "金额",
    "币种",
]
EN = ["Order number", "Customer code", "Customer", "Date", "SKU", "Product", "Quantity", "Unit",
      "Unit price", "Amount", "Currency"]  # fmt: skip

CUSTOMERS = [
    ("C001", "上海恒通五金有限公司", "上海", "上海"),
    ("C002", "杭州宏达机械制造有限公司", "浙江", "杭州"),
    ("C003", "深圳鑫盛电子科技有限公司", "广东", "深圳"),
    ("C004", "苏州瑞丰包装材料有限公司", "江苏", "苏州"),
    ("C005", "成都天元建材有限公司", "四川", "成都"),
    ("C006", "青岛海纳贸易有限公司", "山东", "青岛"),
    ("C007", "武汉长江轴承有限公司", "湖北", "武汉"),
    ("C008", "宁波东方阀门有限公司", "浙江", "宁波"),
    ("C009", "北京中科仪表有限公司", "北京", "北京"),
    ("C010", "广州南方照明电器有限公司", "广东", "广州"),
    ("C011", "天津渤海化工有限公司", "天津", "天津"),
    ("C012", "西安秦川液压有限公司", "陕西", "西安"),
]
PRODUCTS = [
    ("P-1001", "不锈钢球阀 DN50", "个", Decimal("128.50")),
    ("P-1002", "深沟球轴承 6205", "套", Decimal("12.80")),
    ("P-1003", "液压油缸 63/35", "台", Decimal("1860.00")),
    ("P-1004", "LED面板灯 600×600", "盏", Decimal("89.90")),
    ("P-1005", "工业连接器 16芯", "个", Decimal("45.35")),
    ("P-1006", "铝型材 4040", "米", Decimal("23.6667")),
    ("P-1007", "氟橡胶密封圈", "包", Decimal("6.15")),
    ("P-1008", "伺服电机 750W", "台", Decimal("1299.00")),
    ("P-1009", "变频器 2.2kW", "台", Decimal("980.00")),
    ("P-1010", "纸箱 五层瓦楞", "只", Decimal("3.3333")),
]
MONTH_WEIGHT = (0.8, 0.35, 1.0, 1.1, 1.05, 1.0, 0.8, 0.75, 1.05, 1.15, 1.2, 1.1)


@dataclass
class History:
    rows: list[list[str]]  # data rows in ZH/EN column order
    order_totals: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0.00")
    lines: int = 0


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def make_history(
    *, seed: int = 1, lines: int = 2000, start: date = date(2023, 1, 1), years: int = 3,
    shuffle: bool = True,
) -> History:  # fmt: skip
    """About `lines` rows. Rows of one order are spread over the file when `shuffle`; some rows
    give only the amount, some only the unit price, some both."""
    rng = random.Random(seed)
    days = [start + timedelta(days=d) for d in range(365 * years)]
    weights = [MONTH_WEIGHT[d.month - 1] * (0.3 if d.weekday() >= 5 else 1.0) for d in days]
    history = History(rows=[])
    n = 0
    while history.lines < lines:
        n += 1
        day = rng.choices(days, weights)[0]
        number = f"SO{day:%Y%m}-{n:05d}"
        code, name, _province, _city = rng.choice(CUSTOMERS)
        order_total = Decimal("0.00")
        for _ in range(min(rng.randint(1, 8), lines - history.lines)):
            sku, product, unit, price = rng.choice(PRODUCTS)
            quantity = Decimal(rng.choice([1, 2, 3, 5, 10, 12, 20, 50, 100, 7, 13]))
            amount = to_cents(quantity * price)
            style = rng.random()
            price_text, amount_text = str(price), str(amount)
            if style < 0.25:
                price_text = ""  # amount only: the price is derived
            elif style < 0.5:
                amount_text = ""  # price only
            history.rows.append(
                [number, code, name, day.isoformat(), sku, product, str(quantity), unit,
                 price_text, amount_text, "CNY"]
            )  # fmt: skip
            order_total += amount
            history.lines += 1
        history.order_totals[number] = order_total
        history.total += order_total
    if shuffle:
        rng.shuffle(history.rows)
    return history


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """An XLSX as Excel writes it: numbers as numbers, dates as dates."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    numeric = {6, 8, 9}
    for row in rows:
        values: list = list(row)
        values[3] = date.fromisoformat(row[3])
        for i in numeric:
            values[i] = float(row[i]) if row[i] else None
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def totals_by_order(rows: list[list[str]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        amount = Decimal(row[9]) if row[9] else to_cents(Decimal(row[6]) * Decimal(row[8]))
        totals[row[0]] += amount
    return dict(totals)
