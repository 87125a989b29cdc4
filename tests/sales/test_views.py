from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from shangyou.orders.models import SalesOrder
from shangyou.sales import acceptance, selectors, services
from shangyou.sales.models import Opportunity, Quotation
from shangyou.sales.sending import quotation_send

from .factories import CustomerFactory, configuration, opportunity, product, quotation


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="上海恒通五金", email="buy@ht.test")


def _sent(tenant, customer, **data):
    q = quotation(tenant.actor("sales"), customer=customer, **data)
    return quotation_send(actor=tenant.actor("sales"), quotation=q, channel="email")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(tenant, customer, language):
    opp = opportunity(tenant.actor("sales"), customer=customer, name="年度框架")
    q = quotation(tenant.actor("sales"), customer=customer, opportunity_id=opp.pk)
    client = tenant.client("sales")
    client.cookies["django_language"] = language
    urls = [
        "/sales/opportunities/", "/sales/opportunities/kanban/", "/sales/opportunities/new/",
        f"/sales/opportunities/{opp.pk}/", f"/sales/opportunities/{opp.pk}/edit/",
        "/sales/quotations/", "/sales/quotations/new/", f"/sales/quotations/{q.pk}/",
        f"/sales/quotations/{q.pk}/edit/", f"/sales/quotations/{q.pk}/send/",
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"'.encode() in response.content, url
    assert "年度框架".encode() in client.get(f"/sales/opportunities/{opp.pk}/").content
    assert q.number.encode() in client.get("/sales/quotations/").content


def test_opportunity_list_query_count(tenant, customer, django_assert_max_num_queries):
    for i in range(10):
        opportunity(tenant.actor("sales"), customer=customer, name=f"商机{i}")
    client = tenant.client("sales")
    client.get("/sales/opportunities/")
    with django_assert_max_num_queries(18):
        response = client.get("/sales/opportunities/?status=open&sort=-amount")
    assert response.content.count(b'id="opportunity-row-') == 10


def test_quotation_list_query_count(tenant, customer, django_assert_max_num_queries):
    for _ in range(10):
        quotation(tenant.actor("sales"), customer=customer)
    client = tenant.client("sales")
    client.get("/sales/quotations/")
    with django_assert_max_num_queries(16):
        response = client.get(f"/sales/quotations/?customer={customer.pk}&status=draft")
    assert response.content.count(b'id="quotation-row-') == 10


def test_kanban_query_count_and_move_button(tenant, customer, django_assert_max_num_queries):
    for stage in ("qualification", "needs", "proposal", "negotiation"):
        opportunity(tenant.actor("sales"), customer=customer, stage=stage)
    client = tenant.client("sales")
    client.get("/sales/opportunities/kanban/")
    with django_assert_max_num_queries(20):
        response = client.get("/sales/opportunities/kanban/")
    assert b'id="column-negotiation"' in response.content
    opp = Opportunity.objects.get(stage="negotiation")
    response = client.post(
        f"/sales/opportunities/{opp.pk}/stage/",
        {"stage": "won", "version": opp.version, "next": "/sales/opportunities/kanban/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 302 and response["Location"] == "/sales/opportunities/kanban/"
    opp.refresh_from_db()
    assert opp.stage == "won" and opp.probability == 100


def test_lost_without_reason_shows_the_message(tenant, customer):
    opp = opportunity(tenant.actor("sales"), customer=customer)
    client = tenant.client("sales")
    response = client.post(
        f"/sales/opportunities/{opp.pk}/stage/", {"stage": "lost", "version": opp.version},
        follow=True,
    )  # fmt: skip
    assert b"reason the opportunity was lost" in response.content
    assert Opportunity.objects.get(pk=opp.pk).stage == "qualification"


def test_create_opportunity_from_a_lead(tenant, customer):
    client = tenant.client("sales")
    page = client.get(f"/sales/opportunities/new/?customer_id={customer.pk}")
    assert "上海恒通五金".encode() in page.content
    response = client.post("/sales/opportunities/new/", {
        "name": "首单", "customer_id": customer.pk, "stage": "needs", "currency": "CNY",
        "owner_id": tenant.user("sales").pk, "amount": "12000",
    })  # fmt: skip
    opp = Opportunity.objects.get(name="首单")
    assert response.status_code == 302 and opp.probability == 25


def test_line_editor_saves_product_configuration_and_free_text_lines(tenant, customer):
    actor = tenant.actor("sales")
    drill = product(actor, sku="DR-1", name="冲击电钻", price="299.00")
    pc = product(actor, sku="PC", name="工作站", is_configurable=True)
    config = configuration(actor, product=pc, unit_price="6888", summary="i7/32G")
    client = tenant.client("sales")

    found = client.get("/sales/quotations/products/?product_q=电钻")
    assert f'id="add-product-{drill.pk}"'.encode() in found.content
    row = client.get(f"/sales/quotations/line/?product_id={drill.pk}&customer_id={customer.pk}")
    assert b'value="299"' in row.content and row["HX-Trigger"] == "sy-lines-changed"
    assert b"i7/32G" in client.get(f"/sales/quotations/line/?configuration_id={config.pk}").content

    today = timezone.localdate()
    data = {
        "customer_id": customer.pk, "currency": "CNY", "language": "zh-hans",
        "issue_date": today.isoformat(), "valid_until": (today + timedelta(days=15)).isoformat(),
        "discount_percent": "0", "terms": "",
        "line-key": ["a", "b", "c", "d"],
        "line-product_id": [str(drill.pk), str(pc.pk), "", ""],
        "line-configuration_id": ["", str(config.pk), "", ""],
        "line-sku": ["DR-1", "PC", "", ""],
        "line-description": ["冲击电钻", "工作站", "上门安装", "不要了"],
        "line-specification": ["", "i7/32G", "", ""],
        "line-quantity": ["2", "1", "1", "1"],
        "line-unit": ["台", "台", "次", ""],
        "line-unit_price": ["299", "6888", "100", "1"],
        "line-discount_percent": ["0", "0", "0", "0"],
        "line-tax_rate": ["13", "13", "6", "0"],
        "line-remove": ["d"],
    }  # fmt: skip
    totals = client.post("/sales/quotations/totals/", data)
    assert b"8565.18" in totals.content.replace(b",", b"")
    response = client.post("/sales/quotations/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    q = Quotation.objects.get()
    assert [line.description for line in q.lines.all()] == ["冲击电钻", "工作站", "上门安装"]
    assert str(q.total) == "8565.18"  # 675.74 + 7783.44 + 106.00


def test_edit_page_refuses_a_sent_quotation(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    response = tenant.client("sales").get(f"/sales/quotations/{q.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/sales/quotations/{q.pk}/"


def test_send_page_sends_and_revise_page_makes_a_draft(tenant, customer, smtp_server):
    q = quotation(tenant.actor("sales"), customer=customer)
    client = tenant.client("sales")
    response = client.post(
        f"/sales/quotations/{q.pk}/send/", {"channel": "email", "to": "x@ht.test", "message": ""}
    )
    assert response.status_code == 302 and len(smtp_server.messages) == 1
    detail = client.get(f"/sales/quotations/{q.pk}/")
    assert b'id="public-link"' in detail.content
    response = client.post(f"/sales/quotations/{q.pk}/revise/")
    new = Quotation.objects.get(revision=1)
    assert response["Location"] == f"/sales/quotations/{new.pk}/edit/"
    pdf = client.get(f"/sales/quotations/{new.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"


def test_staff_record_an_acceptance_on_the_page(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    client = tenant.client("sales")
    response = client.post(
        f"/sales/quotations/{q.pk}/answer/", {"answer": "accept", "name": "王经理"}, follow=True
    )
    assert b"order SO-" in response.content
    assert SalesOrder.objects.get().quotation_id == q.pk


# --- the customer's page ----------------------------------------------------------------------
def _public_url(q):
    return f"/sales/q/{selectors.quotation_token(q)}/"


def test_public_page_in_the_quotation_language_and_accept(tenant, customer, smtp_server):
    q = _sent(tenant, customer, language="en")
    client = Client()
    page = client.get(_public_url(q))
    assert page.status_code == 200 and b'lang="en"' in page.content
    assert b"Accept the quotation" in page.content and b"navbar" not in page.content
    pdf = client.get(f"{_public_url(q)}pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = client.post(_public_url(q), {"action": "accept", "accept-name": "Mr Wang",
                                            "accept-note": "ship soon"})  # fmt: skip
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.status == "accepted" and q.response_name == "Mr Wang"
    order = SalesOrder.objects.get(quotation=q)
    assert order.status == "confirmed"
    answered = client.get(_public_url(q))
    assert b"Accepted by Mr Wang" in answered.content and b'value="accept"' not in answered.content


def test_public_page_chinese_quotation_is_in_chinese(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    with translation.override("en"):
        page = Client().get(_public_url(q))
    assert b'lang="zh-hans"' in page.content and "安装服务".encode() in page.content


def test_public_decline_needs_a_reason(tenant, customer, smtp_server):
    q = _sent(tenant, customer, language="en")
    client = Client()
    page = client.post(_public_url(q), {"action": "decline", "decline-reason": ""})
    assert page.status_code == 200 and Quotation.objects.get(pk=q.pk).status == "sent"
    client.post(_public_url(q), {"action": "decline", "decline-reason": "Too expensive"})
    assert Quotation.objects.get(pk=q.pk).status == "declined"


def test_expired_and_superseded_links_show_a_message_and_refuse(tenant, customer, smtp_server):
    q = _sent(tenant, customer, language="en")
    Quotation.objects.filter(pk=q.pk).update(
        issue_date=timezone.localdate() - timedelta(days=60),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    page = Client().post(_public_url(q), {"action": "accept", "accept-name": "Wang"})
    assert b"expired" in page.content and not SalesOrder.objects.exists()

    other = _sent(tenant, customer, language="en")
    services.quotation_revise(actor=tenant.actor("sales"), quotation=other)
    page = Client().get(_public_url(other))
    assert b"replaced by a newer revision" in page.content and b'value="accept"' not in page.content


def test_a_garbled_token_is_404(tenant):
    assert Client().get("/sales/q/not-a-token/").status_code == 404


def test_public_answers_are_rate_limited(tenant, customer, smtp_server):
    q = _sent(tenant, customer, language="en")
    client = Client()
    for _ in range(acceptance.ANSWERS_PER_WINDOW):
        client.post(_public_url(q), {"action": "decline", "decline-reason": ""})
    response = client.post(_public_url(q), {"action": "decline", "decline-reason": "x"})
    assert response.status_code == 429
    assert Quotation.objects.get(pk=q.pk).status == "sent"


def test_readonly_sees_no_write_buttons(tenant, customer):
    opportunity(tenant.actor("sales"), customer=customer)
    response = tenant.client("readonly").get("/sales/opportunities/")
    assert response.status_code == 200 and b'id="new-opportunity"' not in response.content


def test_nav_has_the_sales_items(tenant):
    response = tenant.client("sales").get("/sales/quotations/")
    for item in (b'id="nav-opportunities"', b'id="nav-pipeline"', b'id="nav-quotations"'):
        assert item in response.content


def test_lead_conversion_can_open_the_first_opportunity(tenant):
    lead = CustomerFactory(actor=tenant.actor("sales"), name="新线索", stage="lead")
    opp = services.opportunity_create(actor=tenant.actor("sales"), data={"customer_id": lead.pk})
    assert opp.name == "新线索" and opp.stage == "qualification"
