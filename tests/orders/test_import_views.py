"""The order import through the pages (upload → preview → commit → progress → result), the
API and the `shangyou import orders` command."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from shangyou.orders.models import OrderImportJob, SalesOrder
from tests.orders.import_fixtures import ZH, csv_bytes, make_history

GOOD = "订单号,客户,日期,产品,数量,单价,金额\nA-1,甲公司,2025-03-01,阀门,2,10.00,20.00\n"
BAD = GOOD + "A-2,甲公司,2025-03-02,阀门,x,10.00,20.00\n"


def upload(client, data: str, name: str = "orders.csv"):
    return client.post("/orders/import/", {"file": SimpleUploadedFile(name, data.encode("utf-8"))})


# --- pages ----------------------------------------------------------------------------------------
def test_the_flow_preview_commit_progress_result(tenant):
    client = tenant.client("owner")
    response = upload(client, BAD)
    job = OrderImportJob.objects.get(company=tenant.company)
    assert response.status_code == 302 and response.url == f"/orders/import/{job.pk}/"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="order-import-errors"' in html and 'data-row="3"' in html
    assert 'id="missing-customers"' in html and "甲公司" in html
    assert 'name="create_missing"' in html and 'name="skip_invalid"' in html

    refused = client.post(f"/orders/import/{job.pk}/commit/", {"create_missing": "1"}, follow=True)
    assert "have rows with errors" in refused.content.decode()
    assert not SalesOrder.objects.filter(company=tenant.company).exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            f"/orders/import/{job.pk}/commit/", {"create_missing": "1", "skip_invalid": "1"}
        )
    job.refresh_from_db()
    assert job.status == OrderImportJob.Status.DONE
    done = client.get(f"/orders/import/{job.pk}/").content.decode()
    assert 'id="order-import-done"' in done and 'id="order-import-totals"' in done
    assert "20.00" in done and "job-" in done  # the progress card
    status = client.get(f"/orders/import/{job.pk}/status/")
    assert b"order-import-done" in status.content
    assert SalesOrder.objects.filter(company=tenant.company).count() == 1


def test_the_upload_page_in_chinese_and_english(tenant):
    client = tenant.client("owner")
    zh = client.get("/orders/import/", headers={"accept-language": "zh-hans"})
    en = client.get("/orders/import/", headers={"accept-language": "en"})
    assert zh.status_code == en.status_code == 200
    assert "订单号 / Order number" in en.content.decode()
    assert (
        client.get("/orders/import/template.csv")
        .content.decode("utf-8-sig")
        .startswith("订单号 (Order number)")
    )


def test_an_unreadable_file_is_shown_on_the_form(tenant):
    response = upload(tenant.client("owner"), "订单号,客户\nA-1,甲\n")
    assert response.status_code == 200
    assert "no column for" in response.content.decode()


def test_cancel_drops_a_previewed_import(tenant):
    client = tenant.client("owner")
    upload(client, GOOD)
    job = OrderImportJob.objects.get(company=tenant.company)
    client.post(f"/orders/import/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == OrderImportJob.Status.CANCELLED


def test_another_companys_import_is_not_found(tenant, other_tenant):
    upload(tenant.client("owner"), GOOD)
    job = OrderImportJob.objects.get(company=tenant.company)
    assert other_tenant.client("owner").get(f"/orders/import/{job.pk}/").status_code == 404


# --- API ------------------------------------------------------------------------------------------
def test_the_api_previews_commits_and_reports_totals(tenant, other_tenant):
    api = tenant.api("owner")
    response = api.post(
        "/api/v1/order-imports", {"file": SimpleUploadedFile("o.csv", GOOD.encode())}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["report"]["missing_customer_count"] == 1
    assert body["report"]["file_totals"] == {"CNY": "20.00"}
    refused = api.post(
        f"/api/v1/order-imports/{body['id']}/commit", {}, content_type="application/json"
    )
    assert refused.status_code == 422
    with TestCase.captureOnCommitCallbacks(execute=True):
        committed = api.post(
            f"/api/v1/order-imports/{body['id']}/commit",
            {"create_missing": True},
            content_type="application/json",
        )
    assert committed.status_code == 202 and committed.json()["progress_id"]
    done = api.get(f"/api/v1/order-imports/{body['id']}").json()
    assert done["status"] == "done"
    assert done["result"]["imported_totals"] == {"CNY": "20.00"}
    assert "membership_id" not in done["options"]
    assert other_tenant.api("owner").get(f"/api/v1/order-imports/{body['id']}").status_code == 404


# --- command --------------------------------------------------------------------------------------
def test_the_command_imports_a_history(tenant, tmp_path, capsys):
    history = make_history(seed=9, lines=300)
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes(ZH, history.rows, "gbk"))
    call_command(
        "import", "orders", str(path), "--company", tenant.company.slug, "--create-missing"
    )
    out = capsys.readouterr().out
    assert f"imported total CNY {history.total}" in out
    assert f"file total CNY {history.total}" in out
    assert SalesOrder.objects.filter(company=tenant.company).count() == len(history.order_totals)


def test_the_command_reports_rows_and_fails_without_importing(tenant, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import", "orders", str(path), "--company", tenant.company.slug)
    err = capsys.readouterr().err
    assert "row 3:" in err and "is not a number" in err
    assert "row 2: customer 甲公司: not found" in err
    assert not SalesOrder.objects.filter(company=tenant.company).exists()


def test_the_command_dry_run_exits_1_on_problems_and_skip_invalid_imports_the_rest(
    tenant, tmp_path
):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    slug = tenant.company.slug
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "orders", str(path), "--company", slug, "--dry-run")
    assert exit_info.value.code == 1
    assert not SalesOrder.objects.filter(company=tenant.company).exists()
    call_command(
        "import", "orders", str(path), "--company", slug, "--create-missing", "--skip-invalid"
    )
    assert list(
        SalesOrder.objects.filter(company=tenant.company).values_list("number", flat=True)
    ) == ["A-1"]


def test_rows_without_an_order_number_can_be_skipped_from_the_preview(tenant):
    client = tenant.client("owner")
    upload(client, GOOD + ",甲公司,2025-03-02,阀门,1,10.00,10.00\n")
    job = OrderImportJob.objects.get(company=tenant.company)
    html = client.get(f"/orders/import/{job.pk}/").content.decode()
    assert 'data-row="3"' in html and 'name="skip_invalid"' in html

    refused = client.post(f"/orders/import/{job.pk}/commit/", {"create_missing": "1"}, follow=True)
    assert "1 rows have no order number" in refused.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            f"/orders/import/{job.pk}/commit/", {"create_missing": "1", "skip_invalid": "1"}
        )
    job.refresh_from_db()
    assert job.status == OrderImportJob.Status.DONE
    assert list(
        SalesOrder.objects.filter(company=tenant.company).values_list("number", flat=True)
    ) == ["A-1"]
