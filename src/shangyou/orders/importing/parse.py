"""Reading and checking the rows of an order-history file (no database).

One pass over the records: each row is read and checked, then joined to its order (rows sharing
an order number form one order, wherever they are in the file). Cells repeat a lot in an order
history — the same dates, customers, products, quantities and prices — so every conversion is
done once per distinct text: a date once per date text, the dedup key (pinyin) once per customer
name, the amounts once per (quantity, unit price, amount) triple.

Amounts are checked with Decimal and kept as the text written to the database ("10.000",
"128.5000") and, for the line's total, as integer cents: sums are exact and cheap.
"""

from __future__ import annotations

import gc
import hashlib
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from shangyou.catalog.models import BASE_CURRENCY, CURRENCIES
from shangyou.contacts.dedup import dedup_name
from shangyou.contacts.importers import headers as header_rules
from shangyou.core.errors import ValidationFailed
from shangyou.core.money import CENT, to_cents
from shangyou.core.search import fold

from .reading import read_records

PRICE_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")
HUNDRED = Decimal(100)
MAX_LINES_PER_ORDER = 32_000
MAX_AMOUNT = Decimal("1e14")

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
# A line is a plain tuple (cheap to make, and to keep, 200,000 of): (row number in the file,
# item (index of its (SKU, product name) in ParsedFile.items), quantity, unit, unit price,
# amount, cents, tax rate). Quantity, unit price, amount and tax rate are the text written to the
# database ("10.000", "128.5000", "1285.00", "13.00"; "0" without a rate); the amount is the
# line's total, tax included, as in the file, and `cents` the same in cents. A row with an
# unreadable amount has "0" and 0 (its order is invalid).
Line = tuple[int, int, str, str, str, str, int, str]
LINE_ROW, LINE_ITEM, LINE_CENTS = 0, 1, 6


class ParsedOrder:
    """The rows sharing one order number. The customer is named by the first row, completed by
    later rows (a code on one row, the name on another)."""

    __slots__ = (
        "number", "row", "customer_code", "customer_name", "customer_key", "order_date",
        "currency", "lines", "errors", "valid", "cents",
    )  # fmt: skip

    def __init__(
        self, number: str, row: int, code: str, name: str, key: str, day, currency: str
    ) -> None:
        self.number, self.row = number, row
        self.customer_code, self.customer_name, self.customer_key = code, name, key
        self.order_date: date | None = day
        self.currency = currency
        self.lines: list[Line] = []
        self.errors: list[str] = []  # about the order as a whole
        self.valid = True  # no error on the order or any of its rows
        self.cents = 0  # the order's total

    @property
    def customer(self) -> tuple[str, str]:
        """The key matching the customer: (code, dedup name)."""
        return (self.customer_code, self.customer_key)

    @property
    def total(self) -> str:
        return cents_text(self.cents)


@dataclass
class ParsedFile:
    format: str
    rows: int  # data rows read
    orders: dict[str, ParsedOrder]
    items: list[tuple[str, str]]  # distinct (SKU, product name) as in the file
    file_totals: dict[str, int]  # cents per currency, every row with an amount
    first_date: date | None = None
    last_date: date | None = None
    unnumbered_rows: int = 0  # rows without an order number (always an error)
    problems: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "messages"}, by row
    sha256: str = ""

    def item_key(self, item: int) -> tuple[str, str]:
        """The key matching a product: (SKU, folded name)."""
        sku, name = self.items[item]
        return (sku, fold(name))


@contextmanager
def gc_paused():
    """The cyclic garbage collector off while a file's rows are built: they hold no cycles, and
    it would scan the growing heap of them again and again (a third of the time of a parse)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


# --- cells ---------------------------------------------------------------------------------------
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


def read_amounts(quantity_text: str, price_text: str, amount_text: str):
    """(quantity, unit price, amount, cents) of a line, or the error message. Either the price
    or the amount is needed; with both, quantity × price rounded to the cent must be the amount;
    with only the amount, the price is derived (4 decimals) and the amount kept."""
    try:
        quantity = parse_decimal(quantity_text)
        price = parse_decimal(price_text)
        amount = parse_decimal(amount_text)
    except ValueError as exc:
        return str(exc)
    if quantity is None:
        return _("The quantity is missing.")
    if quantity <= 0:
        return _("The quantity must be more than zero.")
    fitted = _fit(quantity, QUANTITY_PLACES)
    if fitted is None:
        return _("The quantity %(value)s has more than 3 decimals.") % {"value": quantity}
    quantity = fitted
    if price is None and amount is None:
        return _("Give the unit price or the amount.")
    if price is not None:
        fitted = _fit(price, PRICE_PLACES)
        if fitted is None or price < 0:
            return _("The unit price %(value)s must be zero or more, with at most 4 decimals.") % {
                "value": price
            }
        price = fitted
    if amount is not None:
        fitted = _fit(amount, CENT)
        if fitted is None or amount < 0:
            return _("The amount %(value)s must be zero or more, with at most 2 decimals.") % {
                "value": amount
            }
        amount = fitted
    if price is not None and amount is not None:
        computed = to_cents(quantity * price)
        if computed != amount:
            return _(
                "Quantity × unit price is %(computed)s, but the amount is %(amount)s. "
                "Correct one of them (or leave the unit price empty to derive it)."
            ) % {"computed": computed, "amount": amount}
    elif price is None:
        price = (amount / quantity).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    else:
        amount = to_cents(quantity * price)
    if amount >= MAX_AMOUNT or price >= MAX_AMOUNT:
        return _("The amount is too large.")
    return str(quantity), str(price), str(amount), int(amount * 100)


def _read_currency(text: str) -> tuple[str, str | None]:
    try:
        return parse_currency(text), None
    except ValueError as exc:
        return BASE_CURRENCY, str(exc)


def _read_tax_rate(text: str) -> tuple[str, str | None]:
    try:
        return str(parse_tax_rate(text)), None
    except ValueError as exc:
        return "0", str(exc)


def _read_date(text: str) -> date | str | None:
    """The date, the error message, or None when blank."""
    try:
        return header_rules.parse_date(text)
    except ValueError as exc:
        return str(exc)


# --- columns -------------------------------------------------------------------------------------
def match_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
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


# --- the file ------------------------------------------------------------------------------------
def parse_file(*, filename: str, data: bytes) -> ParsedFile:
    """Read and check every row; group the rows into orders. Raises ValidationFailed when the
    file cannot be read or lacks a needed column."""
    with gc_paused():
        return _parse(filename, data)


def _parse(filename: str, data: bytes) -> ParsedFile:
    table = read_records(filename, data)
    mapping, problems = match_columns(table.headers)
    width = len(table.headers)
    # A missing column reads the always-empty cell past the header's width.
    cells = itemgetter(*(mapping.get(key, width) for key in ORDER_KEYS))
    padding = [""] * (width + 1)

    no_number = _("The order number is missing.")
    long_number = _("The order number is longer than 40 characters.")
    no_customer = _("The customer is missing.")
    long_customer = _("The customer's name or code is too long.")
    no_date = _("The date is missing.")
    no_product = _("The product is missing.")
    long_product = _("The product's name or code is too long.")
    other_customer = _(
        "Order %(number)s: the customer differs from row %(row)d (“%(this)s” here, “%(first)s” "
        "there)."
    )
    other_date = _(
        "Order %(number)s: the date differs from row %(row)d (%(this)s here, %(first)s there)."
    )
    other_currency = _("Order %(number)s: the currency differs from row %(row)d.")

    # Each conversion once per distinct text.
    name_keys: dict[str, str] = {}
    days: dict[str, Any] = {}
    currencies: dict[str, tuple[str, str | None]] = {}
    rates: dict[str, tuple[str, str | None]] = {}
    amounts: dict[tuple[str, str, str], Any] = {}
    items: dict[tuple[str, str], int] = {}

    orders: dict[str, ParsedOrder] = {}
    errors: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    first_date = last_date = None
    rows = unnumbered = 0
    for number, values in table.records:
        rows += 1
        if len(values) < width + 1:
            values = values + padding[len(values) :]
        (number_text, code, name, day_text, sku, product, quantity_text, price_text,
         amount_text, unit, currency_text, rate_text) = cells(values)  # fmt: skip
        problems_here: list[str] = []
        if not number_text:
            problems_here.append(no_number)
        elif len(number_text) > 40:
            problems_here.append(long_number)
        if not code and not name:
            problems_here.append(no_customer)
        elif len(name) > 200 or len(code) > 40:
            problems_here.append(long_customer)
        key = ""
        if name:
            key = name_keys.get(name)
            if key is None:
                key = name_keys[name] = dedup_name(name)
        day = days.get(day_text, days)
        if day is days:
            day = days[day_text] = _read_date(day_text)
        if day is None:
            problems_here.append(no_date)
        elif isinstance(day, str):
            problems_here.append(day)
            day = None
        else:
            if first_date is None or day < first_date:
                first_date = day
            if last_date is None or day > last_date:
                last_date = day
        if not sku and not product:
            problems_here.append(no_product)
        elif len(sku) > 60 or len(product) > 200:
            problems_here.append(long_product)
        item = items.get((sku, product))
        if item is None:
            item = items[(sku, product)] = len(items)
        currency = currencies.get(currency_text)
        if currency is None:
            currency = currencies[currency_text] = _read_currency(currency_text)
        currency, problem = currency
        if problem:
            problems_here.append(problem)
        rate = rates.get(rate_text)
        if rate is None:
            rate = rates[rate_text] = _read_tax_rate(rate_text)
        rate, problem = rate
        if problem:
            problems_here.append(problem)
        triple = (quantity_text, price_text, amount_text)
        read = amounts.get(triple)
        if read is None:
            read = amounts[triple] = read_amounts(*triple)
        if isinstance(read, str):
            problems_here.append(read)
            quantity, price, amount, cents = "0", "0", "0", 0
        else:
            quantity, price, amount, cents = read
            if cents:
                totals[currency] = totals.get(currency, 0) + cents

        if not number_text:
            unnumbered += 1
        else:
            order = orders.get(number_text)
            if order is None:
                order = orders[number_text] = ParsedOrder(
                    number_text, number, code, name, key, day, currency
                )
            else:
                args = {"row": order.row, "number": number_text}
                if (code and order.customer_code and code != order.customer_code) or (
                    key and order.customer_key and key != order.customer_key
                ):
                    problems_here.append(
                        other_customer
                        % {
                            **args,
                            "this": name or code,
                            "first": order.customer_name or order.customer_code,
                        }
                    )
                if day and order.order_date and day != order.order_date:
                    problems_here.append(
                        other_date % {**args, "this": day, "first": order.order_date}
                    )
                if currency != order.currency:
                    problems_here.append(other_currency % args)
                # A later row may name the customer more fully (code and name).
                if not order.customer_code and code:
                    order.customer_code = code
                if not order.customer_name and name:
                    order.customer_name, order.customer_key = name, key
            order.lines.append((number, item, quantity, unit[:20], price, amount, cents, rate))
            order.cents += cents
            if problems_here:
                order.valid = False
        if problems_here:
            errors.append({"row": number, "messages": problems_here})

    too_many = _("An order can have at most 32,000 lines.")
    for order in orders.values():
        if len(order.lines) > MAX_LINES_PER_ORDER:
            order.errors.append(too_many)
            order.valid = False
            errors.append({"row": order.row, "messages": order.errors})
    errors.sort(key=itemgetter("row"))  # stable: a row's own errors before its order's
    return ParsedFile(
        format=table.format,
        rows=rows,
        orders=orders,
        items=list(items),
        file_totals=totals,
        first_date=first_date,
        last_date=last_date,
        unnumbered_rows=unnumbered,
        problems=problems + table.warnings,
        errors=errors,
        sha256=hashlib.sha256(data).hexdigest(),
    )
