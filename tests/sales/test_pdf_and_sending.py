import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.network.models import Message
from shangyou.sales import pdf
from shangyou.sales.models import Quotation
from shangyou.sales.sending import quotation_send

from .factories import CustomerFactory, product, quotation


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="上海恒通五金", email="buy@ht.test")


def test_chinese_pdf_contains_the_chinese_text(tenant, customer):
    actor = tenant.actor("sales")
    drill = product(actor, sku="DR-1", name="冲击电钻", price="299.00")
    q = quotation(actor, customer=customer, lines=[{"product_id": drill.pk, "quantity": 2}],
                  terms="款到发货，含税运费。")  # fmt: skip
    text = _text(pdf.quotation_pdf(quotation=q))
    for expected in ("报价单", "冲击电钻", "上海恒通五金", q.number, "675.74", "款到发货"):
        assert expected in text, expected


def test_english_pdf_is_in_english(tenant, customer):
    q = quotation(
        tenant.actor("sales"), customer=customer, language="en",
        lines=[{"description": "Cordless drill", "quantity": 1, "unit_price": "99.5"}],
    )  # fmt: skip
    text = _text(pdf.quotation_pdf(quotation=q))
    assert "Quotation" in text and "Cordless drill" in text and "Valid until" in text
    assert "报价单" not in text


def test_the_cjk_font_is_embedded_when_one_is_installed(settings):
    path = pdf._font_file()
    if not path:
        pytest.skip("no TrueType CJK font installed; STSong-Light is used")
    assert pdf.pdf_font() == pdf.FONT_NAME


def test_a_long_quotation_breaks_across_pages_with_the_header_repeated(tenant, customer):
    lines = [
        {"description": f"配件 {i:03d}", "quantity": 1, "unit_price": "1.00"} for i in range(120)
    ]
    q = quotation(tenant.actor("sales"), customer=customer, lines=lines)
    reader = PdfReader(io.BytesIO(pdf.quotation_pdf(quotation=q)))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert "单价" in page.extract_text()  # the table header on every page


def test_sending_by_email_attaches_the_pdf_and_a_working_link(tenant, customer, smtp_server):
    q = quotation(tenant.actor("sales"), customer=customer)
    q = quotation_send(actor=tenant.actor("sales"), quotation=q, channel="email",
                       message="请查收。")  # fmt: skip

    assert q.status == "sent" and q.sent_at is not None
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "buy@ht.test"
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert "报价单" in _text(attachments[0].get_content())
    body = smtp_server.bodies()[0]
    assert "请查收。" in body
    link = re.search(r"https?://\S+/sales/q/\S+/", body).group(0)
    path = "/" + link.split("/", 3)[3]
    page = Client().get(path)
    assert page.status_code == 200
    assert "安装服务".encode() in page.content and b'name="action" value="accept"' in page.content
    assert TimelineEntry.objects.filter(
        customer=customer, kind="quotation", subject__contains="sent"
    ).exists()


def test_english_quotation_email_is_written_in_english(tenant, customer, smtp_server):
    q = quotation(tenant.actor("sales"), customer=customer, language="en")
    quotation_send(actor=tenant.actor("sales"), quotation=q, channel="email")
    message = smtp_server.messages[0]
    assert "Quotation" in message["Subject"]
    assert "accept or decline it online" in smtp_server.bodies()[0]


def test_email_without_an_address_is_refused(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="无邮箱客户")
    q = quotation(tenant.actor("sales"), customer=customer)
    from shangyou.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="no email address"):
        quotation_send(actor=tenant.actor("sales"), quotation=q, channel="email")
    assert Quotation.objects.get(pk=q.pk).status == "draft"


def test_sending_as_a_platform_message_attaches_the_pdf(tenant, other_tenant, customer):
    Customer.objects.filter(pk=customer.pk).update(platform_company=other_tenant.company)
    customer.refresh_from_db()
    q = quotation(tenant.actor("sales"), customer=customer)
    q = quotation_send(actor=tenant.actor("sales"), quotation=q, channel="platform")
    assert q.status == "sent"
    attached = Message.objects.filter(sender_company=tenant.company).exclude(attachment="")
    assert attached.count() == 1
    assert attached.get().attachment_name.endswith(".pdf")
    assert Message.objects.filter(body__contains="/sales/q/").exists()


def test_platform_needs_a_linked_customer(tenant, customer):
    from shangyou.core.errors import ValidationFailed

    q = quotation(tenant.actor("sales"), customer=customer)
    with pytest.raises(ValidationFailed, match="not linked"):
        quotation_send(actor=tenant.actor("sales"), quotation=q, channel="platform")


def test_a_quotation_without_lines_cannot_be_sent(tenant, customer):
    from shangyou.core.errors import ValidationFailed

    q = quotation(tenant.actor("sales"), customer=customer, lines=[])
    assert q.total == Decimal("0.00")
    with pytest.raises(ValidationFailed, match="at least one line"):
        quotation_send(actor=tenant.actor("sales"), quotation=q)
