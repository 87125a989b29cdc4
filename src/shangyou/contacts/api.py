from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from shangyou.core.api import Page, paginate, version_from

from . import selectors, services
from .models import Customer

router = Router(tags=["customers"])


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Customer.Kind = Customer.Kind.COMPANY
    stage: Customer.Stage = Customer.Stage.LEAD
    phone: str = ""
    email: str = ""
    notes: str = ""
    owner_id: int | None = None


class CustomerPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Customer.Kind | None = None
    stage: Customer.Stage | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None
    owner_id: int | None = None
    version: int | None = None


class CustomerOut(Schema):
    id: int
    name: str
    kind: str
    stage: str
    phone: str
    email: str
    notes: str
    owner_id: int | None
    team_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


@router.get("/customers", response=Page[CustomerOut])
def customer_list(
    request: HttpRequest,
    q: str = "",
    stage: str = "",
    owner: int | None = None,
    sort: str = "-updated",
    limit: int = 50,
    offset: int = 0,
):
    customers = selectors.customer_list(
        actor=request.auth, q=q, stage=stage, owner_id=owner, sort=sort
    )
    return paginate(request, customers, limit=limit, offset=offset)


@router.post("/customers", response={201: CustomerOut})
def customer_create(request: HttpRequest, payload: CustomerIn):
    return 201, services.customer_create(actor=request.auth, data=payload.dict())


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_get(request: HttpRequest, customer_id: int):
    return selectors.customer_get(actor=request.auth, id=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    data = payload.dict(exclude_unset=True)
    version = version_from(request, data.pop("version", None))
    return services.customer_update(
        actor=request.auth, customer=customer, data=data, version=version
    )


@router.delete("/customers/{customer_id}", response={204: None})
def customer_delete(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(actor=request.auth, id=customer_id)
    services.customer_delete(actor=request.auth, customer=customer)
    return 204, None
