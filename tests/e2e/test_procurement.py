"""Procurement, end to end in the browser (issue 6; B1–B3): a buyer invites two platform
suppliers and one external supplier; all three answer (the platform suppliers in their own
accounts, the external one through the signed link from its email); the buyer compares and
awards per line; the purchase orders reach the suppliers as sales orders in their own CRMs,
where they confirm them; the buyer sees the purchase orders follow and receives the goods until
the orders are closed.

The buyer and one supplier work in Chinese, the other supplier in English. Companies, business
friendships, supplier records and exchange rates are set up through the services (a browser adds
nothing there); every step the issue names is done in the browser.

Relies on URLs, element ids and form field names — wording only where the language is checked.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shangyou.catalog.services import exchange_rate_create
from shangyou.contacts.services import customer_create
from shangyou.network.services import crm_record_for, friend_answer, friend_request
from shangyou.purchasing.models import PurchaseOrder, Rfq, RfqInvitation
from shangyou.purchasing.services import supplier_record_ensure
from tests.conftest import PASSWORD

from .helpers import mail_link, wait_for_mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}
EXTERNAL_EMAIL = "quotes@nbpack.example.cn"
LINES = [  # (description, specification, quantity, unit)
    ("不锈钢螺丝 M6", "304, 20mm", "1000", "个"),
    ("包装纸箱", "五层瓦楞", "50", "箱"),
]
# Unit prices per line: A (CNY) is cheapest on line 1, B (USD at 7.2) on line 2.
ANSWERS = {
    "a": {"currency": "CNY", "prices": ["0.50", "12.00"]},
    "b": {"currency": "USD", "prices": ["0.08", "1.50"]},  # 0.576 and 10.80 CNY
    "x": {"currency": "CNY", "prices": ["0.55", "11.50"]},
}


# --- helpers ------------------------------------------------------------------------------------
def submit(page, selector: str) -> None:
    """Click a submit button (or the first one of a form) and wait for the next page."""
    target = page.locator(selector)
    if target.evaluate("el => el.tagName") == "FORM":
        target = target.locator("button[type=submit]").first
    with page.expect_navigation():
        target.click()


def text(page, selector: str = "body") -> str:
    return re.sub(r"\s+", " ", page.inner_text(selector)).strip()


def open_browser(new_page, site, language: str):
    page = new_page(locale=LOCALES[language])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm forms ask first
    return page


def login(page, user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    page.goto("/accounts/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=password])")
    assert "/accounts/login/" not in page.url, page.url
    assert (page.get_attribute("html", "lang") or "").lower() == language


def answer_rfq(page, prices: list[str], currency: str, lead: str, name: str = "") -> None:
    """Fill the standard quotation form (B2), the same for every supplier, and send it."""
    rows = page.locator("#answer-lines tbody tr[id^=answer-line-]")
    assert rows.count() == len(prices)
    for n, price in enumerate(prices):
        line_id = rows.nth(n).get_attribute("id").removeprefix("answer-line-")
        page.fill(f"#price-{line_id}", price)
        page.fill(f"#tax-{line_id}", "13")
        page.fill(f"#lead-{line_id}", lead)
    page.select_option("#answer-currency", currency)
    page.fill("#answer-terms", "30 days / 月结30天")
    if name:
        page.fill("#answer-name", name)
    submit(page, "#answer-submit")
    page.locator("#answer-sent").wait_for()


def wait_for_subject(mailbox, *, to: str, contains: str, timeout: float = 15.0):
    """The message to `to` whose subject contains `contains` (a company gets several)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(mailbox.messages):
            if to.lower() in str(message["To"]).lower() and contains in str(message["Subject"]):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} about {contains!r} arrived within {timeout}s")


def confirm_sales_order(page, po_number: str) -> str:
    """In the supplier's own CRM: the buyer's PO is a draft sales order; confirm it."""
    page.goto("/orders/")
    row = page.locator("#orders-table tbody tr", has_text=po_number)
    assert row.count() == 1, text(page, "#orders-table")
    with page.expect_navigation():
        row.locator("a").first.click()
    assert re.search(r"/orders/\d+/$", page.url), page.url
    submit(page, "#confirm-order")
    assert page.locator("#confirm-order").count() == 0
    return page.url


# --- the test -----------------------------------------------------------------------------------
def test_rfq_to_goods_receipt_with_two_platform_suppliers_and_one_external(
    new_page, site, smtp_server, tenant_factory, screenshots
):
    buyer = tenant_factory("北京优采贸易有限公司", "buyer")
    supplier_a = tenant_factory("华东五金有限公司", "supplier")
    supplier_b = tenant_factory("Shenzhen Packaging Co", "supplier")
    owner = buyer.actor("owner")

    # Set-up the browser adds nothing to: business friends on the platform, so each supplier is
    # a record in the buyer's CRM linked to its company; one external supplier; the USD rate.
    records = {}
    for key, supplier in (("a", supplier_a), ("b", supplier_b)):
        friendship = friend_request(actor=owner, company_id=supplier.company.pk)
        if friendship.status == friendship.Status.PENDING:
            friend_answer(actor=supplier.actor("owner"), friendship=friendship, accept=True)
        record = crm_record_for(company=buyer.company, other=supplier.company)
        records[key] = supplier_record_ensure(actor=owner, customer=record)
        assert records[key].platform_company_id == supplier.company.pk
    records["x"] = customer_create(
        actor=owner,
        data={
            "name": "宁波外贸包装厂",
            "email": EXTERNAL_EMAIL,
            "is_supplier": True,
            "is_customer": False,
        },
        allow_duplicate=True,
    )
    exchange_rate_create(
        actor=owner,
        data={
            "currency": "USD",
            "rate": "7.2",
            "valid_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
        },
    )

    buyer_page = open_browser(new_page, site, "zh-hans")
    page_a = open_browser(new_page, site, "zh-hans")
    page_b = open_browser(new_page, site, "en")
    login(buyer_page, buyer.user("owner"), "zh-hans")
    login(page_a, supplier_a.user("owner"), "zh-hans")
    login(page_b, supplier_b.user("owner"), "en")

    # --- the buyer writes the RFQ with two lines ------------------------------------------------
    buyer_page.goto("/purchasing/rfqs/new/")
    assert "保存" in text(buyer_page, "#rfq-save")  # Chinese UI
    buyer_page.fill("#rfq-title", "螺丝与纸箱采购")
    buyer_page.fill("#rfq-description", "请按标准报价单报价 / Please quote in the standard form")
    buyer_page.fill("#rfq-notes", "内部：预算 5000 元以内")
    buyer_page.fill("#rfq-address", "北京市朝阳区建国路 88 号")
    for n, (description, specification, quantity, unit) in enumerate(LINES):
        buyer_page.fill(f"#line-{n}-description", description)
        buyer_page.fill(f"#line-{n}-specification", specification)
        buyer_page.fill(f"#line-{n}-quantity", quantity)
        buyer_page.fill(f"#line-{n}-unit", unit)
    submit(buyer_page, "#rfq-save")
    match = re.search(r"/purchasing/rfqs/(\d+)/$", buyer_page.url)
    assert match, buyer_page.url
    rfq = Rfq.objects.get(pk=int(match[1]), company=buyer.company)
    assert rfq.status == Rfq.Status.DRAFT and rfq.lines.count() == 2
    assert "编辑" in text(buyer_page, "#rfq-edit")

    # --- … invites two platform suppliers and one external supplier, and sends it -------------
    buyer_page.select_option("#invite-suppliers", [str(r.pk) for r in records.values()])
    submit(buyer_page, "#invite-submit")
    assert buyer_page.locator("#rfq-invitees div[id^=invitation-]").count() == 3
    submit(buyer_page, "#rfq-send")
    rfq.refresh_from_db()
    assert rfq.status == Rfq.Status.OPEN
    invitations = {
        key: RfqInvitation.objects.get(rfq=rfq, supplier=record) for key, record in records.items()
    }
    assert all(i.status == RfqInvitation.Status.INVITED for i in invitations.values())
    assert invitations["a"].is_platform and not invitations["x"].is_platform
    screenshots(buyer_page, "buyer-rfq-sent")

    # --- supplier A answers in its own account (Chinese) ----------------------------------------
    page_a.goto("/purchasing/incoming/")
    row = page_a.locator(f"#incoming-row-{invitations['a'].pk}")
    assert rfq.number in text(page_a, f"#incoming-row-{invitations['a'].pk}")
    with page_a.expect_navigation():
        row.locator("a").first.click()
    assert page_a.url.endswith(f"/purchasing/incoming/{invitations['a'].pk}/")
    assert "螺丝与纸箱采购" in text(page_a, "#rfq-info")
    assert "内部" not in text(page_a)  # internal notes never reach suppliers
    screenshots(page_a, "supplier-a-incoming-rfq")
    answer_rfq(page_a, ANSWERS["a"]["prices"], ANSWERS["a"]["currency"], lead="7")
    page_a.locator("#own-quotation").wait_for()  # the answer is a quotation in A's own CRM

    # --- supplier B answers in its own account (English, in US dollars) -------------------------
    page_b.goto("/purchasing/incoming/")
    assert "Incoming RFQs" in text(page_b, "h1, h2, .page-title")
    with page_b.expect_navigation():
        page_b.locator(f"#incoming-row-{invitations['b'].pk} a").first.click()
    assert "Answer an RFQ" in text(page_b)
    assert "Send my answer" in text(page_b, "#answer-submit")
    screenshots(page_b, "supplier-b-incoming-rfq")
    page_b.screenshot(path="/tmp/e2eproc-incoming-rfq.png", full_page=True)
    answer_rfq(page_b, ANSWERS["b"]["prices"], ANSWERS["b"]["currency"], lead="14")
    assert "Your answer of" in text(page_b, "#answer-sent")
    assert "USD" in text(page_b, "#answer-sent")

    # --- the external supplier answers through the signed link from its email (no login) -------
    link = mail_link(wait_for_mail(smtp_server, to=EXTERNAL_EMAIL), "/purchasing/q/")
    page_x = open_browser(new_page, site, "zh-hans")
    page_x.goto(link)
    assert "/accounts/login/" not in page_x.url
    assert "螺丝与纸箱采购" in text(page_x, "#rfq-info")
    screenshots(page_x, "external-answer-form")
    answer_rfq(page_x, ANSWERS["x"]["prices"], ANSWERS["x"]["currency"], lead="10", name="王经理")
    for invitation in invitations.values():
        invitation.refresh_from_db()
        assert invitation.status == RfqInvitation.Status.ANSWERED, invitation

    # --- the buyer compares the three answers and awards per line ------------------------------
    buyer_page.goto(f"/purchasing/rfqs/{rfq.pk}/")
    with buyer_page.expect_navigation():
        buyer_page.click("#rfq-compare")
    assert buyer_page.url.endswith(f"/purchasing/rfqs/{rfq.pk}/compare/")
    line1, line2 = rfq.lines.order_by("position")
    inv = {key: i.pk for key, i in invitations.items()}
    for key in inv:
        buyer_page.locator(f"#supplier-col-{inv[key]}").wait_for()
    # the best price per line, in CNY at the RFQ date's rate (B's USD converted at 7.2)
    assert "sy-best" in (buyer_page.get_attribute(f"#cell-{line1.pk}-{inv['a']}", "class") or "")
    assert "sy-best" in (buyer_page.get_attribute(f"#cell-{line2.pk}-{inv['b']}", "class") or "")
    assert "10.80" in text(buyer_page, f"#cell-{line2.pk}-{inv['b']}")
    screenshots(buyer_page, "buyer-comparison")
    buyer_page.screenshot(path="/tmp/e2eproc-comparison.png", full_page=True)
    buyer_page.select_option(f"#award-{line1.pk}", str(inv["a"]))
    buyer_page.select_option(f"#award-{line2.pk}", str(inv["b"]))
    submit(buyer_page, "#award-per-line")
    assert buyer_page.url.endswith(f"/purchasing/rfqs/{rfq.pk}/")
    rfq.refresh_from_db()
    assert rfq.status == Rfq.Status.AWARDED
    orders = {
        key: PurchaseOrder.objects.get(company=buyer.company, rfq=rfq, supplier=records[key])
        for key in ("a", "b")
    }
    assert not PurchaseOrder.objects.filter(rfq=rfq, supplier=records["x"]).exists()
    for order in orders.values():
        buyer_page.locator(f"#rfq-po-{order.pk}").wait_for()
    assert orders["a"].lines.get().rfq_line_id == line1.pk
    assert orders["b"].currency == "USD" and orders["b"].lines.get().rfq_line_id == line2.pk

    # --- the purchase orders reach the suppliers: by email, and as sales orders in their CRMs --
    for key, supplier in (("a", supplier_a), ("b", supplier_b)):
        wait_for_subject(smtp_server, to=supplier.user("owner").email, contains=orders[key].number)
    so_a = confirm_sales_order(page_a, orders["a"].number)
    so_b = confirm_sales_order(page_b, orders["b"].number)
    assert "Confirmed" in text(page_b, ".page-header")  # English status on B's own order
    for order in orders.values():
        order.refresh_from_db()
        assert order.sales_order.status == "confirmed"
    assert orders["a"].sales_order.company_id == supplier_a.company.pk
    assert so_a != so_b

    # --- the buyer sees the purchase orders follow (confirmed) and receives the goods ----------
    line_a = orders["a"].lines.get()
    buyer_page.goto(f"/purchasing/orders/{orders['a'].pk}/")
    assert "sy-po-confirmed" in (buyer_page.get_attribute("#po-status", "class") or "")
    assert orders["a"].sales_order.number in text(buyer_page, "#supplier-order")
    assert "供应商" in text(buyer_page)  # Chinese UI
    buyer_page.fill(f"#receive-{line_a.pk}", "400")
    submit(buyer_page, "#receive-submit")
    assert text(buyer_page, f"#received-{line_a.pk}") == "400"
    assert "sy-po-partly_received" in (buyer_page.get_attribute("#po-status", "class") or "")
    submit(buyer_page, "#receive-all")
    assert text(buyer_page, f"#received-{line_a.pk}") == "1000"
    assert buyer_page.locator("#receipts [id^=receipt-]").count() == 2
    assert buyer_page.locator("#receive-form #receive-submit").count() == 0  # closed
    screenshots(buyer_page, "buyer-po-received")

    buyer_page.goto(f"/purchasing/orders/{orders['b'].pk}/")
    assert "sy-po-confirmed" in (buyer_page.get_attribute("#po-status", "class") or "")
    submit(buyer_page, "#receive-all")
    for key, order in orders.items():
        order.refresh_from_db()
        assert order.status == PurchaseOrder.Status.RECEIVED, (key, order.status)
        assert order.closed_at is not None
        assert all(line.quantity_received == line.quantity for line in order.lines.all())
    assert orders["b"].lines.get().quantity_received == Decimal("50")

    buyer_page.goto("/purchasing/orders/?status=received")
    for order in orders.values():
        assert order.number in text(buyer_page)
    screenshots(buyer_page, "buyer-po-list")
