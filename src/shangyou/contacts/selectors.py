from django.db.models import QuerySet

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.search import search_filter
from shangyou.core.selectors import scope_records

from .models import Customer

CUSTOMER_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


def customer_list(
    *,
    actor: Actor,
    q: str = "",
    stage: str = "",
    owner_id: int | None = None,
    sort: str = "-updated",
) -> QuerySet[Customer]:
    customers = scope_records(Customer.objects.all(), actor=actor)
    if q:
        customers = search_filter(customers, q)
    if stage:
        customers = customers.filter(stage=stage)
    if owner_id:
        customers = customers.filter(owner_id=owner_id)
    return customers.select_related("owner", "team").order_by(
        *CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["-updated"])
    )


def customer_get(*, actor: Actor, id: int) -> Customer:
    customer = (
        scope_records(Customer.objects.all(), actor=actor)
        .select_related("owner", "team", "updated_by")
        .filter(pk=id)
        .first()
    )
    if customer is None:
        raise NotFound()
    return customer
