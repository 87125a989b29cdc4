from datetime import timedelta

import pytest
from django.utils import timezone

from shangyou.purchasing.links import invitation_token
from shangyou.purchasing.models import PurchaseOrder, Rfq, RfqInvitation, SupplierQuote

from .factories import answer_lines, open_rfq


def _ids(rfq):
    return [line.pk for line in rfq.lines.order_by("position")]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(tenant, rec_a, rec_x, supplier_co, language):
    from shangyou.purchasing import purchase_orders, services

    rfq = open_rfq(tenant, [rec_a, rec_x])
    inv_a = rfq.invitations.get(supplier=rec_a)
    services.rfq_answer_submit(
        invitation=inv_a, actor=supplier_co.actor(), data={}, lines=answer_lines(rfq, ["1", "2"])
    )
    [po] = purchase_orders.rfq_award(actor=tenant.actor(), rfq=rfq, invitation_id=inv_a.pk)
    client = tenant.client()
    client.cookies["django_language"] = language
    expected = {"en": "Purchase orders", "zh-hans": 'lang="zh-hans"'}[language]
    for url in [
        "/purchasing/suppliers/",
        f"/purchasing/suppliers/{rec_a.pk}/",
        "/purchasing/rfqs/",
        "/purchasing/rfqs/new/",
        f"/purchasing/rfqs/{rfq.pk}/",
        f"/purchasing/rfqs/{rfq.pk}/compare/",
        "/purchasing/orders/",
        f"/purchasing/orders/{po.pk}/",
    ]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
    page = client.get("/purchasing/orders/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page
    supplier = supplier_co.client()
    assert supplier.get("/purchasing/incoming/").status_code == 200
    assert supplier.get(f"/purchasing/incoming/{inv_a.pk}/").status_code == 200


def test_rfq_created_and_sent_from_the_pages(tenant, rec_x):
    client = tenant.client()
    deadline = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/purchasing/rfqs/new/",
        {
            "title": "页面询价",
            "deadline": deadline,
            "currency": "CNY",
            "line_count": "3",
            "line-0-description": "螺丝",
            "line-0-quantity": "100",
            "line-0-unit": "个",
            "line-1-description": "",
            "line-1-quantity": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    rfq = Rfq.objects.get(title="页面询价")
    assert rfq.lines.count() == 1
    client.post(f"/purchasing/rfqs/{rfq.pk}/invite/", {"supplier_ids": [rec_x.pk]})
    client.post(f"/purchasing/rfqs/{rfq.pk}/send/")
    rfq.refresh_from_db()
    assert rfq.status == "open"


def test_rfq_form_shows_the_error_on_a_bad_line(tenant, english):
    response = tenant.client().post(
        "/purchasing/rfqs/new/",
        {
            "title": "x",
            "deadline": "2030-01-01T10:00",
            "line_count": "1",
            "line-0-description": "螺丝",
            "line-0-quantity": "abc",
        },
    )
    assert response.status_code == 422 and b"form-error" in response.content


def test_external_supplier_answers_through_the_public_page(tenant, rec_x, english):
    rfq = open_rfq(tenant, [rec_x])
    invitation = rfq.invitations.get()
    url = f"/purchasing/q/{invitation_token(invitation)}/"
    from django.test import Client

    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "内部：预算" not in page.content.decode()
    l1, l2 = _ids(rfq)
    response = anonymous.post(
        url,
        {
            "name": "王经理",
            f"price-{l1}": "0.5",
            f"tax-{l1}": "13",
            f"price-{l2}": "",
            "currency": "CNY",
        },
    )
    assert response.status_code == 302
    quote = SupplierQuote.objects.get(invitation=invitation)
    assert quote.answered_name == "王经理" and quote.lines.count() == 1
    assert anonymous.get(url[:-5] + "xx/").status_code == 404


def test_public_page_is_rate_limited(tenant, rec_x, settings):
    from shangyou.purchasing import links

    rfq = open_rfq(tenant, [rec_x])
    url = f"/purchasing/q/{invitation_token(rfq.invitations.get())}/"
    from django.test import Client

    anonymous = Client()
    statuses = [anonymous.get(url).status_code for _ in range(links.REQUESTS_PER_WINDOW + 1)]
    assert statuses[-1] == 429 and statuses[0] == 200


def test_platform_supplier_answers_and_buyer_awards_and_receives_from_the_pages(
    tenant, rec_a, supplier_co
):
    rfq = open_rfq(tenant, [rec_a])
    invitation = rfq.invitations.get()
    l1, l2 = _ids(rfq)
    supplier = supplier_co.client()
    response = supplier.post(
        f"/purchasing/incoming/{invitation.pk}/",
        {f"price-{l1}": "0.5", f"price-{l2}": "10", "currency": "CNY"},
    )
    assert response.status_code == 302
    assert RfqInvitation.objects.get(pk=invitation.pk).status == "answered"
    buyer = tenant.client()
    buyer.post(
        f"/purchasing/rfqs/{rfq.pk}/award/",
        {f"award-{l1}": invitation.pk, f"award-{l2}": invitation.pk},
    )
    po = PurchaseOrder.objects.get(rfq=rfq)
    assert po.lines.count() == 2
    buyer.post(
        f"/purchasing/orders/{po.pk}/receive/",
        {"all": "1", "received_on": timezone.localdate().isoformat()},
    )
    po.refresh_from_db()
    assert po.status == "received"


def test_lists_query_counts_do_not_grow_with_rows(
    tenant, rec_a, rec_x, supplier_co, django_assert_max_num_queries
):
    from shangyou.purchasing import purchase_orders, services

    for _ in range(3):
        rfq = open_rfq(tenant, [rec_a, rec_x])
        inv = rfq.invitations.get(supplier=rec_a)
        services.rfq_answer_submit(
            invitation=inv, actor=supplier_co.actor(), data={}, lines=answer_lines(rfq, ["1", "2"])
        )
        purchase_orders.rfq_award(actor=tenant.actor(), rfq=rfq, invitation_id=inv.pk)
    client = tenant.client()
    supplier = supplier_co.client()
    for url, who in [
        ("/purchasing/suppliers/", client),
        ("/purchasing/rfqs/", client),
        ("/purchasing/orders/", client),
        ("/purchasing/incoming/", supplier),
    ]:
        with django_assert_max_num_queries(14):
            assert who.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert tenant.api().get("/api/v1/purchasing/purchase-orders").status_code == 200
