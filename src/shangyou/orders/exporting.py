"""CSV downloads of the orders app: the open-orders feed for the ERP (I1) and receivables.

Streamed, UTF-8 with a BOM (Excel opens Chinese text correctly), and every cell a spreadsheet
would run as a formula is neutralised (`contacts.exporting.neutralise`).
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shangyou.contacts.exporting import neutralise

from .services import plain


def _csv(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _response(chunks: Iterator[str], name: str) -> StreamingHttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def open_lines_rows(lines) -> Iterator[list]:
    for line in lines.iterator(chunk_size=2000):
        yield [
            line.order.number,
            line.order.get_status_display(),
            line.order.customer.name,
            line.sku,
            line.description,
            plain(line.quantity),
            plain(line.quantity_shipped),
            plain(line.quantity - line.quantity_shipped),
            line.unit,
            line.required.isoformat() if line.required else "",
        ]


def open_lines_header() -> list[str]:
    return [
        _("Order number"), _("Order status"), _("Customer"), _("SKU"), _("Description"),
        _("Ordered"), pgettext("quantity", "Shipped"), _("Open quantity"), _("Unit"),
        _("Required date"),
    ]  # fmt: skip


def open_lines_response(lines) -> StreamingHttpResponse:
    return _response(_csv(open_lines_header(), open_lines_rows(lines)), "open-order-lines")


def receivables_response(report: dict) -> StreamingHttpResponse:
    header = [
        _("Customer"), _("Currency"), _("Current"), _("1–30 days"), _("31–60 days"),
        _("61–90 days"), _("Over 90 days"), _("Total"), pgettext("count", "Invoices"),
    ]  # fmt: skip
    keys = ("current", "d1_30", "d31_60", "d61_90", "d90_plus", "total")
    rows = [
        [r["customer_name"], r["currency"], *[r[k] for k in keys], r["invoices"]]
        for r in report["rows"]
    ]
    rows += [[_("Total"), t["currency"], *[t[k] for k in keys], ""] for t in report["totals"]]
    return _response(_csv(header, rows), f"receivables-{report['as_of'].isoformat()}")
