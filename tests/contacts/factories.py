"""Customers made through `customer_create`, so search text and the audit log are real."""

import factory

from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_create


class CustomerFactory(factory.Factory):
    """`CustomerFactory(actor=tenant.actor("sales"), name=…)`: owned by the actor unless
    `owner_id` is given."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:03d}")
    kind = Customer.Kind.COMPANY
    stage = Customer.Stage.LEAD
    phone = ""
    email = ""

    @classmethod
    def _create(cls, model_class, *, actor, **data):
        # Tests make look-alikes on purpose (张伟 in two teams); duplicate checks have own tests.
        return customer_create(actor=actor, data=data, allow_duplicate=True)

    @classmethod
    def _build(cls, model_class, *, actor=None, **data):
        return model_class(**data)
