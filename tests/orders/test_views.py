"""Order pages: list with view tabs and query counts, detail, the form with its line editor,
shipment, invoice and payment forms, receivables, in English and Chinese."""

from decimal import Decimal

import pytest

from shangyou.orders.models import SalesOrder
from tests.contacts.factories import CustomerFactory

from .factories import invoice, make_order, ship

pytestmark = pytest.mark.django_db


def test_order_list_views_and_query_count(tenant, django_assert_max_num_queries):
    actor = tenant.actor("owner")
    for _ in range(5):
        make_order(actor)
    draft = make_order(actor, confirm=False)
    client = tenant.client("owner")
    client.get("/orders/")  # warm the session and caches
    with django_assert_max_num_queries(14):
        page = client.get("/orders/")
    assert page.status_code == 200 and page.content.count(b'id="order-row-') == 6
    drafts = client.get("/orders/?view=draft").content.decode()
    assert f'order-row-{draft.pk}"' in drafts and drafts.count('id="order-row-') == 1
    found = client.get(f"/orders/?q={draft.number}").content.decode()
    assert found.count('id="order-row-') == 1


def test_order_list_shows_status_badges_names_and_owner_in_few_queries(
    tenant, django_assert_max_num_queries
):
    actor = tenant.actor("owner")
    confirmed = make_order(actor, customer_reference="PO-778")
    draft = make_order(tenant.actor("sales"), confirm=False)
    cancelled = make_order(actor, confirm=False)
    from shangyou.orders.services import order_cancel

    order_cancel(actor=actor, order=cancelled, reason="客户取消")
    client = tenant.client("owner")
    client.get("/orders/")
    with django_assert_max_num_queries(8):  # session, user, actor, members, page + count, menu
        content = client.get("/orders/").content.decode()
    rows = {o.pk: content.split(f'id="order-row-{o.pk}"')[1].split("</tr>")[0]
            for o in (confirmed, draft, cancelled)}  # fmt: skip
    assert 'sy-order-status bg-blue-lt">Confirmed<' in rows[confirmed.pk]
    assert "PO-778" in rows[confirmed.pk] and "Acme Trading" in rows[confirmed.pk]
    assert 'sy-order-status bg-secondary-lt">Draft<' in rows[draft.pk]
    assert tenant.user("sales").full_name in rows[draft.pk]
    assert 'sy-order-status bg-red-lt">Cancelled<' in rows[cancelled.pk]
    assert "3 orders" in content
    chinese = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">草稿<" in chinese


def test_order_list_pages(tenant, monkeypatch):
    from shangyou.orders import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    actor = tenant.actor("owner")
    made = [make_order(actor) for _ in range(5)]
    client = tenant.client("owner")

    def listed(query):
        content = client.get(f"/orders/{query}").content.decode()
        shown = [o for o in everything() if f'id="order-row-{o.pk}"' in content]
        shown.sort(key=lambda o: content.index(f'id="order-row-{o.pk}"'))
        return [o.pk for o in shown], content

    def everything():
        return SalesOrder.objects.filter(company=tenant.company)

    first, content = listed("")
    assert first == [made[4].pk, made[3].pk]
    assert "5 orders" in content and "Page 1 of 3" in content
    assert listed("?page=2")[0] == [made[2].pk, made[1].pk]
    assert listed("?page=99")[0] == [made[0].pk]  # past the end: the last page
    assert listed("?page=x")[0] == first
    assert listed("?sort=date")[0] == [made[0].pk, made[1].pk]
    biggest = make_order(actor, specs=(("Crane", 1, "99999"),))
    assert listed("?sort=-total")[0][0] == biggest.pk


def test_list_in_chinese(tenant):
    make_order(tenant.actor("owner"))
    page = tenant.client("owner").get("/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode()


def test_detail_shows_lines_balance_and_actions(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor)
    ship(actor, order, {1: 2}, carrier="SF", tracking_number="SF1")
    invoice(actor, order, {1: 2})
    content = tenant.client("owner").get(f"/orders/{order.pk}/").content.decode()
    assert "SF1" in content and 'id="ship-order"' in content and "1,100.00" in content
    assert 'id="order-invoices"' in content and "INV-" in content


def test_create_order_through_the_form(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="Acme")
    client = tenant.client("owner")
    form = client.get(f"/orders/new/?customer={customer.pk}")
    assert form.status_code == 200 and b"Acme" in form.content
    response = client.post(
        "/orders/new/",
        {
            "customer_id": customer.pk, "order_date": "2026-03-01", "currency": "CNY",
            "payment_terms_days": "30",
            "lines-0-description": "Pump", "lines-0-quantity": "2", "lines-0-unit_price": "10",
            "lines-0-tax_rate": "13", "lines-3-description": "Removed", "lines-3-quantity": "1",
            "lines-3-delete": "1",
        },
    )  # fmt: skip
    order = SalesOrder.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal("22.60") and order.lines.count() == 1


def test_form_error_keeps_the_lines(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="Acme")
    response = tenant.client("owner").post(
        "/orders/new/",
        {
            "customer_id": customer.pk, "order_date": "2026-03-01", "currency": "CNY",
            "payment_terms_days": "30", "lines-0-description": "Pump", "lines-0-quantity": "0",
        },
    )  # fmt: skip
    content = response.content.decode()
    assert response.status_code == 200 and "more than zero" in content and 'value="Pump"' in content


def test_line_row_and_totals_partials(tenant):
    client = tenant.client("owner")
    row = client.get("/orders/line/?lines-0-description=a&lines-4-quantity=1")
    assert 'id="line-5"' in row.content.decode()
    totals = client.post(
        "/orders/totals/",
        {"lines-0-description": "a", "lines-0-quantity": "3", "lines-0-unit_price": "10"},
    )
    assert "30.00" in totals.content.decode()


def test_confirm_ship_invoice_pay_through_the_pages(tenant):
    actor = tenant.actor("owner")
    order = make_order(actor, confirm=False)
    client = tenant.client("owner")
    assert client.post(f"/orders/{order.pk}/confirm/").status_code == 302
    lines = list(order.lines.order_by("position"))
    too_much = client.post(
        f"/orders/{order.pk}/ship/", {f"qty-{lines[0].pk}": "11", "status": "shipped"}
    )
    assert too_much.status_code == 200 and "at most 10" in too_much.content.decode()
    shipped = client.post(
        f"/orders/{order.pk}/ship/",
        {f"qty-{lines[0].pk}": "10", f"qty-{lines[1].pk}": "5", "status": "shipped",
         "carrier": "SF", "tracking_number": "SF9"},
    )  # fmt: skip
    assert shipped.status_code == 302
    inv = client.post(f"/orders/{order.pk}/invoice/", {"mode": "full"})
    assert inv.status_code == 302
    invoice_obj = order.invoices.get()
    printable = client.get(f"/orders/invoices/{invoice_obj.pk}/").content.decode()
    assert 'media="print"' in printable and invoice_obj.number in printable
    over = client.post(
        f"/orders/invoices/{invoice_obj.pk}/pay/",
        {"kind": "payment", "amount": "2000", "method": "bank"},
    )
    assert "open balance is CNY 1100.00" in over.content.decode()
    paid = client.post(
        f"/orders/invoices/{invoice_obj.pk}/pay/",
        {"kind": "payment", "amount": "1100", "method": "bank"},
    )
    assert paid.status_code == 302
    assert client.post(f"/orders/{order.pk}/complete/").status_code == 302
    order.refresh_from_db()
    assert order.status == "completed" and order.balance == 0


def test_refused_transition_shows_the_message(tenant):
    order = make_order(tenant.actor("owner"))
    client = tenant.client("owner")
    detail = f"/orders/{order.pk}/"
    response = client.post(f"/orders/{order.pk}/complete/", follow=True, HTTP_REFERER=detail)
    assert "is Confirmed" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/orders/shipments/", "/orders/invoices/", "/orders/payments/", "/orders/receivables/"]
)
def test_other_lists_render_with_bounded_queries(tenant, url, django_assert_max_num_queries):
    actor = tenant.actor("owner")
    for _ in range(3):
        order = make_order(actor)
        ship(actor, order)
        inv = invoice(actor, order)
        from shangyou.orders.billing import payment_create

        payment_create(actor=actor, invoice=inv, amount="10")
    client = tenant.client("owner")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_receivables_csv(tenant):
    actor = tenant.actor("owner")
    invoice(actor, make_order(actor))
    response = tenant.client("owner").get("/orders/receivables.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Acme Trading" in text and "1100.00" in text


def test_nav_has_the_order_items(tenant):
    content = tenant.client("owner").get("/orders/").content.decode()
    for item in ("nav-orders", "nav-shipments", "nav-invoices", "nav-payments", "nav-receivables"):
        assert f'id="{item}"' in content


def test_shipment_page_and_event_form(tenant):
    actor = tenant.actor("owner")
    shipment = ship(actor, make_order(actor), carrier="SF")
    client = tenant.client("owner")
    assert client.get(f"/orders/shipments/{shipment.pk}/").status_code == 200
    client.post(
        f"/orders/shipments/{shipment.pk}/events/", {"status": "delivered", "location": "Suzhou"}
    )
    shipment.refresh_from_db()
    assert shipment.status == "delivered" and shipment.delivered_at


def test_demo_data_loads(tenant):
    from shangyou.orders.demo import load_demo

    for i in range(3):
        CustomerFactory(actor=tenant.actor("owner"), name=f"Demo {i}", phone=f"1380000000{i}")
    members = {**tenant.memberships, "sales2": tenant.memberships["sales_b"]}
    load_demo(company=tenant.company, members=members)
    statuses = set(
        SalesOrder.objects.filter(company=tenant.company).values_list("status", flat=True)
    )
    assert {"draft", "confirmed", "partly_shipped", "shipped", "completed", "cancelled"} <= statuses
