"""Products and sales, end to end in the browser (issue 5; S1–S4, P3): a salesperson takes a lead
through opportunity, quotation (PDF in Chinese), online acceptance, order, shipment, invoice and
payment; the customer accepts through the emailed link and tracks the order by number; every
step is on the customer's timeline. A second, shorter run does quotation → acceptance in
English.

The tenant, a product and a price list are set up through the services (a browser adds nothing
there); every step the issue names is done in the browser, as the salesperson (role `sales`)
or as the customer without an account.

Relies on URLs, element ids and form field names — wording only where the language is checked.
"""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from shangyou.catalog.services import price_list_create, price_list_item_set, product_create
from shangyou.contacts.models import Customer
from shangyou.orders.models import SalesOrder
from shangyou.sales.models import Opportunity, Quotation
from tests.conftest import PASSWORD

from .helpers import mail_link, wait_for_mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}
SHOTS = "/tmp/e2esales-{name}.png"
PRODUCT = "双层不锈钢保温杯"
BUYER_EMAIL = "caigou@mingyuan.example.cn"


# --- helpers --------------------------------------------------------------------------------------
def submit(page, selector: str) -> None:
    """Click a submit button (or the first one of a form) and wait for the next page."""
    target = page.locator(selector)
    if target.evaluate("el => el.tagName") == "FORM":
        target = target.locator("button[type=submit]").first
    with page.expect_navigation():
        target.click()


def click_through(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


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


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def catalogue(tenant):
    """A product with a list price of 100 and a general price list selling it at 88."""
    owner = tenant.actor("owner")
    product = product_create(
        actor=owner,
        data={"sku": "BWB-500", "name": PRODUCT, "name_en": "Double-wall steel flask",
              "unit": "个", "price": Decimal("100.00"), "tax_rate": Decimal("13.00")},
    )  # fmt: skip
    price_list = price_list_create(actor=owner, data={"name": "2026 经销价", "currency": "CNY"})
    price_list_item_set(actor=owner, price_list=price_list, product=product, price=Decimal("88"))
    return product


def create_lead(page, *, name: str, phone: str, email: str) -> Customer:
    page.goto("/customers/new/")
    page.fill("#customer-form input[name=name]", name)
    page.select_option("#customer-form select[name=stage]", "lead")
    page.fill("#customer-form input[name=phone]", phone)
    page.fill("#customer-form input[name=email]", email)
    submit(page, "#customer-form")
    match = re.search(r"/customers/(\d+)/$", page.url)
    assert match, page.url
    customer = Customer.objects.get(pk=match.group(1))
    assert customer.stage == Customer.Stage.LEAD and customer.name == name
    return customer


def open_opportunity(page, customer: Customer, name: str) -> Opportunity:
    """From the customer page's Sales tab."""
    page.goto(f"/customers/{customer.pk}/")
    page.click("#tab-sales-link")
    click_through(page, "#customer-new-opportunity")
    assert page.input_value("#opportunity-form select[name=customer_id]") == str(customer.pk)
    page.fill("#opportunity-form input[name=name]", name)
    page.fill("#opportunity-form input[name=amount]", "5000")
    submit(page, "#opportunity-form")
    match = re.search(r"/opportunities/(\d+)/$", page.url)
    assert match, page.url
    return Opportunity.objects.get(pk=match.group(1), customer=customer)


def draft_quotation(page, product, *, language: str, quantity: int, total: str) -> Quotation:
    """From the opportunity page: a catalogue line (price from the price list) and a free-text
    line, totals recomputed as the lines change."""
    click_through(page, "#new-quotation")
    page.select_option("#quotation-form select[name=language]", language)
    page.fill("#product-q", "保温杯")
    page.locator(f"#add-product-{product.pk}").click()
    row = page.locator(f"#line-rows tr:has(input[name=line-product_id][value='{product.pk}'])")
    row.wait_for()
    assert row.locator("input[name=line-unit_price]").input_value() == "88"
    row.locator("input[name=line-quantity]").fill(str(quantity))
    page.click("#add-free-line")
    free = page.locator("#line-rows tr").nth(1)
    free.wait_for()
    free.locator("input[name=line-description]").fill("运费 / Freight")
    free.locator("input[name=line-quantity]").fill("1")
    free.locator("input[name=line-unit_price]").fill("200")
    free.locator("input[name=line-tax_rate]").fill("9")
    free.locator("input[name=line-tax_rate]").blur()
    page.locator("#quotation-totals").get_by_text(total).wait_for()  # recomputed, not saved
    submit(page, "#save-quotation")
    match = re.search(r"/quotations/(\d+)/$", page.url)
    assert match, page.url
    return Quotation.objects.get(pk=match.group(1))


def send_by_email(page, mailbox, quotation: Quotation) -> str:
    """Send from the quotation page; returns the acceptance link from the email received."""
    click_through(page, "#send-quotation")
    assert page.input_value("#send-form input[name=to]") == BUYER_EMAIL
    page.check("#send-form input[name=channel][value=email]", force=True)
    page.fill("#send-form textarea[name=message]", "请查收，谢谢！")
    submit(page, "#send-form")
    assert page.url.endswith(f"/quotations/{quotation.pk}/"), page.url
    message = wait_for_mail(mailbox, to=BUYER_EMAIL)
    pdfs = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    return mail_link(message, "/q/")


def accept_online(new_page, site, link: str, *, language: str, name: str):
    """The customer, in a fresh browser with no account, opens the link and accepts."""
    customer = open_browser(new_page, site, language)
    customer.goto(link)
    assert (customer.get_attribute("html", "lang") or "").lower() == language
    assert PRODUCT in text(customer, "#main")
    customer.fill("#accept-form input[name=accept-name]", name)
    customer.fill("#accept-form textarea[name=accept-note]", "请尽快发货")
    submit(customer, "#accept")
    customer.locator("#answer-state").wait_for()
    customer.screenshot(path=SHOTS.format(name=f"accepted-{language}"), full_page=True)
    assert customer.locator("#accept-form").count() == 0  # answered once, no second answer
    return customer


# --- the whole way, in Chinese --------------------------------------------------------------------
def test_salesperson_takes_a_lead_to_a_paid_order(new_page, site, smtp_server, tenant):
    product = catalogue(tenant)
    page = open_browser(new_page, site, "zh-hans")
    login(page, tenant.user("sales"), "zh-hans")

    # --- the lead, entered from the customers UI --------------------------------------------------
    customer = create_lead(
        page, name="杭州明远贸易有限公司", phone="0571-8765 4321", email=BUYER_EMAIL
    )
    assert "线索" in text(page, ".page-header")  # the stage badge, translated

    # --- an opportunity from the customer page ----------------------------------------------------
    opportunity = open_opportunity(page, customer, "2026年保温杯采购")
    assert opportunity.owner_id == tenant.user("sales").pk

    # --- a quotation with a product line and a free-text line -------------------------------------
    # 50 × 88 × 1.13 + 200 × 1.09 = 4972 + 218
    quotation = draft_quotation(page, product, language="zh-hans", quantity=50, total="5,190.00")
    assert quotation.opportunity_id == opportunity.pk
    assert quotation.total == Decimal("5190.00") and quotation.language == "zh-hans"
    assert PRODUCT in text(page, "#main")
    page.screenshot(path=SHOTS.format(name="quotation"), full_page=True)

    # --- its PDF, in Chinese, fetched through the page's link -------------------------------------
    response = page.context.request.get(page.get_attribute("#quotation-pdf", "href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    content = pdf_text(response.body())
    assert PRODUCT in content and "报价单" in content and "运费" in content

    # --- sent by email; the customer accepts online through the link ------------------------------
    link = send_by_email(page, smtp_server, quotation)
    assert page.locator("#quotation-status").get_attribute("class")
    quotation.refresh_from_db()
    assert quotation.status == Quotation.Status.SENT
    buyer = accept_online(new_page, site, link, language="zh-hans", name="王经理")
    assert "王经理" in text(buyer, "#answer-state")
    quotation.refresh_from_db()
    assert quotation.status == Quotation.Status.ACCEPTED

    # --- back as the salesperson: the confirmed order, from the customer's Sales tab --------------
    order = SalesOrder.objects.get(quotation=quotation)
    assert order.status == SalesOrder.Status.CONFIRMED
    page.reload()
    assert order.number in text(page, "#quotation-order")
    page.screenshot(path=SHOTS.format(name="quotation-accepted"), full_page=True)
    page.goto(f"/customers/{customer.pk}/")
    assert page.locator("#convert-customer").count() == 0
    page.click("#tab-sales-link")
    orders = page.locator("#customer-orders")
    orders.get_by_role("link", name=order.number).wait_for()
    with page.expect_navigation():
        orders.get_by_role("link", name=order.number).click()
    assert page.url.endswith(f"/orders/{order.pk}/"), page.url
    assert PRODUCT in text(page, "#order-lines")
    customer.refresh_from_db()
    assert customer.stage == Customer.Stage.CUSTOMER  # the lead converted with its first order
    assert page.get_attribute("#order-quotation", "href").endswith(f"/quotations/{quotation.pk}/")

    # --- shipped with carrier and tracking number -------------------------------------------------
    click_through(page, "#ship-order")
    page.fill("#shipment-form input[name=carrier]", "顺丰速运")
    page.fill("#shipment-form input[name=tracking_number]", "SF1234567890")
    submit(page, "#save-shipment")
    assert page.url.endswith(f"/orders/{order.pk}/"), page.url
    assert "SF1234567890" in text(page, "#order-shipments")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.SHIPPED

    # --- invoiced in full, then paid in full ------------------------------------------------------
    click_through(page, "#invoice-order")
    submit(page, "#save-invoice")
    assert re.search(r"/orders/invoices/\d+/$", page.url), page.url
    invoice = order.invoices.get()
    assert invoice.total == Decimal("5190.00")
    click_through(page, "#pay-invoice")
    assert page.input_value("#payment-form input[name=amount]") == "5190.00"
    page.select_option("#payment-form select[name=method]", "bank")
    page.fill("#payment-form input[name=reference]", "工行 20260315-001")
    submit(page, "#payment-form")
    assert re.search(r"/orders/invoices/\d+/$", page.url), page.url
    assert text(page, "#invoice-balance") in ("0.00", "0")
    order.refresh_from_db()
    assert order.amount_paid == Decimal("5190.00") and order.balance == 0
    page.goto(f"/orders/{order.pk}/")
    page.screenshot(path=SHOTS.format(name="order"), full_page=True)

    # --- the customer tracks the order by number and phone (another format), no login -------------
    tracker = open_browser(new_page, site, "zh-hans")
    tracker.goto("/orders/track/")
    tracker.fill("#track-number", order.number.lower())
    tracker.fill("#track-contact", "+86 571 87654321")
    submit(tracker, "#track-form")
    tracker.locator("#track-result").wait_for()
    assert order.number in text(tracker, "#track-result")
    assert "SF1234567890" in text(tracker, "#track-shipment-1")
    assert PRODUCT in text(tracker, "#track-lines")
    assert "5,190" not in text(tracker, "#track-result")  # quantities, never prices
    tracker.screenshot(path=SHOTS.format(name="tracking"), full_page=True)

    # --- every step is on the customer's timeline -------------------------------------------------
    page.goto(f"/customers/{customer.pk}/")
    timeline = page.locator("#timeline-entries")
    timeline.locator(".sy-timeline-entry").first.wait_for()
    entries = {
        kind: " | ".join(timeline.locator(f".sy-kind-{kind}").all_inner_texts())
        for kind in ("opportunity", "quotation", "order", "shipment", "invoice", "payment")
    }
    missing = [kind for kind, found in entries.items() if not found]
    assert not missing, f"no timeline entry for {missing}"
    assert opportunity.name in entries["opportunity"]
    assert BUYER_EMAIL in entries["quotation"]  # sent …
    assert "王经理" in entries["quotation"]  # … and accepted
    for kind in ("quotation", "order", "shipment", "invoice"):
        assert order.number in entries[kind], kind
    assert invoice.number in entries["payment"]
    assert "订单" in text(page, "#timeline-entries .sy-kind-order")  # the kind badge, translated
    page.screenshot(path=SHOTS.format(name="timeline"), full_page=True)

    # --- the sale shows in the statistics, drawn by ECharts ------------------------------------
    page.goto("/analytics/sales/")
    page.locator("#chart-period canvas").first.wait_for()  # rendered, not an empty box


# --- quotation → acceptance, in English -----------------------------------------------------------
def test_quotation_is_accepted_online_in_english(new_page, site, smtp_server, tenant):
    product = catalogue(tenant)
    page = open_browser(new_page, site, "en")
    login(page, tenant.user("sales"), "en")
    customer = create_lead(page, name="Harbour Trading Ltd", phone="+44 20 7946 0018",
                           email=BUYER_EMAIL)  # fmt: skip
    open_opportunity(page, customer, "Flasks for 2026")
    # 10 × 88 × 1.13 + 200 × 1.09 = 994.40 + 218
    quotation = draft_quotation(page, product, language="en", quantity=10, total="1,212.40")
    assert "Draft" in text(page, "#quotation-status")
    response = page.context.request.get(page.get_attribute("#quotation-pdf", "href"))
    assert "Quotation" in pdf_text(response.body())

    link = send_by_email(page, smtp_server, quotation)
    assert "Sent" in text(page, "#quotation-status")
    buyer = accept_online(new_page, site, link, language="en", name="Ms Jones")
    assert "Accepted by Ms Jones" in text(buyer, "#answer-state")

    page.reload()
    assert "Accepted" in text(page, "#quotation-status")
    order = SalesOrder.objects.get(quotation=quotation)
    click_through(page, "#quotation-order")
    assert page.url.endswith(f"/orders/{order.pk}/"), page.url
    assert "Confirmed" in text(page, ".page-header")
