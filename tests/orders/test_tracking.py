"""Public order tracking: number + phone (any format) or email (any case), rate-limited."""

import pytest

from .factories import make_order, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor)
    ship(actor, order, {1: 3}, carrier="SF Express", tracking_number="SF1234567")
    return order


def test_api_finds_the_order_by_phone_in_another_format(client, tracked):
    response = client.get(f"/api/v1/track?number={tracked.number}&phone=138-0013-8000")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "partly_shipped"
    assert body["shipments"][0]["tracking_number"] == "SF1234567"
    assert body["lines"][0]["quantity_shipped"] == "3.000"
    assert "total" not in body and "unit_price" not in body["lines"][0]


def test_api_email_is_case_insensitive(client, tracked):
    response = client.get(f"/api/v1/track?number={tracked.number.lower()}&email=BUYER@acme.TEST")
    assert response.status_code == 200


def test_wrong_phone_says_not_found_without_saying_which(client, tracked):
    wrong_phone = client.get(f"/api/v1/track?number={tracked.number}&phone=13900000000")
    wrong_number = client.get("/api/v1/track?number=SO-1999-00001&phone=13800138000")
    assert wrong_phone.status_code == wrong_number.status_code == 404
    assert wrong_phone.json()["message"] == wrong_number.json()["message"]


def test_another_companys_order_with_the_same_number_is_not_shown(client, tracked, other_tenant):
    theirs = make_order(
        other_tenant.actor("owner"),
        customer=__import__("tests.contacts.factories", fromlist=["x"]).CustomerFactory(
            actor=other_tenant.actor("owner"), name="Other", phone="13700000000"
        ),
    )
    assert theirs.number == tracked.number
    body = client.get(f"/api/v1/track?number={tracked.number}&phone=13800138000").json()
    assert body["company"] == tracked.company.name
    assert (
        client.get(f"/api/v1/track?number={theirs.number}&phone=13800138000").json()["company"]
        != theirs.company.name
    )


def test_rate_limit_answers_429(client, tracked, settings):
    settings.ORDER_TRACKING_MAX_ATTEMPTS = 3
    for _ in range(3):
        client.get(f"/api/v1/track?number={tracked.number}&phone=1")
    response = client.get(f"/api/v1/track?number={tracked.number}&phone=13800138000")
    assert response.status_code == 429 and "Too many" in response.json()["message"]
    page = client.post("/orders/track/", {"number": tracked.number, "contact": "13800138000"})
    assert page.status_code == 429 and b"Too many" in page.content


def test_public_page_without_login_shows_status_and_shipments(client, tracked):
    page = client.get("/orders/track/")
    assert page.status_code == 200 and b"track-form" in page.content
    found = client.post(
        "/orders/track/", {"number": tracked.number, "contact": "+86 138 0013 8000"}
    )
    assert found.status_code == 200
    content = found.content.decode()
    assert "SF1234567" in content and "Partly shipped" in content
    assert "user-menu" not in content and str(tracked.total) not in content
    missing = client.post("/orders/track/", {"number": tracked.number, "contact": "x@y.z"})
    assert missing.status_code == 404 and "No order matches" in missing.content.decode()


def test_public_page_in_chinese(client, tracked):
    page = client.get("/orders/track/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode()
