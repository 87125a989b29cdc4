"""API of business statistics (S5)."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router
from pydantic import BaseModel, ConfigDict

from shangyou.core.schema import Schema

from . import selectors
from .filters import parse_filters

router = Router(tags=["analytics"])


class SalesQuery(Schema):
    group_by: str = "period"
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")
    interval: str = "month"
    owner: int | None = None
    limit: int | None = None


# A plain pydantic model read from the selectors' rows by attribute: validated in pydantic's
# core (thousands of product rows), without ninja's Python getter per field. (No docstring: it
# would become the schema's description in the OpenAPI document.)
class SalesRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    label: str
    currency: str
    orders: int
    amount: Decimal
    quantity: Decimal | None = None
    extra: str = ""


class SalesTotalOut(Schema):
    currency: str
    orders: int
    amount: Decimal


class SalesOut(Schema):
    group_by: str
    interval: str
    date_from: date = Field(..., alias="from")
    date_to: date = Field(..., alias="to")
    owner: int | None = None
    currency_note: str
    totals: list[SalesTotalOut]
    rows: list[SalesRowOut]


@router.get("/analytics/sales", response=SalesOut, by_alias=True)
def sales_statistics(request: HttpRequest, params: Query[SalesQuery]):
    """Sales (confirmed, shipped and completed orders, by order date) grouped by `period`
    (`interval` day/week/month/quarter/year), `owner`, `product`, `grade` or `region`
    (province/city), within `from`–`to` (ISO dates; default the last 12 months), seen through
    the caller's record rules. Amounts are per currency, never converted: each row names its
    currency."""
    filters = parse_filters(
        date_from=params.date_from,
        date_to=params.date_to,
        interval=params.interval,
        owner=str(params.owner) if params.owner else None,
    )
    rows = selectors.sales_statistics(
        actor=request.auth,
        group_by=params.group_by,
        interval=filters.interval,
        limit=params.limit,
        **filters.as_kwargs(),
    )
    return {
        "group_by": params.group_by,
        "interval": filters.interval,
        "from": filters.date_from,
        "to": filters.date_to,
        "owner": filters.owner_id,
        "currency_note": "Amounts are per order currency and are not converted.",
        "totals": selectors.sales_totals(actor=request.auth, **filters.as_kwargs()),
        "rows": rows,
    }
