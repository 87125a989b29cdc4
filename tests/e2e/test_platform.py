"""The platform, end to end (issue 4; M3, M5, M6, C1): two companies register from scratch, one
finds the other by pinyin in the directory, they become business friends, message each other
(new messages appear without reloading), see each other in their visitor records, and each finds
the other in its own customer list — once in English and once in Chinese.

Relies on URLs, element ids and form field names only — never on CSS classes or wording.
"""

import re

import pytest

from .helpers import mail_link, wait_for_mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-Harbor-27"
SUPPLIER = ("杭州西湖茶业有限公司", "supplier", "周小梅", "xiaomei@xihutea.example.cn")
BUYER = ("北京优采贸易有限公司", "buyer", "王建国", "jianguo@youcai.example.cn")
LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}


def submit(page, form_selector: str) -> None:
    """Submit a form by its own submit button and wait for the next page to load."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def visible_text(page, selector: str = "body") -> str:
    return re.sub(r"\s+", " ", page.inner_text(selector)).strip()


def register(page, mailbox, *, company: str, member_type: str, name: str, email: str) -> None:
    """Free registration (M1) through the real form; the emailed link finishes it."""
    page.goto("/accounts/register/")
    page.fill("input[name=company_name]", company)
    page.check(f"input[name=member_type][value={member_type}]", force=True)
    page.fill("input[name=full_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.check("input[name=accept_terms]", force=True)
    submit(page, "form:has(input[name=company_name])")
    assert page.url.endswith("/accounts/register/sent/"), page.url
    page.goto(mail_link(wait_for_mail(mailbox, to=email), "/accounts/register/verify/"))
    page.wait_for_selector("#registration-success")


def open_profile_from_directory(page, shot, *, query: str, name: str, hidden: str) -> None:
    """Type in the directory's search box: the results change without a page load."""
    page.goto("/network/")
    page.fill("#directory-q", query)
    results = page.locator("#directory-results")
    results.get_by_text(name).wait_for()
    page.wait_for_function(
        "hidden => !document.querySelector('#directory-results').innerText.includes(hidden)",
        arg=hidden,
    )
    assert f"q={query}" in page.url  # the live search keeps its address
    shot(page, "directory-search")
    asked = []  # searches sent while the result is clicked (the box loses focus)
    page.on("request", lambda r: asked.append(r.url) if "/network/?" in r.url else None)
    with page.expect_navigation():
        results.get_by_role("link", name=name).click()
    assert re.search(r"/network/companies/\d+/$", page.url), page.url
    assert asked == []  # a second search's history push would cancel the navigation


def send_message(page, text: str) -> None:
    """Send from the conversation page's HTMX form; the page stays, the message appears."""
    page.fill("#message-form textarea[name=body]", text)
    page.click("#message-send")
    page.locator("#message-list").get_by_text(text).wait_for()
    assert page.input_value("#message-form textarea[name=body]") == ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_two_companies_meet_on_the_platform(new_page, site, smtp_server, screenshots, language):
    supplier = new_page(locale=LOCALES[language])
    buyer = new_page(locale=LOCALES[language])
    for page in (supplier, buyer):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])

    # --- both companies register from scratch --------------------------------------------------
    for page, (company, member_type, name, email) in ((supplier, SUPPLIER), (buyer, BUYER)):
        register(
            page, smtp_server, company=company, member_type=member_type, name=name, email=email
        )
        assert (page.get_attribute("html", "lang") or "").lower() == language

    # --- the buyer fills in its public profile (M3 visibility settings included) ---------------
    buyer.goto("/network/profile/")
    buyer.fill("#profile-form textarea[name=main_products]", "办公用品 茶叶礼盒")
    buyer.fill("#profile-form input[name=province]", "北京")
    buyer.fill("#profile-form input[name=city]", "北京")
    buyer.fill("#profile-form input[name=phone]", "010-8888 6666")
    buyer.check("#profile-form input[name=contact_visibility][value=friends]", force=True)
    screenshots(buyer, f"{language}-our-profile")
    submit(buyer, "#profile-form")
    assert buyer.input_value("#profile-form input[name=province]") == "北京"

    # --- the supplier finds the buyer by pinyin and asks to be business friends ----------------
    open_profile_from_directory(
        supplier, screenshots, query="youcai", name=BUYER[0], hidden=SUPPLIER[0]
    )
    buyer_profile_url = supplier.url
    assert "010-8888 6666" not in visible_text(supplier)  # friends only, not yet
    screenshots(supplier, f"{language}-buyer-profile")
    submit(supplier, "#friend-request-form")
    assert supplier.locator("#friend-cancel").count() == 1  # waiting for an answer

    # --- the buyer sees the request and accepts it ---------------------------------------------
    buyer.goto("/network/friends/?tab=incoming")
    assert SUPPLIER[0] in visible_text(buyer, "#friends-table")
    screenshots(buyer, f"{language}-incoming-request")
    with buyer.expect_navigation():
        buyer.locator("#friends-table").get_by_role("link", name=SUPPLIER[0]).click()
    supplier_profile_url = buyer.url
    submit(buyer, "form:has(#friend-accept)")
    buyer.locator("#friend-badge").wait_for()
    buyer.goto("/network/friends/")
    assert SUPPLIER[0] in visible_text(buyer, "#friends-table")
    screenshots(buyer, f"{language}-my-business-friends")

    supplier.goto(buyer_profile_url)
    supplier.locator("#friend-badge").wait_for()
    assert "010-8888 6666" in visible_text(supplier, "#contact-details")  # friends see it now

    # --- messages: the supplier writes; the buyer sees it arrive without reloading -------------
    with supplier.expect_navigation():
        supplier.click("#send-message")
    supplier.fill("#conversation-form input[name=subject]", "询价 / Enquiry")
    supplier.fill("#conversation-form textarea[name=body]", "您好，我们有新茶上市。")
    submit(supplier, "#conversation-form")
    assert re.search(r"/network/messages/\d+/$", supplier.url), supplier.url
    conversation_url = supplier.url

    buyer.goto("/network/")
    buyer.locator("#unread-count").wait_for()  # the navbar's polled counter
    buyer.goto("/network/messages/")
    assert SUPPLIER[0] in visible_text(buyer, "#conversation-list")
    screenshots(buyer, f"{language}-inbox")
    with buyer.expect_navigation():
        buyer.locator("#conversation-list a").first.click()
    assert buyer.url == conversation_url
    buyer.locator("#message-list").get_by_text("您好，我们有新茶上市。").wait_for()
    buyer.evaluate("() => { window.syNoReload = true; }")

    send_message(supplier, "价格表请见附件说明。")
    buyer.locator("#message-list").get_by_text("价格表请见附件说明。").wait_for(timeout=20_000)
    assert buyer.evaluate("() => window.syNoReload === true"), "the buyer's page was reloaded"
    send_message(buyer, "收到，谢谢！请寄样品。")
    supplier.locator("#message-list").get_by_text("收到，谢谢！请寄样品。").wait_for(timeout=20_000)
    assert buyer.locator("#message-list [id^=message-]").count() == 3
    screenshots(buyer, f"{language}-conversation-buyer")
    screenshots(supplier, f"{language}-conversation-supplier")

    # --- visitor records: each saw the other's profile ----------------------------------------
    assert supplier_profile_url and buyer_profile_url
    for page, other in ((supplier, BUYER[0]), (buyer, SUPPLIER[0])):
        page.goto("/network/visitors/")
        assert other in visible_text(page, "#visits-table")
        screenshots(page, f"{language}-visitors")
    supplier.goto("/network/visitors/?tab=visited")
    assert BUYER[0] in visible_text(supplier, "#visits-table")

    # --- each finds the other in its own CRM (C1) -----------------------------------------------
    for page, query, other in ((supplier, "优采", BUYER[0]), (buyer, "xihu", SUPPLIER[0])):
        page.goto(f"/customers/?q={query}")
        page.locator("#customer-table").get_by_text(other).first.wait_for()
        screenshots(page, f"{language}-crm")
    assert (supplier.get_attribute("html", "lang") or "").lower() == language
    assert list(screenshots.directory.glob("*.png"))
