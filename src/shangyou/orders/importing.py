"""Order-history import (issue 5): past sales orders from CSV or XLSX, one order line per row.

Columns (headers in Chinese or English): 订单号 / Order number, 客户编号 / Customer code,
客户 / 客户名称 / Customer, 日期 / 订单日期 / Date, 产品编码 / SKU, 产品 / 产品名称 / Product,
数量 / Quantity, 单价 / Unit price, 金额 / Amount, and optionally 单位 / Unit, 币种 / Currency,
税率 / Tax rate. Rows sharing an order number form one order, wherever they are in the file.

Two phases, as the customer import (`contacts.importing`):

1. `order_import_preview` reads and checks the file (row numbers as in the file, the header
   being row 1), matches customers (by code, then by name through the duplicate keys of
   `contacts.dedup`) and products (by SKU, then by name), and stores the report in an
   `OrderImportJob`: rows with errors, customers and products not found, order numbers the
   company already uses, the file's total and the total that would be imported. Nothing else is
   written.
2. `order_import_commit` records the choices (create the missing customers and products or not;
   skip invalid orders; skip orders already imported) and queues `order_import_run`, which
   applies the file in ONE transaction: a failure changes nothing.

Rules:

* An order is imported whole or not at all: an error on any of its rows makes the order invalid.
  A file with invalid orders imports nothing unless the user chooses to skip them.
* Either the unit price or the amount is required; with both, quantity × price rounded to the
  cent must equal the amount. With only the amount, the unit price is derived (4 decimals) and
  the line keeps the file's amount exactly. The amount is the line's total: with a tax rate it
  is read as tax included (the tax is the part of it at that rate), so the order's total is
  always the sum of the file's amounts, to the cent.
* An order number the company already uses is an error for that order — or, with
  `skip_existing`, the order is skipped as already imported (so a file can be imported again
  after fixing a few rows).
* Imported orders are `completed`, `source=import`, keep their order number, belong to the
  customer's owner (the importing user for new customers) and carry `external_ref =
  "import:<job id>"`. Each gets one timeline entry on its customer (kind `order`, dated the order
  date, `related` = the order). The audit log gets one entry for the job (counts and totals) and
  one per customer or product created.

Speed: every lookup is one query per 500 distinct keys, pinyin is computed once per distinct
customer name, and orders, lines and timeline entries are written with COPY on PostgreSQL
(bulk_create on SQLite).
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.accounts.models import Membership
from shangyou.catalog.models import BASE_CURRENCY, CURRENCIES, Product
from shangyou.contacts.dedup import dedup_name
from shangyou.contacts.importers import headers as header_rules
from shangyou.contacts.importers.tabular import read_table
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.models import AuditEntry, Sequence, TaskProgress
from shangyou.core.money import CENT, to_cents
from shangyou.core.progress import Progress, progress_start
from shangyou.core.search import fold, normalize_phone
from shangyou.core.services import audit_log, require_write

from .models import OrderImportJob, OrderLine, SalesOrder

MAX_STORED_PROBLEMS = 1000
SAMPLE_ORDERS = 20
BATCH = 2000
PRICE_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")
HUNDRED = Decimal(100)

#: Header synonyms of the order columns (folded by `headers.normalise_header`).
ORDER_HEADERS: dict[str, tuple[str, ...]] = {
    "order_number": (
        "订单号", "订单编号", "单号", "销售单号", "Order number", "Order No", "Order", "Order ID",
        "SO number",
    ),
    "customer_code": ("客户编号", "客户代码", "客户编码", "Customer code", "Customer No",
                      "Customer number", "Customer ID"),
    "customer": ("客户", "客户名称", "客户名", "购买方", "Customer", "Customer name", "Buyer"),
    "date": ("日期", "订单日期", "下单日期", "销售日期", "Date", "Order date"),
    "sku": ("产品编码", "产品编号", "物料编码", "货号", "SKU", "Product code", "Item code"),
    "product": ("产品", "产品名称", "品名", "商品名称", "商品", "Product", "Product name",
                "Item", "Description"),
    "quantity": ("数量", "Quantity", "Qty"),
    "unit_price": ("单价", "含税单价", "Unit price", "Price"),
    "amount": ("金额", "含税金额", "价税合计", "Amount", "Line amount", "Line total"),
    "unit": ("单位", "Unit", "UOM"),
    "currency": ("币种", "货币", "Currency"),
    "tax_rate": ("税率", "Tax rate", "Tax", "VAT"),
}  # fmt: skip
ORDER_KEYS = tuple(ORDER_HEADERS)
REQUIRED = ("order_number", "date", "quantity")

CURRENCY_ALIASES = {
    "rmb": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY", "cny": "CNY",
    "美元": "USD", "$": "USD", "usd": "USD", "us$": "USD", "欧元": "EUR", "€": "EUR",
    "港币": "HKD", "港元": "HKD", "日元": "JPY", "英镑": "GBP", "韩元": "KRW", "新台币": "TWD",
}  # fmt: skip
_NUMBER_JUNK = str.maketrans("", "", " ,，¥￥$元'")


# --- parsed structures ---------------------------------------------------------------------------
@dataclass
class LineRow:
    number: int  # row number in the file
    order_number: str = ""
    customer_code: str = ""
    customer_name: str = ""
    customer_key: str = ""  # dedup name
    order_date: date | None = None
    sku: str = ""
    product_name: str = ""
    quantity: Decimal = Decimal(0)
    unit_price: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)  # the line's total as in the file (tax included)
    unit: str = ""
    currency: str = BASE_CURRENCY
    tax_rate: Decimal = Decimal(0)
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedOrder:
    number: str
    rows: list[LineRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the order as a whole

    @property
    def first(self) -> LineRow:
        return self.rows[0]

    @property
    def valid(self) -> bool:
        return not self.errors and not any(r.errors for r in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


@dataclass
class Matches:
    """What the file's customers and products are in the company (ids), and what is missing."""

    customers: dict[tuple[str, str], int] = field(default_factory=dict)  # (code, key) → id
    products: dict[tuple[str, str], int] = field(default_factory=dict)  # (sku, name) → id
    missing_customers: dict[tuple[str, str], dict] = field(default_factory=dict)
    missing_products: dict[tuple[str, str], dict] = field(default_factory=dict)
    existing_numbers: set[str] = field(default_factory=set)
    # keys of missing records that name the same new record as another key (same code/SKU,
    # or the same name without a code) → that key
    aliases: dict[tuple[str, tuple[str, str]], tuple[str, str]] = field(default_factory=dict)

    def customer(self, key: tuple[str, str]) -> tuple[str, str]:
        return self.aliases.get(("c", key), key)

    def product(self, key: tuple[str, str]) -> tuple[str, str]:
        return self.aliases.get(("p", key), key)


@dataclass
class ParsedFile:
    orders: dict[str, ParsedOrder]
    rows: list[LineRow]
    problems: list[str]
    format: str
    matches: Matches = field(default_factory=Matches)


# --- reading -------------------------------------------------------------------------------------
def parse_decimal(text: str) -> Decimal | None:
    """'1,234.50', '¥1234.5', '1234.5元', '１２' → Decimal; blank → None; else ValueError."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().translate(_NUMBER_JUNK)
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    return value


def _fit(value: Decimal, places: Decimal) -> Decimal | None:
    """The value at `places`, forgiving a spreadsheet's float noise (0.30000000000000004);
    None when it really has more decimals."""
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    if abs(value - rounded) < Decimal("0.000001"):
        return rounded
    return None


def parse_currency(text: str) -> str:
    folded = fold(text)
    if not folded:
        return BASE_CURRENCY
    code = CURRENCY_ALIASES.get(folded, folded.upper())
    if code not in CURRENCIES:
        raise ValueError(
            _("“%(value)s” is not a currency we know; use a code such as CNY or USD.")
            % {"value": text}
        )
    return code


def parse_tax_rate(text: str) -> Decimal:
    """'13%', '13', '0.13' → 13 (values below 1 are read as fractions)."""
    cleaned = (text or "").strip().rstrip("%％").strip()
    value = parse_decimal(cleaned)
    if value is None:
        return Decimal(0)
    if 0 < value < 1:
        value *= HUNDRED
    if not 0 <= value <= 100:
        raise ValueError(_("The tax rate %(value)s is not between 0 and 100%%.") % {"value": text})
    fitted = _fit(value, CENT)
    if fitted is None:
        raise ValueError(_("The tax rate %(value)s has too many decimals.") % {"value": text})
    return fitted


def _match_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    match = header_rules.match_headers(headers, extra=ORDER_HEADERS)
    mapping = {k: i for k, i in match.mapping.items() if k in ORDER_KEYS}
    duplicates = {k: v for k, v in match.duplicates.items() if k in ORDER_KEYS}
    if duplicates:
        match.duplicates = duplicates
        raise ValidationFailed(" ".join(match.errors()))
    unknown = [i for k, i in match.mapping.items() if k not in ORDER_KEYS]
    match.unknown += [(i, match.headers[i]) for i in unknown]
    match.unknown.sort()
    missing = [k for k in REQUIRED if k not in mapping]
    if "customer" not in mapping and "customer_code" not in mapping:
        missing.append("customer")
    if "sku" not in mapping and "product" not in mapping:
        missing.append("product")
    if "unit_price" not in mapping and "amount" not in mapping:
        missing.append("amount")
    if missing:
        labels = {
            "order_number": "订单号 / Order number",
            "date": "日期 / Date",
            "quantity": "数量 / Quantity",
            "customer": "客户 / Customer " + _("or") + " 客户编号 / Customer code",
            "product": "产品 / Product " + _("or") + " 产品编码 / SKU",
            "amount": "单价 / Unit price " + _("or") + " 金额 / Amount",
        }
        raise ValidationFailed(
            _("The file has no column for: %(columns)s. Name the columns as in the template.")
            % {"columns": "; ".join(labels[k] for k in missing)}
        )
    return mapping, match.unknown_messages()


def _read_row(row: LineRow, raw: dict[str, str], keys: dict[str, Any]) -> None:
    """Fill and check one row. `keys` caches name → dedup key (one pinyin call per name) and
    date text → date."""
    errors = row.errors
    row.order_number = raw.get("order_number", "").strip()
    if not row.order_number:
        errors.append(_("The order number is missing."))
    elif len(row.order_number) > 40:
        errors.append(_("The order number is longer than 40 characters."))
    row.customer_code = raw.get("customer_code", "").strip()
    row.customer_name = raw.get("customer", "").strip()
    if not row.customer_code and not row.customer_name:
        errors.append(_("The customer is missing."))
    elif len(row.customer_name) > 200 or len(row.customer_code) > 40:
        errors.append(_("The customer's name or code is too long."))
    if row.customer_name:
        key = keys.get(row.customer_name)
        if key is None:
            key = keys[row.customer_name] = dedup_name(row.customer_name)
        row.customer_key = key
    text = raw.get("date", "")
    day = keys.get("\0" + text)  # dates repeat: read each distinct one once
    if day is None:
        try:
            day = header_rules.parse_date(text)
        except ValueError as exc:
            day = str(exc)
        keys["\0" + text] = day
    if isinstance(day, str):
        errors.append(day)
    elif day is None:
        errors.append(_("The date is missing."))
    else:
        row.order_date = day
    row.sku = raw.get("sku", "").strip()
    row.product_name = raw.get("product", "").strip()
    if not row.sku and not row.product_name:
        errors.append(_("The product is missing."))
    elif len(row.sku) > 60 or len(row.product_name) > 200:
        errors.append(_("The product's name or code is too long."))
    row.unit = raw.get("unit", "").strip()[:20]
    try:
        row.currency = parse_currency(raw.get("currency", ""))
    except ValueError as exc:
        errors.append(str(exc))
    try:
        row.tax_rate = parse_tax_rate(raw.get("tax_rate", ""))
    except ValueError as exc:
        errors.append(str(exc))
    _read_amounts(row, raw)


def _read_amounts(row: LineRow, raw: dict[str, str]) -> None:
    errors = row.errors
    values: dict[str, Decimal | None] = {}
    for key in ("quantity", "unit_price", "amount"):
        try:
            values[key] = parse_decimal(raw.get(key, ""))
        except ValueError as exc:
            errors.append(str(exc))
            return
    quantity, price, amount = values["quantity"], values["unit_price"], values["amount"]
    if quantity is None:
        errors.append(_("The quantity is missing."))
        return
    if quantity <= 0:
        errors.append(_("The quantity must be more than zero."))
        return
    fitted = _fit(quantity, QUANTITY_PLACES)
    if fitted is None:
        errors.append(_("The quantity %(value)s has more than 3 decimals.") % {"value": quantity})
        return
    row.quantity = quantity = fitted
    if price is None and amount is None:
        errors.append(_("Give the unit price or the amount."))
        return
    if price is not None:
        fitted = _fit(price, PRICE_PLACES)
        if fitted is None or price < 0:
            errors.append(
                _("The unit price %(value)s must be zero or more, with at most 4 decimals.")
                % {"value": price}
            )
            return
        price = fitted
    if amount is not None:
        fitted = _fit(amount, CENT)
        if fitted is None or amount < 0:
            errors.append(
                _("The amount %(value)s must be zero or more, with at most 2 decimals.")
                % {"value": amount}
            )
            return
        amount = fitted
    if price is not None and amount is not None:
        computed = to_cents(quantity * price)
        if computed != amount:
            errors.append(
                _(
                    "Quantity × unit price is %(computed)s, but the amount is %(amount)s. "
                    "Correct one of them (or leave the unit price empty to derive it)."
                )
                % {"computed": computed, "amount": amount}
            )
            return
    elif price is None:
        price = (amount / quantity).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    else:
        amount = to_cents(quantity * price)
    if amount >= Decimal("1e14") or price >= Decimal("1e14"):
        errors.append(_("The amount is too large."))
        return
    row.unit_price, row.amount = price, amount


def _group(rows: list[LineRow]) -> dict[str, ParsedOrder]:
    """Rows by order number; conflicting customer, date or currency between rows of one order
    is an error on the later row naming the first."""
    orders: dict[str, ParsedOrder] = {}
    for row in rows:
        if not row.order_number:
            continue
        order = orders.get(row.order_number)
        if order is None:
            orders[row.order_number] = ParsedOrder(number=row.order_number, rows=[row])
            continue
        first = order.first
        args = {"row": first.number, "number": row.order_number}
        if (
            row.customer_code and first.customer_code and row.customer_code != first.customer_code
        ) or (row.customer_key and first.customer_key and row.customer_key != first.customer_key):
            row.errors.append(
                _(
                    "Order %(number)s: the customer differs from row %(row)d "
                    "(“%(this)s” here, “%(first)s” there)."
                )
                % {
                    **args,
                    "this": row.customer_name or row.customer_code,
                    "first": first.customer_name or first.customer_code,
                }
            )
        if row.order_date and first.order_date and row.order_date != first.order_date:
            row.errors.append(
                _(
                    "Order %(number)s: the date differs from row %(row)d "
                    "(%(this)s here, %(first)s there)."
                )
                % {**args, "this": row.order_date, "first": first.order_date}
            )
        if row.currency != first.currency:
            row.errors.append(_("Order %(number)s: the currency differs from row %(row)d.") % args)
        # A later row may name the customer more fully (code and name).
        if not first.customer_code and row.customer_code:
            first.customer_code = row.customer_code
        if not first.customer_name and row.customer_name:
            first.customer_name, first.customer_key = row.customer_name, row.customer_key
        order.rows.append(row)
    for order in orders.values():
        if len(order.rows) > 32_000:
            order.errors.append(_("An order can have at most 32,000 lines."))
    return orders


def _chunks(values, size: int = 500):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def customer_key(row: LineRow) -> tuple[str, str]:
    return (row.customer_code, row.customer_key)


def product_key(row: LineRow) -> tuple[str, str]:
    return (row.sku, fold(row.product_name))


def match_records(*, actor: Actor, orders: dict[str, ParsedOrder]) -> Matches:
    """Customers by code then by name; products by SKU then by name; order numbers in use."""
    m = Matches()
    company = actor.company_id
    # the customer of an order is named by its first row (completed by later rows)
    customer_rows: dict[tuple[str, str], LineRow] = {}
    product_rows: dict[tuple[str, str], LineRow] = {}
    for order in orders.values():
        customer_rows.setdefault(customer_key(order.first), order.first)
        for row in order.rows:
            product_rows.setdefault(product_key(row), row)
    codes = {code for code, _key in customer_rows if code}
    keys = {key for _code, key in customer_rows if key}
    by_code: dict[str, int] = {}
    for chunk in _chunks(codes):
        by_code.update(
            Customer.objects.filter(company_id=company, code__in=chunk).values_list("code", "pk")
        )
    by_name: dict[str, int] = {}
    for chunk in _chunks(keys):
        for key, pk in (
            Customer.objects.filter(company_id=company, dedup_name__in=chunk)
            .order_by("-id")
            .values_list("dedup_name", "pk")
        ):
            by_name[key] = pk  # the oldest customer of that name wins
    for ckey, row in customer_rows.items():
        code, key = ckey
        pk = by_code.get(code) if code else None
        if pk is None and key:
            pk = by_name.get(key)
        if pk is not None:
            m.customers[ckey] = pk
        else:
            m.missing_customers[ckey] = {
                "code": code,
                "name": row.customer_name,
                "row": row.number,
            }
    skus = {sku for sku, _name in product_rows if sku}
    names = {row.product_name for row in product_rows.values() if row.product_name}
    by_sku: dict[str, int] = {}
    for chunk in _chunks(skus):
        by_sku.update(
            Product.objects.filter(company_id=company, sku__in=chunk).values_list("sku", "pk")
        )
    by_product_name: dict[str, int] = {}
    for chunk in _chunks(names):
        for name, pk in (
            Product.objects.filter(company_id=company, name__in=chunk)
            .order_by("-id")
            .values_list("name", "pk")
        ):
            by_product_name[fold(name)] = pk
    for pkey, row in product_rows.items():
        sku, name = pkey
        pk = by_sku.get(sku) if sku else None
        if pk is None and name:
            pk = by_product_name.get(name)
        if pk is not None:
            m.products[pkey] = pk
        else:
            m.missing_products[pkey] = {
                "sku": sku,
                "name": row.product_name or sku,
                "row": row.number,
                "unit": row.unit,
                "price": str(row.unit_price),
                "currency": row.currency,
                "tax_rate": str(row.tax_rate),
            }
    _alias(m, "c", m.missing_customers)
    _alias(m, "p", m.missing_products)
    for chunk in _chunks(orders.keys()):
        m.existing_numbers.update(
            SalesOrder.all_objects.filter(company_id=company, number__in=chunk).values_list(
                "number", flat=True
            )
        )
    return m


def _alias(m: Matches, kind: str, missing: dict[tuple[str, str], dict]) -> None:
    """One new record per code (SKU), and a name without a code is the record of that name."""
    by_code: dict[str, tuple[str, str]] = {}
    by_name: dict[str, tuple[str, str]] = {}
    for key in list(missing):
        code, name = key
        target = by_code.get(code) if code else by_name.get(name)
        if target is not None:
            m.aliases[(kind, key)] = target
            del missing[key]
            continue
        if code:
            by_code[code] = key
        if name and (name not in by_name or not by_name[name][0]):
            by_name[name] = key
    for key in list(missing):  # ("", name) seen before the coded row of that name
        code, name = key
        if not code and by_name.get(name) not in (None, key):
            m.aliases[(kind, key)] = by_name[name]
            del missing[key]


def parse_upload(*, actor: Actor, filename: str, data: bytes) -> ParsedFile:
    table = read_table(
        filename, data, max_rows=settings.IMPORT_MAX_ROWS, max_bytes=settings.IMPORT_MAX_BYTES
    )
    mapping, problems = _match_columns(table.headers)
    problems += [str(w) for w in table.warnings]
    rows: list[LineRow] = []
    keys: dict[str, Any] = {}  # per distinct name: dedup key; per distinct date text: date
    items = list(mapping.items())
    for source in table.rows:
        values = source.values
        size = len(values)
        raw = {k: (values[i] if i < size else "") for k, i in items}
        row = LineRow(number=source.number)
        _read_row(row, raw, keys)
        rows.append(row)
    orders = _group(rows)
    parsed = ParsedFile(orders=orders, rows=rows, problems=problems, format=table.format)
    parsed.matches = match_records(actor=actor, orders=orders)
    return parsed


# --- planning: which orders are imported ---------------------------------------------------------
@dataclass
class Plan:
    orders: list[ParsedOrder]
    skipped_invalid: list[ParsedOrder]
    skipped_existing: list[ParsedOrder]
    create_customers: list[tuple[str, str]]
    create_products: list[tuple[str, str]]


def _blocked(order: ParsedOrder, m: Matches, create_missing: bool) -> bool:
    if not order.valid:
        return True
    if create_missing:
        return False
    if m.customer(customer_key(order.first)) in m.missing_customers:
        return True
    return any(m.product(product_key(r)) in m.missing_products for r in order.rows)


def make_plan(parsed: ParsedFile, options: dict[str, Any]) -> Plan:
    m = parsed.matches
    create = bool(options.get("create_missing"))
    plan = Plan([], [], [], [], [])
    customers: dict[tuple[str, str], None] = {}
    products: dict[tuple[str, str], None] = {}
    for order in parsed.orders.values():
        if order.number in m.existing_numbers and order.valid and options.get("skip_existing"):
            plan.skipped_existing.append(order)
        elif _blocked(order, m, create) or order.number in m.existing_numbers:
            plan.skipped_invalid.append(order)
        else:
            plan.orders.append(order)
            ckey = m.customer(customer_key(order.first))
            if ckey in m.missing_customers:
                customers[ckey] = None
            for row in order.rows:
                pkey = m.product(product_key(row))
                if pkey in m.missing_products:
                    products[pkey] = None
    plan.create_customers, plan.create_products = list(customers), list(products)
    return plan


def _totals(orders) -> dict[str, str]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for order in orders:
        totals[order.first.currency] += order.total
    return {k: str(v) for k, v in sorted(totals.items())}


def _file_totals(rows: list[LineRow]) -> dict[str, str]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        if row.amount:
            totals[row.currency] += row.amount
    return {k: str(v) for k, v in sorted(totals.items())}


def build_report(parsed: ParsedFile) -> dict[str, Any]:
    m = parsed.matches
    errors = []
    for row in parsed.rows:
        if row.errors:
            errors.append({"row": row.number, "messages": row.errors})
    for order in parsed.orders.values():
        if order.errors:
            errors.append({"row": order.first.number, "messages": order.errors})
    errors.sort(key=lambda e: e["row"])
    invalid_orders = [o for o in parsed.orders.values() if not o.valid]
    existing = [
        {"number": o.number, "row": o.first.number}
        for o in parsed.orders.values()
        if o.number in m.existing_numbers
    ]
    dates = [r.order_date for r in parsed.rows if r.order_date]
    sample = []
    for order in list(parsed.orders.values())[:SAMPLE_ORDERS]:
        sample.append(
            {
                "number": order.number,
                "row": order.first.number,
                "customer": order.first.customer_name or order.first.customer_code,
                "date": order.first.order_date.isoformat() if order.first.order_date else "",
                "lines": len(order.rows),
                "currency": order.first.currency,
                "total": str(order.total),
                "valid": order.valid,
            }
        )
    plan_all = make_plan(parsed, {"create_missing": True, "skip_existing": True})
    plan_strict = make_plan(parsed, {"create_missing": False, "skip_existing": True})
    return {
        "format": parsed.format,
        "rows": len(parsed.rows),
        "orders": len(parsed.orders),
        "error_count": len(errors),
        "errors": errors[:MAX_STORED_PROBLEMS],
        "invalid_orders": len(invalid_orders),
        "missing_customer_count": len(m.missing_customers),
        "missing_customers": list(m.missing_customers.values())[:MAX_STORED_PROBLEMS],
        "missing_product_count": len(m.missing_products),
        "missing_products": [
            {k: v for k, v in p.items() if k in {"sku", "name", "row"}}
            for p in list(m.missing_products.values())[:MAX_STORED_PROBLEMS]
        ],
        "existing_count": len(existing),
        "existing": existing[:MAX_STORED_PROBLEMS],
        "problems": parsed.problems[:MAX_STORED_PROBLEMS],
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
        "file_totals": _file_totals(parsed.rows),
        # What would be imported creating the missing records / without creating them.
        "importable_orders": len(plan_all.orders),
        "importable_totals": _totals(plan_all.orders),
        "importable_orders_without_creating": len(plan_strict.orders),
        "sample": sample,
    }


# --- phase 1: preview ----------------------------------------------------------------------------
def order_import_preview(*, actor: Actor, filename: str, data: bytes) -> OrderImportJob:
    """Read and check the file; store it with its report. Writes nothing else."""
    require_write(actor)
    parsed = parse_upload(actor=actor, filename=filename, data=data)
    if not parsed.rows:
        raise ValidationFailed(_("The file has no rows to import."))
    report = build_report(parsed)
    job = OrderImportJob(
        company=actor.company,
        created_by=actor.user,
        updated_by=actor.user,
        filename=filename[:200],
        total_rows=len(parsed.rows),
        valid_rows=sum(len(o.rows) for o in parsed.orders.values() if o.valid),
        report=report,
    )
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    return job


# --- phase 2: commit -----------------------------------------------------------------------------
def order_import_refusal(report: dict[str, Any], options: dict[str, Any]) -> str | None:
    """Why the import cannot start with these options (None: it can)."""
    reasons = []
    if report.get("invalid_orders"):
        reasons.append(
            _("%(count)d orders have rows with errors.") % {"count": report["invalid_orders"]}
        )
    missing = report.get("missing_customer_count", 0) + report.get("missing_product_count", 0)
    if missing and not options.get("create_missing"):
        reasons.append(
            _(
                "%(customers)d customers and %(products)d products are not in the company yet; "
                "choose to create them."
            )
            % {
                "customers": report.get("missing_customer_count", 0),
                "products": report.get("missing_product_count", 0),
            }
        )
    if report.get("existing_count") and not options.get("skip_existing"):
        reasons.append(
            _(
                "%(count)d order numbers are already used in this company; choose to skip "
                "the orders already imported."
            )
            % {"count": report["existing_count"]}
        )
    if reasons and not options.get("skip_invalid"):
        return " ".join(
            [*reasons, _("Fix the file, or choose to skip the orders that cannot be imported.")]
        )
    return None


def order_import_commit(
    *,
    actor: Actor,
    job: OrderImportJob,
    skip_invalid: bool = False,
    create_missing: bool = False,
    skip_existing: bool = False,
) -> OrderImportJob:
    """Queue the import. Refused while orders would be left out, unless `skip_invalid`."""
    require_write(actor)
    if job.status != OrderImportJob.Status.PREVIEWED:
        raise Conflict(_("This import was already started."))
    options = {
        "skip_invalid": skip_invalid,
        "create_missing": create_missing,
        "skip_existing": skip_existing,
    }
    refusal = order_import_refusal(job.report, options)
    if refusal:
        raise ValidationFailed(refusal)
    progress = progress_start(
        name=_("Import of orders from %(file)s") % {"file": job.filename},
        company=actor.company,
        user=actor.user,
        total=job.total_rows,
    )
    job.options = {**options, "user_id": actor.user_id, "membership_id": actor.membership_id}
    job.status = OrderImportJob.Status.QUEUED
    job.progress = progress
    job.updated_by = actor.user
    job.save(update_fields=["options", "status", "progress", "updated_by", "updated_at"])
    from .import_tasks import run_order_import

    transaction.on_commit(lambda: run_order_import.enqueue(job.pk))
    return job


def order_import_cancel(*, actor: Actor, job: OrderImportJob) -> OrderImportJob:
    """Drop a previewed import (the CLI's --dry-run, or the user giving up)."""
    require_write(actor)
    if job.status != OrderImportJob.Status.PREVIEWED:
        raise Conflict(_("This import was already started."))
    job.status = OrderImportJob.Status.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    return job


def order_import_run(*, job_id: int, echo=None) -> dict[str, Any]:
    """Apply an import (the task body). Idempotent: a finished job returns its result; otherwise
    the whole file is applied in one transaction."""
    from shangyou.accounts.selectors import actor_from_membership

    job = OrderImportJob.objects.select_related("company", "progress").get(pk=job_id)
    if job.status == OrderImportJob.Status.DONE:
        return job.result
    membership = Membership.objects.select_related("user", "company").get(
        pk=job.options["membership_id"]
    )
    actor = actor_from_membership(membership)
    OrderImportJob.objects.filter(pk=job.pk).update(status=OrderImportJob.Status.RUNNING)
    progress = Progress(job.progress_id, echo=echo) if job.progress_id else None
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        parsed = parse_upload(actor=actor, filename=job.filename, data=data)
        if progress:
            progress.set_total(len(parsed.rows))
        with transaction.atomic():
            result = _apply(actor=actor, job=job, parsed=parsed, progress=progress)
            job.status = OrderImportJob.Status.DONE
            job.result = result
            job.save(update_fields=["status", "result", "updated_at"])
            audit_log(
                actor=actor,
                instance=job,
                action=AuditEntry.Action.OTHER,
                changes={
                    "orders": [None, result["orders"]],
                    "lines": [None, result["lines"]],
                    "totals": [None, result["imported_totals"]],
                },
                note=_("Imported %(orders)d orders (%(lines)d lines) from %(file)s")
                % {**result, "file": job.filename},
            )
    except Exception as exc:
        message = str(getattr(exc, "message", exc))[:1000]
        OrderImportJob.objects.filter(pk=job.pk).update(
            status=OrderImportJob.Status.FAILED, result={"error": message}
        )
        if progress:
            progress.fail(message)
        raise
    if progress:
        progress.finish(
            result=result,
            message=_("Imported %(orders)d orders, %(lines)d lines") % result,
        )
    return result


def _apply(*, actor: Actor, job: OrderImportJob, parsed: ParsedFile, progress) -> dict[str, Any]:
    options = job.options
    refusal = order_import_refusal(build_report(parsed), options)
    if refusal:  # the company changed since the preview (e.g. a customer was deleted)
        raise ValidationFailed(refusal)
    plan = make_plan(parsed, options)
    now = timezone.now()
    m = parsed.matches
    teams = dict(
        Membership.objects.filter(company_id=actor.company_id).values_list("user_id", "team_id")
    )
    customers = dict(m.customers)
    customers.update(_create_customers(actor, plan.create_customers, m, teams, now))
    products = dict(m.products)
    products.update(_create_products(actor, plan.create_products, m, now))
    for (kind, key), target in m.aliases.items():
        found = (customers if kind == "c" else products).get(target)
        if found is not None:
            (customers if kind == "c" else products)[key] = found
    writer = _OrderWriter(actor=actor, job=job, now=now, teams=teams)
    writer.load_customers({customers[customer_key(o.first)] for o in plan.orders})
    lines = 0
    for start in range(0, len(plan.orders), BATCH):
        batch = plan.orders[start : start + BATCH]
        lines += writer.write(batch, customers, products)
        if progress:
            progress.advance(sum(len(o.rows) for o in batch))
    writer.touch_customers()
    _advance_numbering(actor=actor, numbers=[o.number for o in plan.orders])
    imported = (
        SalesOrder.objects.filter(company_id=actor.company_id, external_ref=writer.ref)
        .values("currency")
        .annotate(total=Sum("total"), n=Count("id"))
        .order_by("currency")
    )
    return {
        "orders": len(plan.orders),
        "lines": lines,
        "skipped_invalid": len(plan.skipped_invalid),
        "skipped_existing": len(plan.skipped_existing),
        "customers_created": len(plan.create_customers),
        "products_created": len(plan.create_products),
        "file_totals": _file_totals(parsed.rows),
        "planned_totals": _totals(plan.orders),
        "imported_totals": {r["currency"]: str(to_cents(r["total"])) for r in imported},
    }


ORDER_NUMBER_RE = re.compile(r"^SO-(\d{4})-(\d+)$")


def _advance_numbering(*, actor: Actor, numbers: list[str]) -> None:
    """Imported numbers in our own pattern (SO-2026-00042) move the company's counter past
    them, so the next order made here does not collide with an imported one."""
    highest: dict[str, int] = {}
    for number in numbers:
        match = ORDER_NUMBER_RE.match(number)
        if match:
            year, value = match.group(1), int(match.group(2))
            highest[year] = max(highest.get(year, 0), value)
    for year, value in highest.items():
        counter, _created = Sequence.objects.get_or_create(
            company_id=actor.company_id, key="SO", period=year, defaults={"last_value": value}
        )
        if counter.last_value < value:
            Sequence.objects.filter(pk=counter.pk, last_value__lt=value).update(last_value=value)


def _create_customers(actor, keys, m: Matches, teams, now) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    created = []
    for key in keys:
        info = m.missing_customers[key]
        customer = Customer(
            company=actor.company,
            created_by=actor.user,
            updated_by=actor.user,
            owner_id=actor.user_id,
            team_id=teams.get(actor.user_id),
            code=info["code"],
            name=info["name"] or info["code"],
            stage=Customer.Stage.CUSTOMER,
            source=Customer.Source.IMPORT,
            converted_at=now,
        )
        customer.refresh_search()
        created.append(customer)
    Customer.objects.bulk_create(created, batch_size=500)
    _audit_created(actor, created, now)
    return {key: c.pk for key, c in zip(keys, created, strict=True)}


def _create_products(actor, keys, m: Matches, now) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    import hashlib

    created = []
    for key in keys:
        info = m.missing_products[key]
        sku = (
            info["sku"]
            or (
                "IMP-" + hashlib.sha1(info["name"].encode(), usedforsecurity=False).hexdigest()[:10]
            ).upper()
        )
        product = Product(
            company=actor.company,
            created_by=actor.user,
            updated_by=actor.user,
            sku=sku,
            name=info["name"][:200],
            unit=info["unit"] or "pcs",
            price=Decimal(info["price"]),
            currency=info["currency"],
            tax_rate=Decimal(info["tax_rate"]),
        )
        product.refresh_search()
        created.append(product)
    Product.objects.bulk_create(created, batch_size=500)
    _audit_created(actor, created, now)
    return {key: p.pk for key, p in zip(keys, created, strict=True)}


def _audit_created(actor: Actor, instances: list, now) -> None:
    from django.contrib.contenttypes.models import ContentType

    if not instances:
        return
    content_type = ContentType.objects.get_for_model(instances[0])
    note = _("Created by an order import")
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                company_id=actor.company_id,
                user_id=actor.user_id,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                action=AuditEntry.Action.CREATE,
                note=note,
            )
            for obj in instances
        ],
        batch_size=1000,
    )


# --- writing -------------------------------------------------------------------------------------
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class _OrderWriter:
    """Orders, their lines and timeline entries of one import, in batches.

    PostgreSQL: ids from the sequences first, then one COPY per table and batch (no per-value
    SQL compilation). SQLite: bulk_create. Inside the caller's transaction."""

    def __init__(self, *, actor: Actor, job: OrderImportJob, now, teams) -> None:
        from django.contrib.contenttypes.models import ContentType

        self.actor, self.job, self.now, self.teams = actor, job, now, teams
        self.ref = f"import:{job.pk}"
        self.order_type_id = ContentType.objects.get_for_model(SalesOrder).pk
        self.customers: dict[int, tuple] = {}
        self.last_order: dict[int, datetime] = {}
        self.postgres = connection.vendor == "postgresql"
        self.subject = _("Order %(number)s: %(currency)s %(total)s")
        self.tz = timezone.get_current_timezone()

    def load_customers(self, ids: set[int]) -> None:
        for chunk in _chunks(ids):
            for pk, owner_id, team_id, phone, email in Customer.all_objects.filter(
                company_id=self.actor.company_id, pk__in=chunk
            ).values_list("pk", "owner_id", "team_id", "phone", "email"):
                self.customers[pk] = (
                    owner_id or self.actor.user_id,
                    team_id if owner_id else self.teams.get(self.actor.user_id),
                    normalize_phone(phone),
                    (email or "").strip().lower(),
                )

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(12, 0), tzinfo=self.tz)

    def write(self, orders: list[ParsedOrder], customers, products) -> int:
        company_id, user_id = self.actor.company_id, self.actor.user_id
        order_rows, line_rows, entry_rows = [], [], []
        for order in orders:
            first = order.first
            customer_id = customers[customer_key(first)]
            owner_id, team_id, phone, email = self.customers[customer_id]
            at = self._at(first.order_date)
            subtotal = tax_total = total = Decimal("0.00")
            lines = []
            for position, row in enumerate(order.rows, start=1):
                tax = (
                    to_cents(row.amount * row.tax_rate / (HUNDRED + row.tax_rate))
                    if row.tax_rate
                    else Decimal("0.00")
                )
                net = row.amount - tax
                subtotal += net
                tax_total += tax
                total += row.amount
                lines.append(
                    {
                        "company_id": company_id,
                        "position": min(position, 32767),
                        "product_id": products[product_key(row)],
                        "configuration_id": None,
                        "sku": row.sku,
                        "description": (row.product_name or row.sku)[:500],
                        "specification": "",
                        "quantity": row.quantity,
                        "unit": row.unit,
                        "unit_price": row.unit_price,
                        "discount_percent": Decimal(0),
                        "tax_rate": row.tax_rate,
                        "line_subtotal": net,
                        "line_tax": tax,
                        "line_total": row.amount,
                        "quantity_shipped": row.quantity,
                        "quantity_invoiced": Decimal(0),
                        "required_date": None,
                    }
                )
            order_rows.append(
                (
                    {
                        "company_id": company_id,
                        "created_by_id": user_id,
                        "updated_by_id": user_id,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "number": order.number,
                        "customer_id": customer_id,
                        "status": SalesOrder.Status.COMPLETED.value,
                        "source": SalesOrder.Source.IMPORT.value,
                        "order_date": first.order_date,
                        "currency": first.currency,
                        "subtotal": subtotal,
                        "discount_total": Decimal("0.00"),
                        "tax_total": tax_total,
                        "total": total,
                        "owner_id": owner_id,
                        "team_id": team_id,
                        "tracking_phone": phone,
                        "tracking_email": email,
                        "confirmed_at": at,
                        "completed_at": at,
                        "external_ref": self.ref,
                    },
                    lines,
                )
            )
            if customer_id not in self.last_order or self.last_order[customer_id] < at:
                self.last_order[customer_id] = at
        ids = self._insert_orders([o for o, _lines in order_rows])
        for (order, lines), pk in zip(order_rows, ids, strict=True):
            for line in lines:
                line["order_id"] = pk
                line_rows.append(line)
            entry_rows.append(
                {
                    "company_id": company_id,
                    "created_by_id": user_id,
                    "updated_by_id": user_id,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "customer_id": order["customer_id"],
                    "kind": TimelineEntry.Kind.ORDER.value,
                    "occurred_at": order["completed_at"],
                    "author_id": user_id,
                    "subject": (
                        self.subject
                        % {
                            "number": order["number"],
                            "currency": order["currency"],
                            "total": order["total"],
                        }
                    )[:300],
                    "related_type_id": self.order_type_id,
                    "related_id": pk,
                    "data": {"status": order["status"], "total": str(order["total"])},
                }
            )
        self._insert(OrderLine, line_rows)
        self._insert(TimelineEntry, entry_rows)
        return len(line_rows)

    # -- database paths --
    def _insert_orders(self, rows: list[dict]) -> list[int]:
        if not self.postgres:
            objs = [SalesOrder(**row) for row in rows]
            SalesOrder.objects.bulk_create(objs, batch_size=500)
            return [o.pk for o in objs]
        meta = SalesOrder._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        self._copy(SalesOrder, rows, with_pk=True)
        return ids

    def _insert(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.postgres:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
            return
        self._copy(model, rows)

    def _copy(self, model, rows: list[dict], *, with_pk: bool = False) -> None:
        import json

        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        defaults = {}
        for f in fields:
            default = f.get_default()
            defaults[f.attname] = default
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        attnames = [f.attname for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        out = []
        for row in rows:
            values = []
            for name in attnames:
                value = row[name] if name in row else defaults[name]
                if name in json_fields:
                    value = json.dumps(value, ensure_ascii=False)
                values.append(_copy_value(value))
            out.append("\t".join(values))
        payload = ("\n".join(out) + "\n").encode()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(payload)

    def touch_customers(self) -> None:
        """Orders count as contact: `last_contacted_at` moves to the newest order's date."""
        by_time: dict[datetime, list[int]] = defaultdict(list)
        for pk, at in self.last_order.items():
            by_time[at].append(pk)
        from django.db.models import Q

        for at, ids in by_time.items():
            for chunk in _chunks(ids):
                Customer.all_objects.filter(pk__in=chunk).filter(
                    Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=at)
                ).update(last_contacted_at=at)


# --- reads ---------------------------------------------------------------------------------------
def order_import_get(*, actor: Actor, id: int) -> OrderImportJob:
    job = (
        OrderImportJob.objects.filter(company_id=actor.company_id, pk=id)
        .select_related("progress")
        .first()
    )
    if job is None:
        raise NotFound()
    return job


def order_import_list(*, actor: Actor):
    return OrderImportJob.objects.filter(company_id=actor.company_id).select_related("created_by")


def order_import_progress(job: OrderImportJob) -> TaskProgress | None:
    from shangyou.core.progress import live_progress

    return live_progress(job.progress) if job.progress else None
