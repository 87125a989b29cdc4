"""The orders API: list with totals per customer, create with lines, version conflicts,
transitions, shipments, invoices, payments, receivables and the open-orders feed."""

from decimal import Decimal

import pytest

from shangyou.catalog.models import Product
from tests.contacts.factories import CustomerFactory

from .factories import invoice, make_order, ship

pytestmark = pytest.mark.django_db


def test_list_one_customers_orders_with_totals(tenant, django_assert_max_num_queries):
    actor = tenant.actor("owner")
    customer = CustomerFactory(actor=actor, name="Acme")
    first = make_order(actor, customer=customer)
    make_order(actor, customer=customer, specs=(("Motor", 1, "10"),))
    make_order(actor)  # another customer
    api = tenant.api("owner")
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/orders?customer={customer.pk}")
    body = response.json()
    assert response.status_code == 200 and body["count"] == 2
    assert {i["total"] for i in body["items"]} == {str(first.total), "10.00"}
    assert body["items"][0]["customer_name"] == "Acme"


def test_list_pages_with_counts_and_links(tenant, other_tenant, django_assert_num_queries):
    actor = tenant.actor("owner")
    made = [make_order(actor) for _ in range(5)]
    make_order(actor, confirm=False)
    make_order(other_tenant.actor("owner"))
    api = tenant.api("owner")
    api.get("/api/v1/orders?limit=1")
    with django_assert_num_queries(2):  # the token's actor, the page with its count
        body = api.get("/api/v1/orders?status=confirmed&limit=2&offset=2").json()
    assert body["count"] == 5 and body["count_is_exact"] is True
    assert [o["id"] for o in body["items"]] == [made[2].pk, made[1].pk]
    assert "offset=4" in body["next"] and "status=confirmed" in body["next"]
    assert "offset=0" in body["previous"]
    last = api.get(body["next"]).json()
    assert [o["id"] for o in last["items"]] == [made[0].pk] and last["next"] is None
    past = api.get("/api/v1/orders?status=confirmed&offset=50").json()
    assert past["items"] == [] and past["count"] == 5 and past["next"] is None
    drafts = api.get("/api/v1/orders?view=draft").json()
    assert drafts["count"] == 1 and drafts["items"][0]["status"] == "draft"
    assert drafts["items"][0]["customer_name"] == "Acme Trading"
    assert api.get("/api/v1/orders?status=shipped").json() == {
        "items": [], "count": 0, "count_is_exact": True, "next": None, "previous": None,
    }  # fmt: skip


def test_list_of_a_salesperson_holds_only_their_orders(tenant):
    mine = make_order(tenant.actor("sales"))
    make_order(tenant.actor("owner"))
    body = tenant.api("sales").get("/api/v1/orders").json()
    assert body["count"] == 1 and [o["id"] for o in body["items"]] == [mine.pk]


def test_create_with_product_and_free_text_lines_then_stale_patch_409(tenant):
    actor = tenant.actor("owner")
    customer = CustomerFactory(actor=actor, name="Acme")
    product = Product.objects.create(
        company=tenant.company, sku="P-1", name="Pump", price=Decimal("50"), tax_rate=13
    )
    api = tenant.api("owner")
    response = api.post(
        "/api/v1/orders",
        {
            "customer_id": customer.pk,
            "lines": [
                {"product_id": product.pk, "quantity": "2"},
                {"description": "Install", "quantity": "1", "unit_price": "100"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "draft" and order["total"] == "213.00"
    assert order["lines"][0]["sku"] == "P-1" and order["lines"][0]["tax_rate"] == "13.00"
    url = f"/api/v1/orders/{order['id']}"
    ok = api.patch(
        url, {"notes": "a", "version": order["version"]}, content_type="application/json"
    )
    assert ok.status_code == 200
    stale = api.patch(
        url, {"notes": "b", "version": order["version"]}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_transitions_and_refusal_message(tenant):
    order = make_order(tenant.actor("owner"), confirm=False)
    api = tenant.api("owner")
    assert api.post(f"/api/v1/orders/{order.pk}/confirm").json()["status"] == "confirmed"
    refused = api.post(f"/api/v1/orders/{order.pk}/complete")
    assert refused.status_code == 409 and "Confirmed" in refused.json()["message"]
    cancelled = api.post(
        f"/api/v1/orders/{order.pk}/cancel", {"reason": "dup"}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled"
    assert api.delete(f"/api/v1/orders/{order.pk}").status_code == 409


def test_shipments_events_invoices_payments_over_the_api(tenant):
    order = make_order(tenant.actor("owner"))
    line = order.lines.order_by("position").first()
    api = tenant.api("owner")
    over = api.post(
        f"/api/v1/orders/{order.pk}/shipments",
        {"lines": [{"line_id": line.pk, "quantity": "11"}]},
        content_type="application/json",
    )
    assert over.status_code == 422 and "at most 10" in over.json()["message"]
    shipment = api.post(
        f"/api/v1/orders/{order.pk}/shipments",
        {"lines": [{"line_id": line.pk, "quantity": "4"}], "carrier": "SF", "tracking_number": "1"},
        content_type="application/json",
    ).json()
    assert shipment["lines"][0]["quantity"] == "4.000"
    event = api.post(
        f"/api/v1/shipments/{shipment['id']}/events",
        {"status": "in_transit", "location": "Wuhan"},
        content_type="application/json",
    )
    assert event.status_code == 201 and event.json()["status"] == "in_transit"
    patched = api.patch(
        f"/api/v1/shipments/{shipment['id']}",
        {"tracking_number": "SF999", "version": event.json()["version"]},
        content_type="application/json",
    )
    assert patched.json()["tracking_number"] == "SF999"
    inv = api.post(
        f"/api/v1/orders/{order.pk}/invoices",
        {"lines": [{"line_id": line.pk, "quantity": "4"}]},
        content_type="application/json",
    ).json()
    assert inv["total"] == "400.00"
    over_pay = api.post(
        "/api/v1/payments", {"invoice_id": inv["id"], "amount": "500"},
        content_type="application/json",
    )  # fmt: skip
    assert over_pay.status_code == 422 and over_pay.json()["extra"]["balance"] == "400.00"
    pay = api.post(
        "/api/v1/payments", {"invoice_id": inv["id"], "amount": "400", "method": "wechat"},
        content_type="application/json",
    ).json()  # fmt: skip
    refund = api.post(
        f"/api/v1/payments/{pay['id']}/refund", {"amount": "50"}, content_type="application/json"
    )
    assert refund.status_code == 201 and refund.json()["kind"] == "refund"
    assert api.get(f"/api/v1/invoices/{inv['id']}").json()["amount_paid"] == "350.00"
    assert api.get("/api/v1/payments?kind=refund").json()["count"] == 1
    assert api.get(f"/api/v1/orders/{order.pk}").json()["amount_paid"] == "350.00"


def test_receivables_endpoint(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor)
    invoice(actor, order, issue_date=__import__("datetime").date(2026, 1, 1))
    body = tenant.api("owner").get("/api/v1/receivables?as_of=2026-03-15").json()
    assert body["rows"][0]["d31_60"] == "1100.00"  # due 2026-01-31, 43 days overdue
    assert body["totals"][0]["total"] == "1100.00"


def test_sales_see_only_their_orders(tenant):
    mine = make_order(tenant.actor("sales"))
    make_order(tenant.actor("sales_b"))
    body = tenant.api("sales").get("/api/v1/orders").json()
    assert [i["id"] for i in body["items"]] == [mine.pk]
    manager = tenant.api("manager").get("/api/v1/orders").json()
    assert [i["id"] for i in manager["items"]] == [mine.pk]  # team A only


def test_open_order_lines_feed(tenant, django_assert_max_num_queries):
    from datetime import date

    actor = tenant.actor("owner")
    order = make_order(actor, requested_date=date(2026, 5, 1))
    ship(actor, order, {1: 4})
    make_order(actor, confirm=False)  # drafts are not in the feed
    done = make_order(actor)
    ship(actor, done)  # fully shipped: not open
    api = tenant.api("owner")
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/open-order-lines").json()
    assert [(i["description"], i["open_quantity"]) for i in body["items"]] == [
        ("Pump", "6.000"), ("Valve", "5.000"),
    ]  # fmt: skip
    assert body["items"][0]["required_date"] == "2026-05-01"
    assert body["items"][0]["order_number"] == order.number
    assert api.get("/api/v1/open-order-lines?required_to=2026-04-30").json()["count"] == 0


def test_open_lines_csv_is_streamed_and_neutralised(tenant):
    actor = tenant.actor("owner")
    make_order(actor, specs=(("=HYPERLINK(1)", 2, "1"),))
    response = tenant.client("owner").get("/orders/open-lines.csv")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "Open quantity" in text
