"""The date range, owner and interval of a statistics request (page, CSV, API) — parsed once."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.core.errors import ValidationFailed

from .selectors import INTERVALS


@dataclass(frozen=True)
class StatsFilters:
    date_from: date
    date_to: date
    interval: str = "month"
    owner_id: int | None = None

    def as_kwargs(self) -> dict:
        return {"date_from": self.date_from, "date_to": self.date_to, "owner_id": self.owner_id}

    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"from": self.date_from, "to": self.date_to, "interval": self.interval}
        if self.owner_id:
            params["owner"] = self.owner_id
        return urlencode(params)


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            _("“%(value)s” is not a date; write it as 2026-01-05.") % {"value": value},
            errors={field: [_("Enter a date.")]},
        ) from None


def parse_filters(
    *, date_from: str | None, date_to: str | None, interval: str | None, owner: str | None
) -> StatsFilters:
    """Defaults: the last 12 whole months up to today, by month."""
    today = timezone.localdate()
    end = _date(date_to, "to") or today
    start = _date(date_from, "from") or (end.replace(day=1) - timedelta(days=335)).replace(day=1)
    if start > end:
        raise ValidationFailed(
            _("The start date is after the end date."), errors={"from": [_("Check the dates.")]}
        )
    interval = interval or "month"
    if interval not in INTERVALS:
        raise ValidationFailed(
            _("The interval is one of: %(choices)s.") % {"choices": ", ".join(INTERVALS)},
            errors={"interval": [_("Unknown interval.")]},
        )
    owner_id = None
    if owner:
        if not str(owner).isdigit():
            raise ValidationFailed(_("Choose a member."), errors={"owner": [_("Unknown member.")]})
        owner_id = int(owner)
    return StatsFilters(date_from=start, date_to=end, interval=interval, owner_id=owner_id)
