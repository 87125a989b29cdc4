"""Which orders an import writes, the preview's report, and when an import is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .matching import Matches
from .parse import LINE_ITEM, ParsedFile, ParsedOrder, cents_text

MAX_STORED_PROBLEMS = 1000
SAMPLE_ORDERS = 20


@dataclass
class Plan:
    orders: list[ParsedOrder]
    skipped_invalid: int
    skipped_existing: int
    create_customers: list[tuple[str, str]]
    create_products: list[tuple[str, str]]


def make_plan(parsed: ParsedFile, m: Matches, options: dict[str, Any]) -> Plan:
    create = bool(options.get("create_missing"))
    skip_existing = bool(options.get("skip_existing"))
    # per item of the file: whether its product is missing (after aliasing)
    missing_item = [m.product(key) in m.missing_products for key in m.item_keys]
    plan = Plan([], 0, 0, [], [])
    customers: dict[tuple[str, str], None] = {}
    products: dict[tuple[str, str], None] = {}
    for order in parsed.orders.values():
        existing = order.number in m.existing_numbers
        if existing and order.valid and skip_existing:
            plan.skipped_existing += 1
            continue
        if not order.valid or existing:
            plan.skipped_invalid += 1
            continue
        ckey = m.customer(order.customer)
        if not create and (
            ckey in m.missing_customers
            or any(missing_item[line[LINE_ITEM]] for line in order.lines)
        ):
            plan.skipped_invalid += 1
            continue
        plan.orders.append(order)
        if ckey in m.missing_customers:
            customers[ckey] = None
        for line in order.lines:
            item = line[LINE_ITEM]
            if missing_item[item]:
                products[m.product(m.item_keys[item])] = None
    plan.create_customers, plan.create_products = list(customers), list(products)
    return plan


def totals(orders) -> dict[str, str]:
    """Per currency, to the cent."""
    cents: dict[str, int] = {}
    for order in orders:
        cents[order.currency] = cents.get(order.currency, 0) + order.cents
    return {k: cents_text(v) for k, v in sorted(cents.items())}


def file_totals(parsed: ParsedFile) -> dict[str, str]:
    return {k: cents_text(v) for k, v in sorted(parsed.file_totals.items())}


def build_report(parsed: ParsedFile, m: Matches) -> dict[str, Any]:
    errors = parsed.errors
    orders = parsed.orders.values()
    used = m.existing_numbers
    existing = [{"number": o.number, "row": o.row} for o in orders if o.number in used]
    sample = [
        {
            "number": order.number,
            "row": order.row,
            "customer": order.customer_name or order.customer_code,
            "date": order.order_date.isoformat() if order.order_date else "",
            "lines": len(order.lines),
            "currency": order.currency,
            "total": order.total,
            "valid": order.valid,
        }
        for order, _n in zip(orders, range(SAMPLE_ORDERS), strict=False)
    ]
    plan_all = make_plan(parsed, m, {"create_missing": True, "skip_existing": True})
    plan_strict = make_plan(parsed, m, {"create_missing": False, "skip_existing": True})
    return {
        "format": parsed.format,
        "rows": parsed.rows,
        "orders": len(parsed.orders),
        "error_count": len(errors),
        "errors": errors[:MAX_STORED_PROBLEMS],
        "invalid_orders": sum(1 for o in orders if not o.valid),
        "unnumbered_rows": parsed.unnumbered_rows,
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
        "first_date": parsed.first_date.isoformat() if parsed.first_date else None,
        "last_date": parsed.last_date.isoformat() if parsed.last_date else None,
        "file_totals": file_totals(parsed),
        # What would be imported creating the missing records / without creating them.
        "importable_orders": len(plan_all.orders),
        "importable_totals": totals(plan_all.orders),
        "importable_orders_without_creating": len(plan_strict.orders),
        "sample": sample,
        # The run checks it is importing the file that was previewed.
        "file_sha256": parsed.sha256,
    }


def order_import_refusal(report: dict[str, Any], options: dict[str, Any]) -> str | None:
    """Why the import cannot start with these options (None: it can)."""
    reasons = []
    if report.get("invalid_orders"):
        reasons.append(
            _("%(count)d orders have rows with errors.") % {"count": report["invalid_orders"]}
        )
    if report.get("unnumbered_rows"):
        reasons.append(
            _("%(count)d rows have no order number.") % {"count": report["unnumbered_rows"]}
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


def run_report(parsed: ParsedFile, m: Matches) -> dict[str, Any]:
    """The counts `order_import_refusal` reads, as the company is now (checked again by the
    run: a customer may have been deleted, an order number used, since the preview)."""
    orders = parsed.orders.values()
    return {
        "invalid_orders": sum(1 for o in orders if not o.valid),
        "unnumbered_rows": parsed.unnumbered_rows,
        "missing_customer_count": len(m.missing_customers),
        "missing_product_count": len(m.missing_products),
        "existing_count": sum(1 for o in orders if o.number in m.existing_numbers),
    }
