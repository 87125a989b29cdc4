"""Pages of the analytics app (thin: parse, call a selector, render)."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shangyou.accounts.selectors import membership_list
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ValidationFailed

from . import selectors
from .filters import StatsFilters, parse_filters

TOP = 20


def _filters(request) -> tuple[StatsFilters, str | None]:
    try:
        return (
            parse_filters(
                date_from=request.GET.get("from"),
                date_to=request.GET.get("to"),
                interval=request.GET.get("interval"),
                owner=request.GET.get("owner"),
            ),
            None,
        )
    except ValidationFailed as exc:
        return parse_filters(date_from=None, date_to=None, interval=None, owner=None), str(
            exc.message
        )


def _bar(rows: list, title: str) -> dict:
    """An ECharts option: horizontal bars, one series per currency, biggest on top."""
    labels = list(dict.fromkeys(r.label for r in rows))[:TOP]
    currencies = sorted({r.currency for r in rows})
    series = []
    for currency in currencies:
        values = {r.label: float(r.amount) for r in rows if r.currency == currency}
        series.append(
            {"name": currency, "type": "bar", "data": [values.get(lb, 0) for lb in labels]}
        )
    return {
        "title": {"text": title, "left": "left", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"right": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": labels[::-1]},
        "series": [{**s, "data": s["data"][::-1]} for s in series],
    }


def _line(rows: list, title: str) -> dict:
    labels = list(dict.fromkeys(r.label for r in rows))
    currencies = sorted({r.currency for r in rows})
    series = []
    for currency in currencies:
        values = {r.label: float(r.amount) for r in rows if r.currency == currency}
        series.append(
            {
                "name": currency,
                "type": "line",
                "smooth": True,
                "areaStyle": {"opacity": 0.08},
                "data": [values.get(lb, 0) for lb in labels],
            }
        )
    return {
        "title": {"text": title, "left": "left", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"right": 0},
        "grid": {"left": 8, "right": 24, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": series,
    }


@actor_required
def sales(request):
    filters, error = _filters(request)
    actor = request.actor
    kwargs = filters.as_kwargs()
    periods = selectors.sales_statistics(
        actor=actor, group_by="period", interval=filters.interval, **kwargs
    )
    owners = selectors.sales_statistics(actor=actor, group_by="owner", **kwargs)
    products = selectors.sales_statistics(actor=actor, group_by="product", limit=TOP, **kwargs)
    grades = selectors.sales_statistics(actor=actor, group_by="grade", **kwargs)
    regions = selectors.sales_statistics(actor=actor, group_by="region", **kwargs)
    provinces = selectors.region_by_province(regions)
    charts = {
        "period": _line(periods, _("Sales by period")),
        "owner": _bar(owners, _("By salesperson")),
        "product": _bar(products, _("Top products")),
        "grade": _bar(grades, _("By customer grade")),
        "region": _bar(provinces, _("By province")),
    }
    members = []
    if not actor.sees_own_records_only:
        members = [m for m in membership_list(actor=actor) if m.is_active]
    context = {
        "filters": filters,
        "query": filters.query(),
        "error": error,
        "totals": selectors.sales_totals(actor=actor, **kwargs),
        "tables": [
            ("period", _("Sales by period"), periods),
            ("owner", _("By salesperson"), owners),
            ("product", _("Top products"), products),
            ("grade", _("By customer grade"), grades),
            ("region", _("By region"), regions),
        ],
        "charts": charts,
        "members": members,
        "intervals": [
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
        ],
    }
    return render(request, "analytics/sales.html", context)


@actor_required
def sales_csv(request):
    """One table of the page (`?table=period|owner|product|grade|region`) as CSV (UTF-8 with
    BOM, so Excel reads the Chinese)."""
    filters, error = _filters(request)
    group_by = request.GET.get("table", "period")
    if error or group_by not in selectors.GROUPINGS:
        return HttpResponse(
            error or _("Choose a table: period, owner, product, grade or region."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = selectors.sales_statistics(
        actor=request.actor, group_by=group_by, interval=filters.interval, **filters.as_kwargs()
    )
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    first = {
        "period": lambda r: [r.label],
        "owner": lambda r: [r.label],
        "product": lambda r: [r.label, r.extra, r.quantity],
        "grade": lambda r: [r.label],
        "region": lambda r: [r.extra, r.label],
    }[group_by]
    with_headers = [str(h) for h in _csv_headers(group_by)]
    writer.writerow([*with_headers, _("Currency"), pgettext("count", "Orders"), _("Amount")])
    for row in rows:
        cells = [_neutral(c) for c in first(row)]
        writer.writerow([*cells, row.currency, row.orders, row.amount])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"sales-by-{group_by}-{filters.date_from}-{filters.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_headers(group_by: str) -> tuple:
    return {
        "period": (_("Period"),),
        "owner": (_("Salesperson"),),
        "product": (_("Product"), _("SKU"), _("Quantity")),
        "grade": (_("Grade"),),
        "region": (_("Province"), _("Region")),
    }[group_by]


def _neutral(value):
    """Names as data: a leading = + - @ would be a formula in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else value
