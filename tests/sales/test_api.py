import json

import pytest

from shangyou.sales.models import Quotation

from .factories import CustomerFactory, opportunity, product, quotation


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="上海恒通五金", email="buy@ht.test")


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_opportunity_crud_and_stage(tenant, customer):
    api = tenant.api("sales")
    response = _post(api, "/api/v1/opportunities",
                     {"customer_id": customer.pk, "name": "年度框架", "amount": "50000",
                      "stage": "needs"})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["probability"] == 25 and body["owner_id"] == tenant.user("sales").pk
    url = f"/api/v1/opportunities/{body['id']}"
    response = _patch(api, url, {"name": "年度框架协议", "version": body["version"]})
    assert response.status_code == 200 and response.json()["name"] == "年度框架协议"
    stale = _patch(api, url, {"name": "旧版本", "version": body["version"]})
    assert stale.status_code == 409
    lost = _post(api, f"{url}/stage", {"stage": "lost", "version": response.json()["version"]})
    assert lost.status_code == 422
    won = _post(api, f"{url}/stage", {"stage": "won", "version": response.json()["version"]})
    assert won.status_code == 200 and won.json()["closed_at"]
    listed = api.get("/api/v1/opportunities?status=closed").json()
    assert [o["id"] for o in listed["items"]] == [body["id"]]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_pipeline_endpoint(tenant, customer):
    opportunity(tenant.actor("sales"), customer=customer, stage="proposal", amount=1000)
    body = tenant.api("sales").get("/api/v1/pipeline").json()
    assert body["totals"] == [
        {"currency": "CNY", "count": 1, "amount": "1000.00", "weighted": "500.00"}
    ]


def test_quotation_create_read_update_with_lines(tenant, customer):
    api = tenant.api("sales")
    drill = product(tenant.actor("sales"), sku="DR-1", name="电钻", price="299.00")
    response = _post(api, "/api/v1/quotations", {
        "customer_id": customer.pk, "discount_percent": "5", "language": "en",
        "lines": [{"product_id": drill.pk, "quantity": "2"},
                  {"description": "安装", "quantity": "1", "unit_price": "100", "tax_rate": "6"}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("QT-") and len(body["lines"]) == 2
    assert body["lines"][0]["unit_price"] == "299.0000" and body["total"] == "742.65"
    url = f"/api/v1/quotations/{body['id']}"
    response = _patch(api, url, {"lines": [{"description": "仅服务", "unit_price": "10"}],
                                 "version": body["version"]})  # fmt: skip
    assert response.status_code == 200
    assert [line["description"] for line in response.json()["lines"]] == ["仅服务"]
    assert _patch(api, url, {"terms": "x", "version": body["version"]}).status_code == 409
    assert api.get(f"/api/v1/quotations?q={body['number']}").json()["count"] == 1
    assert api.get(f"/api/v1/quotations?customer={customer.pk}&status=sent").json()["count"] == 0


def test_quotation_for_a_blacklisted_customer_is_refused(tenant, customer):
    from shangyou.contacts.services import customer_blacklist

    customer_blacklist(actor=tenant.actor("owner"), customer=customer, blacklisted=True,
                       reason="失信")  # fmt: skip
    response = _post(tenant.api("sales"), "/api/v1/quotations", {"customer_id": customer.pk})
    assert response.status_code == 403 and "blacklisted" in response.json()["message"]


def test_send_revise_accept_and_pdf(tenant, customer, smtp_server):
    api = tenant.api("sales")
    q = quotation(tenant.actor("sales"), customer=customer)
    url = f"/api/v1/quotations/{q.pk}"
    pdf = api.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    sent = _post(api, f"{url}/send", {"channel": "email", "to": "boss@ht.test"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and "/sales/q/" in sent.json()["public_url"]
    assert smtp_server.messages[0]["To"] == "boss@ht.test"
    revised = _post(api, f"{url}/revise", {})
    assert revised.status_code == 201 and revised.json()["revision"] == 1
    assert _post(api, f"{url}/accept", {"name": "王"}).status_code == 409  # superseded
    new_url = f"/api/v1/quotations/{revised.json()['id']}"
    assert _post(api, f"{new_url}/send", {}).status_code == 200
    accepted = _post(api, f"{new_url}/accept", {"name": "王经理", "note": "电话确认"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["order_number"].startswith("SO-")
    assert Quotation.objects.get(pk=revised.json()["id"]).status == "accepted"


def test_decline_needs_a_reason(tenant, customer, smtp_server):
    api = tenant.api("sales")
    q = quotation(tenant.actor("sales"), customer=customer)
    _post(api, f"/api/v1/quotations/{q.pk}/send", {})
    assert _post(api, f"/api/v1/quotations/{q.pk}/decline", {}).status_code == 422
    response = _post(api, f"/api/v1/quotations/{q.pk}/decline", {"reason": "价格高"})
    assert response.status_code == 200 and response.json()["status"] == "declined"


def test_colleague_in_another_team_cannot_see_the_quotation(tenant, customer):
    q = quotation(tenant.actor("sales"), customer=customer)
    assert tenant.api("sales_b").get(f"/api/v1/quotations/{q.pk}").status_code == 404
    assert tenant.api("manager").get(f"/api/v1/quotations/{q.pk}").status_code == 200


def test_quotation_list_query_count(tenant, customer, django_assert_max_num_queries):
    for _ in range(5):
        quotation(tenant.actor("sales"), customer=customer)
    api = tenant.api("owner")
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/quotations")
    assert response.json()["count"] == 5


def test_a_created_quotation_answers_with_its_lines_as_saved(tenant, customer):
    """The answer to the create shows each line as it is stored — amounts computed from the
    quantity and price as kept (3 and 4 decimals) — exactly as reading it back does."""
    api = tenant.api("sales")
    drill = product(tenant.actor("sales"), sku="DR-1", name="电钻", price="299.00")
    response = _post(api, "/api/v1/quotations", {
        "customer_id": customer.pk,
        "lines": [{"product_id": drill.pk, "quantity": "2.0005"},
                  {"description": "安装", "quantity": "1", "unit_price": "33.33335",
                   "tax_rate": "6", "discount_percent": "2.5"}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    assert [line["quantity"] for line in created["lines"]] == ["2.001", "1.000"]
    assert created["lines"][1]["unit_price"] == "33.3334"
    assert created["lines"][0]["line_subtotal"] == "598.30"  # 2.001 × 299.00 = 598.299
    read = api.get(f"/api/v1/quotations/{created['id']}").json()
    assert read["lines"] == created["lines"] and read["total"] == created["total"]


def test_a_quantity_too_large_for_a_line_is_refused(tenant, customer):
    response = _post(tenant.api("sales"), "/api/v1/quotations", {
        "customer_id": customer.pk,
        "lines": [{"description": "沙", "quantity": "123456789012", "unit_price": "1"}],
    })  # fmt: skip
    assert response.status_code == 422 and "too large" in response.json()["message"]
    assert not Quotation.objects.filter(customer=customer).exists()
