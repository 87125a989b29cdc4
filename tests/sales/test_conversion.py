"""Converting a lead can open its first opportunity (C2) — through the service, the API and the
customer page — and keeps the lead's history."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.services import customer_convert
from shangyou.core.errors import ValidationFailed
from shangyou.sales.models import Opportunity
from tests.contacts.factories import CustomerFactory


def lead(tenant, name="恒通五金"):
    return CustomerFactory(actor=tenant.actor("sales"), name=name, stage=Customer.Stage.LEAD)


def test_convert_with_an_opportunity_opens_it_for_the_converted_customer(tenant):
    customer = lead(tenant)
    customer_convert(
        actor=tenant.actor("sales"),
        customer=customer,
        opportunity={"name": "数控机床 10 台", "amount": Decimal("250000")},
    )
    customer.refresh_from_db()
    assert customer.stage == Customer.Stage.CUSTOMER
    opportunity = Opportunity.objects.get(customer=customer)
    assert opportunity.name == "数控机床 10 台"
    assert opportunity.amount == Decimal("250000")
    assert opportunity.owner == tenant.user("sales")
    kinds = set(TimelineEntry.objects.filter(customer=customer).values_list("kind", flat=True))
    assert {TimelineEntry.Kind.SYSTEM, TimelineEntry.Kind.OPPORTUNITY} <= kinds


def test_convert_without_an_opportunity_opens_none(tenant):
    customer = lead(tenant)
    customer_convert(actor=tenant.actor("sales"), customer=customer)
    assert not Opportunity.objects.filter(customer=customer).exists()


def test_api_convert_takes_the_first_opportunity(tenant):
    customer = lead(tenant)
    response = tenant.api("sales").post(
        f"/api/v1/customers/{customer.pk}/convert",
        json.dumps({"version": customer.version, "opportunity": {"name": "Pumps", "amount": 9}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Opportunity.objects.get(customer=customer).name == "Pumps"


def test_invalid_opportunity_rolls_the_conversion_back(tenant):
    customer = lead(tenant)
    with pytest.raises(ValidationFailed):
        customer_convert(
            actor=tenant.actor("sales"),
            customer=customer,
            opportunity={"name": "Pumps", "stage": "lost"},  # lost needs a reason
        )
    customer.refresh_from_db()
    assert customer.stage == Customer.Stage.LEAD
    assert not Opportunity.objects.filter(customer=customer).exists()


def test_page_convert_and_open_an_opportunity_goes_to_the_form(tenant):
    customer = lead(tenant)
    client = tenant.client("sales")
    page = client.get(reverse("contacts:customer_detail", args=[customer.pk])).content.decode()
    assert 'id="convert-with-opportunity"' in page
    response = client.post(
        reverse("contacts:customer_convert", args=[customer.pk]),
        {"version": customer.version, "then": "opportunity"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("sales:opportunity_create") + f"?customer_id={customer.pk}"
    )
    form = client.get(response["Location"]).content.decode()
    assert customer.name in form
