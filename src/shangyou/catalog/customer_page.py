"""The customer's DIY designs (P3) in the customer page's "Sales" tab (registered in
`CatalogConfig.ready`)."""

from typing import Any

from shangyou.core.actor import Actor

from .selectors import diy_design_list

RECENT_DESIGNS = 5


def customer_sections(*, actor: Actor, customer) -> list[dict[str, Any]]:
    designs = list(diy_design_list(actor=actor, customer_id=customer.pk)[:RECENT_DESIGNS])
    return [
        {
            "template": "catalog/partials/_customer_designs.html",
            "context": {"designs": designs, "customer": customer},
        }
    ]
