import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from shangyou.contacts import exporting, importing, selectors, services
from shangyou.contacts.importers.vcard import parse_vcards
from shangyou.contacts.models import Contact, Customer, ImportJob, Tag
from shangyou.core.errors import ValidationFailed
from shangyou.core.models import TaskProgress

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"

CSV_ZH = (
    "客户名称,类型,联系人,电话,邮箱,省份,城市,等级,标签\n"
    "上海恒通五金有限公司,公司,王经理,021-6888 1234,sales@hengtong.cn,上海,上海,,五金;重点\n"
    "张伟,个人,,+86 138 0013 8000,zhang.wei@example.cn,北京,北京,,\n"
    ",公司,,,,,,,\n"
    "李娜,个人,,13912345678,not-an-email,广东,广州,VIP,\n"
)


def commit(actor, job, **options):
    """Commit and run the queued task (the immediate backend runs it when the transaction
    commits; in a test that is simulated by executing the on-commit callbacks)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        importing.import_commit(actor=actor, job=job, **options)
    job.refresh_from_db()
    return job


def run(actor, filename, data, **options):
    job = importing.import_preview(actor=actor, filename=filename, data=data)
    return commit(actor, job, **options)


def test_preview_reports_rows_as_numbered_in_the_file(tenant):
    job = importing.import_preview(
        actor=tenant.actor(), filename="客户.csv", data=CSV_ZH.encode("gbk")
    )
    assert job.total_rows == 4 and job.valid_rows == 2
    errors = {e["row"]: e["messages"] for e in job.report["errors"]}
    assert set(errors) == {4, 5}
    assert "name is missing" in errors[4][0]
    assert any("not-an-email" in m for m in errors[5]) and any("VIP" in m for m in errors[5])
    assert Customer.objects.count() == 0  # a preview writes nothing


def test_invalid_rows_block_the_import_unless_skipped(tenant):
    actor = tenant.actor()
    job = importing.import_preview(actor=actor, filename="c.csv", data=CSV_ZH.encode("utf-8-sig"))
    with pytest.raises(ValidationFailed):
        importing.import_commit(actor=actor, job=job)
    assert Customer.objects.count() == 0
    commit(actor, job, skip_invalid=True)
    assert job.status == ImportJob.Status.DONE
    assert job.result == {"created": 2, "merged": 0, "skipped": 2}
    hengtong = Customer.objects.get(name="上海恒通五金有限公司")
    assert hengtong.kind == "company" and hengtong.province == "上海"
    assert sorted(hengtong.tags.values_list("name", flat=True)) == ["五金", "重点"]
    assert Contact.objects.get(customer=hengtong).name == "王经理"
    zhang = selectors.customer_list(actor=actor, q="zw").get()
    assert zhang.kind == "person" and zhang.owner_id == tenant.user().pk
    progress = TaskProgress.objects.get(pk=job.progress_id)
    assert progress.status == "done" and progress.done == 4


def test_duplicates_skip_merge_or_create(tenant):
    actor = tenant.actor()
    existing = services.customer_create(actor=actor, data={"name": "张伟", "phone": "13800138000"})
    data = (
        "Name,Phone,Email,City\n张伟,+86 138-0013-8000,zw@example.cn,北京\n"
        "王芳,139 0000 1111,,\n王芳,13900001111,,杭州\n"
    )
    job = importing.import_preview(actor=actor, filename="c.csv", data=data.encode())
    dups = {d["row"]: d for d in job.report["duplicates"]}
    assert dups[2]["existing_id"] == existing.pk and dups[2]["reasons"] == [
        "same name",
        "same phone",
    ]
    assert dups[4]["same_as_row"] == 3 and 3 not in dups
    job = run(actor, "c.csv", data.encode(), duplicate_default="merge")
    assert job.result == {"created": 1, "merged": 2, "skipped": 0}
    existing.refresh_from_db()
    assert existing.email == "zw@example.cn" and existing.city == "北京"
    assert Customer.objects.get(name="王芳").city == "杭州"  # second row merged into the first
    job = run(actor, "c.csv", data.encode(), duplicate_default="skip")
    assert job.result["skipped"] == 3 and Customer.objects.count() == 2


def test_customer_numbers_must_be_unique(tenant):
    actor = tenant.actor()
    services.customer_create(actor=actor, data={"name": "老客户", "code": "C001"})
    data = "客户编号,客户名称\nC001,甲\nC002,乙\nC002,丙\n".encode()
    job = importing.import_preview(actor=actor, filename="c.csv", data=data)
    errors = {e["row"]: e["messages"][0] for e in job.report["errors"]}
    assert set(errors) == {2, 4} and "C001" in errors[2] and "row 3" in errors[4]


def test_a_failing_import_changes_nothing(tenant, monkeypatch):
    """A write failing after the customers, audit entries and tag links are in (fault injected
    in the contacts' batch) rolls the whole import back: no customer, contact, tag or audit
    entry is left; a retry imports every row once."""
    from shangyou.contacts.importing import writing
    from shangyou.core.models import AuditEntry

    actor = tenant.actor()
    audit_before = AuditEntry.objects.count()
    rows = "".join(f"客户{i},1390000{i:04d},联系人{i},标签{i % 3}\n" for i in range(1500))
    data = ("客户名称,电话,联系人,标签\n" + rows).encode()
    job = importing.import_preview(actor=actor, filename="c.csv", data=data)
    importing.import_commit(actor=actor, job=job)  # queued; run below, in the foreground
    original = writing.CustomerWriter.write_contacts
    written = {}

    def failing_write_contacts(self, rows):
        written["customers"] = Customer.objects.count()
        original(self, list(rows)[:700])  # half of them go in, then the disk is full
        written["contacts"] = Contact.objects.count()
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing.CustomerWriter, "write_contacts", failing_write_contacts)
    with pytest.raises(RuntimeError):
        importing.import_run(job_id=job.pk)
    assert written == {"customers": 1500, "contacts": 700}  # the failure came mid-way
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.result["error"]
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    assert Tag.objects.count() == 0 and AuditEntry.objects.count() == audit_before
    assert TaskProgress.objects.get(pk=job.progress_id).status == "failed"
    monkeypatch.undo()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    assert importing.import_run(job_id=job.pk)["created"] == 1500  # a retry imports once
    assert importing.import_run(job_id=job.pk)["created"] == 1500
    assert Customer.objects.count() == 1500 and Contact.objects.count() == 1500


def test_xlsx_import_with_english_headers(tenant):
    wb = Workbook()
    ws = wb.active
    ws.append(["Customer Name", "Type", "Mobile", "Email", "Province", "City", "Owner"])
    ws.append(
        [
            "Acme Trading Co., Ltd.",
            "company",
            13800001111,
            "buyer@acme.com",
            "浙江",
            "宁波",
            "sales@co1.test",
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    actor = tenant.actor()
    owner_email = tenant.user("sales").email
    data = (
        buffer.getvalue().replace(b"sales@co1.test", owner_email.encode())
        if False
        else buffer.getvalue()
    )
    ws.cell(row=2, column=7, value=owner_email)
    buffer = io.BytesIO()
    wb.save(buffer)
    job = run(actor, "customers.xlsx", buffer.getvalue())
    acme = Customer.objects.get(name="Acme Trading Co., Ltd.")
    assert acme.phone == "13800001111" and acme.owner_id == tenant.user("sales").pk
    assert acme.team_id == tenant.team_a.pk and job.result["created"] == 1
    del data


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.vcf")), ids=lambda p: p.name)
def test_every_real_vcard_file_imports(tenant, path):
    actor = tenant.actor()
    data = path.read_bytes()
    cards = parse_vcards(data).cards
    job = importing.import_preview(actor=actor, filename=path.name, data=data)
    assert job.report["error_count"] == 0, job.report["errors"]
    commit(actor, job, duplicate_default="create")
    assert job.status == ImportJob.Status.DONE
    assert job.result["created"] == len(cards)
    for card in cards:
        name = card.organisation if (card.organisation and card.full_name) else card.display_name
        assert Customer.objects.filter(name=name).exists(), name


def test_unmapped_vcard_data_is_reported(tenant):
    job = importing.import_preview(
        actor=tenant.actor(), filename="o.vcf", data=(FIXTURES / "outlook-2007.vcf").read_bytes()
    )
    assert any("X-MS-OL" in p for p in job.report["problems"])


def test_export_neutralises_formulas_and_round_trips(tenant):
    actor = tenant.actor()
    services.customer_create(
        actor=actor, data={"name": '=HYPERLINK("http://evil")', "notes": "+1 call", "city": "上海"}
    )
    services.customer_create(actor=actor, data={"name": "张伟", "phone": "+86 138 0013 8000"})
    customers = selectors.customer_list(actor=actor, sort="name")
    text = "".join(exporting.export_csv(customers))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    workbook = load_workbook(io.BytesIO(exporting.export_xlsx(customers)))
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert '\'=HYPERLINK("http://evil")' in [c.value for c in cells]
    cards = parse_vcards(exporting.export_vcf(customers)).cards
    assert {c.full_name for c in cards} >= {"张伟"}
    # the CSV imports back: every column is understood, every value comes back
    preview = importing.import_preview(actor=actor, filename="e.csv", data=text.encode())
    assert preview.report["error_count"] == 0, preview.report["errors"]
    job = run(actor, "export.csv", text.encode("utf-8"), duplicate_default="create")
    copies = Customer.objects.filter(name="张伟", phone="+86 138 0013 8000")
    assert copies.count() == 2 and {c.owner_id for c in copies} == {tenant.user().pk}
    assert job.result["created"] == 2


def test_cli_import_reports_bad_rows_and_exports(tenant, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_ZH, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("import", "customers", str(bad), "--company", tenant.company.slug, "--dry-run")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "row 4:" in err and "row 5:" in err
    call_command(
        "import", "customers", str(bad), "--company", tenant.company.slug, "--skip-invalid"
    )
    assert Customer.objects.filter(company=tenant.company).count() == 2
    out = tmp_path / "out.xlsx"
    call_command(
        "export", "customers", "--company", tenant.company.slug, "--format", "xlsx", "-o", str(out)
    )
    assert load_workbook(out).active.max_row == 3


def test_import_and_export_through_the_api(tenant):
    api = tenant.api()
    upload = io.BytesIO(CSV_ZH.encode("gbk"))
    upload.name = "客户.csv"
    response = api.post("/api/v1/imports", {"file": upload})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["total_rows"] == 4 and {e["row"] for e in job["report"]["errors"]} == {4, 5}
    refused = api.post(f"/api/v1/imports/{job['id']}/commit", {}, content_type="application/json")
    assert refused.status_code == 422
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        accepted = api.post(
            f"/api/v1/imports/{job['id']}/commit",
            {"skip_invalid": True},
            content_type="application/json",
        )
    assert accepted.status_code == 202
    progress = api.get(f"/api/v1/jobs/{accepted.json()['progress_id']}").json()
    assert progress["status"] == "done" and progress["done"] == 4
    export = api.get("/api/v1/customers-export?format=csv&province=上海")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "上海恒通五金有限公司" in text and "张伟" not in text
    vcf = api.get("/api/v1/customers-export?format=vcf")
    assert {c.full_name for c in parse_vcards(vcf.content).cards} >= {"张伟", "王经理"}
