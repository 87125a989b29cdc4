"""The newcomer's first hour (M1, X1, X3, C1): register a supplier, verify the email, invite a
colleague who joins in another browser, switch the language and back, add 张伟 and find him by
his initials "zw".

Relies on URLs, element ids and form field names only — never on CSS classes or wording.
"""

import re

import pytest

from .helpers import mail_link, wait_for_mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-Harbor-27"
COLLEAGUE_PASSWORD = "Teapot-Meadow-83"


def submit(page, form_selector: str) -> None:
    """Submit a form by its own submit button and wait for the next page to load."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def switch_language(page, code: str) -> None:
    """Pick a language in the footer switcher. Its script submits the form on change; without
    the script (or if it never navigates) we submit the form ourselves, as a no-JS user would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with page.expect_navigation(timeout=10_000):
            page.select_option("#language-select", code)
    except PlaywrightTimeout:
        with page.expect_navigation():
            page.locator("#language-select").evaluate("s => s.form.requestSubmit()")
    page.wait_for_load_state()
    lang = page.get_attribute("html", "lang") or ""
    assert lang.lower().startswith(code[:2]), f"<html lang={lang!r}> after choosing {code}"


def page_words(page) -> dict[str, str]:
    """The title and the visible text outside the language switcher (whose option names are
    the same in every language)."""
    text = page.evaluate(
        """() => {
            const body = document.body.cloneNode(true);
            body.querySelectorAll('#language-select').forEach(e => e.remove());
            return body.innerText;
        }"""
    )
    return {"title": page.title(), "text": re.sub(r"\s+", " ", text).strip()}


def visible_text(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("body")).strip()


def test_newcomer_registers_invites_switches_language_and_finds_customer(
    new_page, site, smtp_server, screenshots
):
    owner = new_page()

    # --- free registration as a supplier (M1) ---
    owner.goto("/accounts/register/")
    form = "form:has(input[name=company_name])"
    owner.fill("input[name=company_name]", "杭州西湖茶业有限公司")
    owner.check("input[name=member_type][value=supplier]", force=True)
    owner.fill("input[name=full_name]", "周小梅")
    owner.fill("input[name=email]", "xiaomei@xihutea.example.cn")
    owner.fill("input[name=password]", PASSWORD)
    owner.check("input[name=accept_terms]", force=True)
    screenshots(owner, "register-filled")
    submit(owner, form)
    assert owner.url.endswith("/accounts/register/sent/"), owner.url

    # --- the verification email arrives over SMTP; its link finishes the registration ---
    message = wait_for_mail(smtp_server, to="xiaomei@xihutea.example.cn")
    owner.goto(mail_link(message, "/accounts/register/verify/"))
    owner.wait_for_selector("#registration-success")
    assert "杭州西湖茶业有限公司" in visible_text(owner)
    screenshots(owner, "registration-success")

    # --- invite a colleague from the members page ---
    owner.goto("/accounts/members/")
    owner.fill("#invite-form input[name=invite-email]", "lei@xihutea.example.cn")
    owner.select_option("#invite-form select[name=invite-role]", "sales")
    submit(owner, "#invite-form")
    assert "lei@xihutea.example.cn" in visible_text(owner)  # listed as pending
    screenshots(owner, "invitation-sent")

    # --- the colleague accepts in a second browser (own cookies) as a new user ---
    invitation = wait_for_mail(smtp_server, to="lei@xihutea.example.cn")
    colleague = new_page()
    colleague.goto(mail_link(invitation, "/accounts/invitation/"))
    colleague.fill("input[name=full_name]", "吴磊")
    colleague.fill("input[name=password]", COLLEAGUE_PASSWORD)
    submit(colleague, "form:has(input[name=full_name])")
    colleague.goto("/")
    assert "杭州西湖茶业有限公司" in visible_text(colleague)
    assert colleague.locator("#company-switcher").count() == 1
    screenshots(colleague, "colleague-joined")

    owner.goto("/accounts/members/")
    assert "lei@xihutea.example.cn" in owner.inner_text("#members-table")

    # --- switch the interface to English and back to Chinese (X3) ---
    owner.goto("/customers/")
    assert owner.get_attribute("html", "lang").lower() == "zh-hans"
    chinese = page_words(owner)
    switch_language(owner, "en")
    assert owner.url.endswith("/customers/")
    english = page_words(owner)
    assert english["title"] != chinese["title"], f"title not translated: {english['title']!r}"
    assert english["text"] != chinese["text"], "the page text did not change in English"
    screenshots(owner, "english")
    switch_language(owner, "zh-hans")
    assert owner.get_attribute("html", "lang").lower() == "zh-hans"
    assert page_words(owner) == chinese
    screenshots(owner, "chinese-again")

    # --- add customers and find 张伟 by his initials (C1, search) ---
    for name, phone in [("张伟", "+86 138 0013 8000"), ("李娜", "+86 186 2000 3344")]:
        owner.goto("/customers/new/")
        owner.fill("input[name=name]", name)
        owner.fill("input[name=phone]", phone)
        submit(owner, "form:has(input[name=name])")
        assert re.search(r"/customers/\d+/$", owner.url), owner.url

    owner.goto("/customers/")
    owner.fill("input[name=q]", "zw")
    owner.press("input[name=q]", "Enter")
    owner.wait_for_load_state()
    screenshots(owner, "search-zw")
    table = owner.locator("#customer-table")
    table.get_by_text("张伟").wait_for()
    owner.wait_for_function(
        "() => !document.querySelector('#customer-table').innerText.includes('李娜')"
    )
    assert list(screenshots.directory.glob("*.png"))
