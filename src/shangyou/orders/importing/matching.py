"""Matching the file's customers and products to the company's records, and the order numbers
the company already uses. Run at the preview and again by the run (records may have been
created, deleted or imported in between). One query per chunk of distinct keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from shangyou.catalog.models import Product
from shangyou.contacts.models import Customer
from shangyou.core.actor import Actor
from shangyou.core.search import fold

from ..models import SalesOrder
from .parse import LINE_ITEM, Line, ParsedFile, ParsedOrder


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
    # ParsedFile.items index → product key
    item_keys: list[tuple[str, str]] = field(default_factory=list)

    def customer(self, key: tuple[str, str]) -> tuple[str, str]:
        return self.aliases.get(("c", key), key)

    def product(self, key: tuple[str, str]) -> tuple[str, str]:
        return self.aliases.get(("p", key), key)


def chunks(values, size: int | None = None):
    """Sorted chunks for `__in` lookups (SQLite caps the number of parameters)."""
    if size is None:
        size = 5000 if connection.vendor == "postgresql" else 500
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def match_records(*, actor: Actor, parsed: ParsedFile) -> Matches:
    """Customers by code then by name; products by SKU then by name; order numbers in use."""
    m = Matches(item_keys=[(sku, fold(name)) for sku, name in parsed.items])
    company = actor.company_id
    # the customer of an order is named by its first row (completed by later rows); a new
    # product takes its details from the first row naming it
    customer_orders: dict[tuple[str, str], ParsedOrder] = {}
    product_lines: dict[tuple[str, str], tuple[Line, ParsedOrder]] = {}
    seen_items: set[int] = set()
    for order in parsed.orders.values():
        customer_orders.setdefault(order.customer, order)
        for line in order.lines:
            item = line[LINE_ITEM]
            if item not in seen_items:
                seen_items.add(item)
                product_lines.setdefault(m.item_keys[item], (line, order))
    codes = {code for code, _key in customer_orders if code}
    keys = {key for _code, key in customer_orders if key}
    by_code: dict[str, int] = {}
    for chunk in chunks(codes):
        by_code.update(
            Customer.objects.filter(company_id=company, code__in=chunk).values_list("code", "pk")
        )
    by_name: dict[str, int] = {}
    for chunk in chunks(keys):
        for key, pk in (
            Customer.objects.filter(company_id=company, dedup_name__in=chunk)
            .order_by("-id")
            .values_list("dedup_name", "pk")
        ):
            by_name[key] = pk  # the oldest customer of that name wins
    for ckey, order in customer_orders.items():
        code, key = ckey
        pk = by_code.get(code) if code else None
        if pk is None and key:
            pk = by_name.get(key)
        if pk is not None:
            m.customers[ckey] = pk
        else:
            m.missing_customers[ckey] = {
                "code": code,
                "name": order.customer_name,
                "row": order.row,
            }
    skus = {sku for sku, _name in product_lines if sku}
    names = {parsed.items[line[LINE_ITEM]][1] for line, _order in product_lines.values()}
    names.discard("")
    by_sku: dict[str, int] = {}
    for chunk in chunks(skus):
        by_sku.update(
            Product.objects.filter(company_id=company, sku__in=chunk).values_list("sku", "pk")
        )
    by_product_name: dict[str, int] = {}
    for chunk in chunks(names):
        for name, pk in (
            Product.objects.filter(company_id=company, name__in=chunk)
            .order_by("-id")
            .values_list("name", "pk")
        ):
            by_product_name[fold(name)] = pk
    for pkey, (line, order) in product_lines.items():
        sku, name = pkey
        pk = by_sku.get(sku) if sku else None
        if pk is None and name:
            pk = by_product_name.get(name)
        if pk is not None:
            m.products[pkey] = pk
        else:
            row, item, _quantity, unit, price, _amount, _cents, tax_rate = line
            m.missing_products[pkey] = {
                "sku": sku,
                "name": parsed.items[item][1] or sku,
                "row": row,
                "unit": unit,
                "price": price,
                "currency": order.currency,
                "tax_rate": tax_rate,
            }
    _alias(m, "c", m.missing_customers)
    _alias(m, "p", m.missing_products)
    m.existing_numbers = _numbers_in_use(company, list(parsed.orders))
    return m


def _numbers_in_use(company_id: int, numbers: list[str]) -> set[str]:
    """The order numbers the company uses (in the trash too). PostgreSQL: one array parameter
    for all of them (tens of thousands of `IN` parameters cost more to send than to look up)."""
    if connection.vendor != "postgresql":
        used: set[str] = set()
        for chunk in chunks(numbers):
            used.update(
                SalesOrder.all_objects.filter(company_id=company_id, number__in=chunk).values_list(
                    "number", flat=True
                )
            )
        return used
    table = connection.ops.quote_name(SalesOrder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number FROM {table} WHERE company_id = %s AND number = ANY(%s)",  # noqa: S608
            [company_id, numbers],
        )
        return {number for (number,) in cursor.fetchall()}


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
