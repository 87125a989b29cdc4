"""Money arithmetic shared by quotations, orders and invoices: Decimal only, rounded half-up to
the cent per line, so a document's totals are the sums of what its lines show.

Prices are net of tax; a line's discount applies before tax; a document-wide discount
(`discount_percent` on a quotation) applies to every line's net amount before tax.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal  # quantity × unit price, less the line discount
    tax: Decimal
    total: Decimal  # subtotal less the document discount, plus tax


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal = Decimal(0),
    tax_rate: Decimal = Decimal(0),
    document_discount_percent: Decimal = Decimal(0),
) -> LineAmounts:
    subtotal = to_cents(
        Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount_percent)) / HUNDRED
    )
    net = to_cents(subtotal * (HUNDRED - Decimal(document_discount_percent)) / HUNDRED)
    tax = to_cents(net * Decimal(tax_rate) / HUNDRED)
    return LineAmounts(subtotal=subtotal, tax=tax, total=net + tax)


@dataclass(frozen=True)
class DocumentTotals:
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def document_totals(lines: Iterable[LineAmounts]) -> DocumentTotals:
    """Totals of a document from its lines' amounts (discount = subtotal − net)."""
    subtotal = tax = total = Decimal("0.00")
    for line in lines:
        subtotal += line.subtotal
        tax += line.tax
        total += line.total
    discount = subtotal + tax - total
    return DocumentTotals(subtotal=subtotal, discount_total=discount, tax_total=tax, total=total)
