"""Lead conversion opens the first opportunity (C2) when asked: registered with
`contacts.services.CONVERSION_HOOKS` in `SalesConfig.ready`."""

from typing import Any

from shangyou.core.actor import Actor


def open_first_opportunity(*, actor: Actor, customer, opportunity: dict[str, Any] | None) -> None:
    if not opportunity:
        return
    from .services import opportunity_create

    data = {k: v for k, v in opportunity.items() if v not in (None, "")}
    opportunity_create(actor=actor, data={**data, "customer_id": customer.pk})
