"""The customer page shows what was sold: figures in its header and a Sales tab that loads when
opened (orders and DIY designs), following record rules."""

import re

import pytest
from django.urls import reverse

from shangyou.orders import billing
from tests.contacts.factories import CustomerFactory
from tests.orders.factories import make_order


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="恒通五金")


def test_header_shows_sales_open_orders_and_balance_due(tenant, customer):
    actor = tenant.actor("sales")
    order = make_order(actor, customer=customer)  # 10 × 100 + 5 × 20 = 1,100.00
    billing.invoice_create(actor=actor, order=order)
    html = (
        tenant.client("sales")
        .get(reverse("contacts:customer_detail", args=[customer.pk]))
        .content.decode()
    )
    assert 'id="figure-sales-12m"' in html and "1,100.00" in html
    assert 'id="figure-open-orders"' in html
    assert re.search(r'id="figure-open-orders"><a [^>]*>1</a>', html)
    assert 'id="figure-balance-due"' in html
    due = html.split('id="figure-balance-due">', 1)[1].split("</div>", 1)[0]
    sales = html.split('id="figure-sales-12m">', 1)[1].split("</div>", 1)[0]
    assert "1,100.00" in due and "1,100.00" in sales
    assert 'id="tab-sales-link"' in html


def test_sales_tab_lists_the_customers_orders_and_designs(tenant, customer):
    order = make_order(tenant.actor("sales"), customer=customer)
    other = make_order(tenant.actor("sales"))  # another customer's order stays out
    html = (
        tenant.client("sales")
        .get(reverse("contacts:customer_sales", args=[customer.pk]))
        .content.decode()
    )
    assert order.number in html
    assert other.number not in html
    assert 'id="customer-new-order"' in html
    assert 'id="customer-designs"' in html and 'id="customer-new-design"' in html


def test_sales_tab_follows_record_rules(tenant, customer):
    """A colleague in another team cannot open the customer, so not its Sales tab either."""
    make_order(tenant.actor("sales"), customer=customer)
    response = tenant.client("sales_b").get(reverse("contacts:customer_sales", args=[customer.pk]))
    assert response.status_code == 404


def test_readonly_sees_orders_without_buttons(tenant, customer):
    order = make_order(tenant.actor("sales"), customer=customer)
    html = (
        tenant.client("readonly")
        .get(reverse("contacts:customer_sales", args=[customer.pk]))
        .content.decode()
    )
    assert order.number in html
    assert 'id="customer-new-order"' not in html
