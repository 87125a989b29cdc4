"""A salesperson's day with customers (C1–C9), in Chinese and in English: find a customer by
pinyin initials, create one (and see the duplicate warning), import a CSV with a bad row, tag
and grade, log a call and plan a follow-up, merge two look-alikes and undo, export CSV.

Relies on URLs, element ids and form field names — never on CSS classes or wording.
"""

import re

import pytest

from shangyou.contacts import services
from shangyou.contacts.grading import grade_create
from shangyou.contacts.models import Customer, Task, TimelineEntry
from tests.conftest import PASSWORD
from tests.contacts.factories import CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "客户名称,电话,邮箱,城市\n"
    "杭州西湖茶业有限公司,0571-8888 0001,tea@xihu.example.cn,杭州\n"
    "宁波港口物流,0574-8888 0002,not-an-email,宁波\n"
    "温州鞋业,0577-8888 0003,shoes@wz.example.cn,温州\n"
)


def submit(page, form_selector: str, button: str = "button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator(button).first.click()


def login(page, user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    page.goto("/accounts/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=password])")
    page.goto("/customers/")
    lang = (page.get_attribute("html", "lang") or "").lower()
    assert lang.startswith(language[:2]), lang


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_salesperson_works_with_customers(new_page, site, tenant, screenshots, language):
    owner, sales = tenant.actor("owner"), tenant.actor("sales")
    grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    services.tag_get_or_create(actor=owner, name="重点")
    zhang = CustomerFactory(actor=sales, name="张伟", phone="13800138000", stage="prospect")
    CustomerFactory(actor=sales, name="李娜", phone="18620003344")
    survivor = CustomerFactory(actor=sales, name="上海恒通五金", phone="021-6888 1234")
    CustomerFactory(actor=sales, name="上海恒通五金有限公司", email="sales@hengtong.cn")

    page = new_page("zh-CN" if language == "zh-hans" else "en-US")
    login(page, tenant.user("sales"), language)
    shot = lambda name: screenshots(page, f"{language}-{name}")  # noqa: E731

    # --- find a customer by pinyin initials (live search) ---
    page.fill("#customer-q", "zw")
    page.wait_for_function(
        "() => !document.querySelector('#customers-table').innerText.includes('李娜')"
    )
    assert "张伟" in page.inner_text("#customers-table")
    shot("search-zw")

    # --- create one: re-entering an existing phone shows the duplicate warning ---
    page.goto("/customers/new/")
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=phone]", "138 0013 8000")
    page.wait_for_selector("#duplicate-warning")
    assert "张伟" in page.inner_text("#duplicate-warning")
    shot("duplicate-warning")
    submit(page, "#customer-form")
    page.wait_for_selector("#allow-duplicate")
    page.check("input[name=allow_duplicate]")
    submit(page, "#customer-form")
    assert re.search(r"/customers/\d+/$", page.url), page.url
    assert Customer.objects.filter(name="王芳").exists()

    # --- import a CSV with a bad row: see its row number, skip it, wait for the end ---
    page.goto("/customers/import/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    submit(page, "#import-form")
    errors = page.locator("#import-errors tr[data-row]")
    assert errors.count() == 1 and errors.first.get_attribute("data-row") == "3"
    shot("import-preview")
    page.check("#skip-invalid")
    submit(page, "#import-commit-form")
    page.wait_for_selector("#import-done")
    shot("import-done")
    assert Customer.objects.filter(name="温州鞋业").exists()
    assert not Customer.objects.filter(name="宁波港口物流").exists()

    # --- tag and grade a customer from the list ---
    page.goto("/customers/?q=zw")
    page.check(f"#customer-row-{zhang.pk} input[name=ids]")
    submit(page, "#bulk-form", "#bulk-tag")
    page.check(f"#customer-row-{zhang.pk} input[name=ids]")
    submit(page, "#bulk-form", "#bulk-grade")
    zhang.refresh_from_db()
    assert [t.name for t in zhang.tags.all()] == ["重点"] and zhang.grade.code == "VIP"
    shot("tagged-graded")

    # --- log a call and add a follow-up task ---
    page.goto(f"/customers/{zhang.pk}/")
    page.select_option("#timeline-form select[name=kind]", "call")
    page.fill("#timeline-form input[name=subject]", "确认交期 / delivery date")
    page.click("#timeline-submit")
    page.locator("#timeline-entries").get_by_text("确认交期 / delivery date").wait_for()
    assert TimelineEntry.objects.filter(customer=zhang, kind="call").exists()
    shot("call-logged")
    page.click("a[href='#tab-tasks']")
    with page.expect_navigation():
        page.click("#add-task")
    page.fill("input[name=title]", "回访报价 / follow up")
    page.select_option("select[name=kind]", "call")
    submit(page, "form:has(input[name=title])")
    page.click("a[href='#tab-tasks']")
    page.locator("#open-tasks").get_by_text("回访报价 / follow up").wait_for()
    assert Task.objects.filter(customer=zhang, done_at__isnull=True).exists()
    shot("customer-360")

    # --- merge two look-alikes, then undo ---
    page.goto(f"/customers/{survivor.pk}/merge/")
    with page.expect_navigation():
        page.locator("#merge-suggestions a").first.click()
    shot("merge-side-by-side")
    page.check("input[name=name][value=merged]")
    submit(page, "#merge-form", "#merge-submit")
    page.wait_for_selector("#merge-done")
    survivor.refresh_from_db()
    assert survivor.name == "上海恒通五金有限公司" and survivor.email == "sales@hengtong.cn"
    shot("merged")
    submit(page, "#merge-done form", "#undo-merge")
    survivor.refresh_from_db()
    assert survivor.name == "上海恒通五金" and survivor.email == ""
    assert Customer.objects.filter(name="上海恒通五金有限公司").exists()
    shot("merge-undone")

    # --- export the list as CSV ---
    page.goto("/customers/")
    page.click("#export-menu")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename.endswith(".csv")
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "张伟" in content and "温州鞋业" in content

    # --- kanban ---
    page.goto("/customers/kanban/")
    page.wait_for_selector(f"#card-{zhang.pk}")
    shot("kanban")
