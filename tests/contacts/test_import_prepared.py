"""The preview's validated rows are kept next to the upload and applied by the run — only while
they still fit the upload and the company; big files are validated in worker processes with the
same result; merges follow the file's order."""

import json

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.utils import translation

from shangyou.accounts.models import Membership
from shangyou.contacts import importing, services
from shangyou.contacts.importing import jobs, prepared, rows
from shangyou.contacts.models import Contact, Customer, Grade, ImportJob, Tag
from shangyou.core.errors import ValidationFailed
from shangyou.core.models import AuditEntry

CSV = (
    "客户编号,客户名称,类型,联系人,职位,电话,邮箱,城市,来源,标签,微信,生日\n"
    "C-1,上海恒通五金有限公司,公司,王经理,采购经理,021-6888 1234,Sales@HengTong.cn,上海,展会,"
    "五金;重点,wx_wang,2001-05-04\n"
    ",长沙银行,公司,,,0731-8888 0000,,长沙,朋友介绍,,,\n"
    ",张伟,个人,,,+86 138 0013 8000,zhang.wei@example.cn,北京,,VIP,,1990-01-02\n"
    ",Acme Trading Co.，Ltd.,company,John Smith,Buyer,+1 415 555 0100,buyer@acme.com,,,,,\n"
    ",ＺＨＡＮＧ Ｌｉ,个人,,,,li@example.cn,,,,qq:12345,\n"
)


def preview(actor, data: str = CSV, filename: str = "c.csv") -> ImportJob:
    return importing.import_preview(actor=actor, filename=filename, data=data.encode())


def run(actor, job, **options) -> ImportJob:
    importing.import_commit(actor=actor, job=job, **options)  # queued: run here instead
    importing.import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def prepared_name(job) -> str:
    return job.file.name + prepared.SUFFIX


def test_the_run_applies_the_previews_rows_without_reading_the_file_again(tenant, monkeypatch):
    actor = tenant.actor()
    job = preview(actor)
    assert job.file.storage.exists(prepared_name(job))

    def no_second_reading(**kwargs):
        raise AssertionError("the run read the upload again")

    monkeypatch.setattr(jobs, "parse_upload", no_second_reading)
    job = run(actor, job)
    assert job.status == ImportJob.Status.DONE and job.result["created"] == 5
    assert not job.file.storage.exists(prepared_name(job))  # done: no longer needed
    hengtong = Customer.objects.get(code="C-1")
    assert hengtong.email == "sales@hengtong.cn" and hengtong.source == "exhibition"
    assert hengtong.founded_on.isoformat() == "2001-05-04"
    assert sorted(hengtong.tags.values_list("name", flat=True)) == ["五金", "重点"]
    contact = hengtong.contacts.get()
    assert (contact.name, contact.title, contact.wechat, contact.is_primary) == (
        "王经理",
        "采购经理",
        "wx_wang",
        True,
    )
    bank = Customer.objects.get(name="长沙银行")
    assert bank.source == "other" and "朋友介绍" in bank.notes
    assert Customer.objects.get(name="张伟").birthday.isoformat() == "1990-01-02"
    created = AuditEntry.objects.filter(
        company=tenant.company, action=AuditEntry.Action.CREATE, note="Imported from c.csv"
    )
    assert sorted(created.values_list("object_repr", flat=True)) == sorted(
        Customer.objects.values_list("name", flat=True)
    )


def test_imported_search_columns_and_keys_are_what_refresh_search_gives(tenant):
    actor = tenant.actor()
    run(actor, preview(actor))
    for record in [*Customer.objects.all(), *Contact.objects.all()]:
        stored = (record.search_text, record.search_grams, getattr(record, "dedup_name", None))
        record.refresh_search()
        assert stored == (
            record.search_text,
            record.search_grams,
            getattr(record, "dedup_name", None),
        ), record.name
    for customer in Customer.objects.all():
        stored = (customer.dedup_phone, customer.dedup_email)
        customer.refresh_search()
        assert stored == (customer.dedup_phone, customer.dedup_email)
    assert Customer.objects.filter(search_text__contains="csyh").get().name == "长沙银行"


def test_a_member_gone_since_the_preview_makes_the_run_validate_again(tenant):
    """The prepared rows name the salesperson as owner; the run finds her no longer a member,
    reads the file again and refuses the now invalid row: nothing is imported."""
    actor = tenant.actor()
    sales = tenant.user("sales")
    job = preview(actor, f"客户名称,负责人\n甲,{sales.email}\n乙,\n")
    assert job.report["error_count"] == 0
    Membership.objects.filter(user=sales, company=tenant.company).update(is_active=False)
    with pytest.raises(ValidationFailed):
        run(actor, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and Customer.objects.count() == 0


def test_a_replaced_upload_is_read_again(tenant):
    actor = tenant.actor()
    job = preview(actor, "客户名称\n甲\n")
    with job.file.storage.open(job.file.name, "wb") as handle:
        handle.write("客户名称\n乙\n".encode())
    assert run(actor, job).result["created"] == 1
    assert list(Customer.objects.values_list("name", flat=True)) == ["乙"]


def test_prepared_rows_naming_another_companys_grade_are_not_trusted(tenant, other_tenant):
    actor = tenant.actor()
    theirs = Grade.objects.create(company=other_tenant.company, code="VIP", name="VIP")
    job = preview(actor, "客户名称\n甲\n")
    storage, name = job.file.storage, prepared_name(job)
    with storage.open(name, "rb") as handle:
        header, line, end = handle.read().decode().splitlines()
    row = json.loads(line)
    row[4] = theirs.pk  # grade_id
    storage.delete(name)
    storage.save(name, _content("\n".join([header, json.dumps(row), end, ""])))
    assert run(actor, job).result["created"] == 1
    assert Customer.objects.get(name="甲").grade_id is None


def test_a_prepared_file_cut_short_is_not_taken_for_a_shorter_file(tenant):
    actor = tenant.actor()
    job = preview(actor, "客户名称\n甲\n乙\n丙\n")
    storage, name = job.file.storage, prepared_name(job)
    with storage.open(name, "rb") as handle:
        lines = handle.read().decode().splitlines()
    assert len(lines) == 5 and json.loads(lines[-1]) == {"rows": 3}
    storage.delete(name)
    storage.save(name, _content("\n".join(lines[:3]) + "\n"))  # header and two rows
    assert run(actor, job).result["created"] == 3
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["丙", "乙", "甲"]


def _content(text: str):
    from django.core.files.base import ContentFile

    return ContentFile(text.encode())


def test_a_customer_number_taken_since_the_preview_is_refused(tenant):
    actor = tenant.actor()
    job = preview(actor, "客户编号,客户名称\nC9,甲\nC10,乙\n")
    services.customer_create(actor=actor, data={"name": "老客户", "code": "C9"})
    with pytest.raises(ValidationFailed):
        run(actor, job)
    assert Customer.objects.count() == 1
    job = preview(actor, "客户编号,客户名称\nC11,丙\nC12,丁\n")
    services.customer_create(actor=actor, data={"name": "又一个", "code": "C12"})
    assert run(actor, job, skip_invalid=True).result == {"created": 1, "merged": 0, "skipped": 1}


def test_a_duplicate_made_since_the_preview_is_found_by_the_run(tenant):
    actor = tenant.actor()
    job = preview(actor, "客户名称,电话\n甲,13900001111\n乙,13900002222\n")
    assert job.report["duplicate_count"] == 0
    services.customer_create(actor=actor, data={"name": "丙", "phone": "139 0000 2222"})
    assert run(actor, job).result == {"created": 1, "merged": 0, "skipped": 1}


def test_merges_follow_the_file_order_into_existing_and_new_customers(tenant):
    actor = tenant.actor()
    zhang = services.customer_create(actor=actor, data={"name": "张伟", "phone": "13800138000"})
    data = (
        "客户名称,电话,邮箱,城市,联系人,标签\n"
        "张伟,+86 138 0013 8000,,北京,,老客户\n"  # row 2 → existing 张伟
        "王芳,139 0000 1111,,,,A\n"  # row 3: new
        "王芳,13900001111,,杭州,李四,B\n"  # row 4 → row 3
        "王芳,,wf@example.cn,上海,,\n"  # row 5 → row 3 (same name); the city is taken
    )
    job = run(actor, preview(actor, data), duplicate_default="merge")
    assert job.result == {"created": 1, "merged": 3, "skipped": 0}
    zhang.refresh_from_db()
    assert zhang.city == "北京" and list(zhang.tags.values_list("name", flat=True)) == ["老客户"]
    wang = Customer.objects.get(name="王芳")
    assert (wang.city, wang.email, wang.version) == ("杭州", "wf@example.cn", 3)
    assert sorted(wang.tags.values_list("name", flat=True)) == ["A", "B"]
    assert list(wang.contacts.values_list("name", flat=True)) == ["李四"]
    assert "wf@example.cn" in wang.search_text
    notes = AuditEntry.objects.filter(object_id=str(wang.pk), action=AuditEntry.Action.UPDATE)
    assert sorted(notes.values_list("note", flat=True)) == [
        f"Merged from {job.filename} row 4",
        f"Merged from {job.filename} row 5",
    ]


BIG = "客户编号,客户名称,类型,联系人,电话,邮箱,来源,标签,等级\n" + "".join(
    f"{f'C{i % 30}' if i % 4 == 0 else ''},"
    f"{['恒通五金有限公司', '张伟', '长沙银行', 'Acme Co.', ''][i % 5]}{i // 7},"
    f"{['公司', '个人', '', 'x'][i % 4]},联系人{i % 11},1390000{i % 50:04d},"
    f"{'bad-email' if i % 13 == 0 else f'u{i}@example.cn'},{['展会', '朋友', ''][i % 3]},"
    f"标签{i % 3};VIP,{'A' if i % 9 == 0 else ''}\n"
    for i in range(120)
)


def test_worker_processes_validate_big_files_as_this_process_does(tenant, monkeypatch):
    actor = tenant.actor()
    Grade.objects.create(company=tenant.company, code="A", name="A 级")
    with translation.override("zh-hans"):
        alone = preview(actor, BIG, "one.csv")
        alone_rows = importing.parse_upload(actor=actor, filename="b.csv", data=BIG.encode())
        monkeypatch.setattr(rows, "PARALLEL_FROM", 50)
        monkeypatch.setattr(rows, "CHUNK_ROWS", 17)
        monkeypatch.setattr(rows, "_workers", lambda: 2)
        together = preview(actor, BIG, "two.csv")
        together_rows = importing.parse_upload(actor=actor, filename="b.csv", data=BIG.encode())
    assert [r.dump() for r in together_rows.rows] == [r.dump() for r in alone_rows.rows]
    assert together.report == alone.report
    assert alone.report["error_count"] > 10 and alone.report["duplicate_count"] > 10
    assert any("不是" in m for e in alone.report["errors"] for m in e["messages"])  # zh-hans
    storage = alone.file.storage
    with storage.open(prepared_name(alone)) as a, storage.open(prepared_name(together)) as b:
        assert a.read() == b.read()
    assert run(actor, together, skip_invalid=True).result["created"] > 0


def test_an_import_stays_in_its_company(tenant, other_tenant):
    """The same file previewed by two companies: each run writes only its own company's rows,
    and a duplicate in the other company is not one."""
    services.customer_create(actor=other_tenant.actor(), data={"name": "张伟"})
    for t in (tenant, other_tenant):
        actor = t.actor()
        job = preview(actor, "客户名称\n张伟\n")
        with TestCase.captureOnCommitCallbacks(execute=True):
            importing.import_commit(actor=actor, job=job)
        job.refresh_from_db()
        assert job.result["created"] == (1 if t is tenant else 0)
    assert Customer.objects.filter(company=tenant.company).count() == 1
    assert Customer.objects.filter(company=other_tenant.company).count() == 1


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_written(tenant):
    """Values pass the bulk path unchanged (COPY's escapes on PostgreSQL), including a note
    the import itself adds on a line of its own."""
    actor = tenant.actor()
    data = (
        "客户名称,地址,备注,来源,联系人,微信\n"
        '"甲\\乙\t公司","一路\\n1号\r\n二楼","第一行\n第二行 \\N",朋友,"王\t五",wx\\1\n'
    )
    job = run(actor, preview(actor, data))
    assert job.result["created"] == 1
    customer = Customer.objects.get()
    assert customer.name == "甲\\乙\t公司"
    assert customer.address == "一路\\n1号\r\n二楼"
    assert customer.notes == "第一行\n第二行 \\N\nSource: 朋友"
    contact = customer.contacts.get()
    assert (contact.name, contact.wechat) == ("王\t五", "wx\\1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
@pytest.mark.django_db(transaction=True)
def test_foreign_key_triggers_are_skipped_only_with_every_reference_locked(tenant):
    """The bulk write skips the per-row foreign-key triggers only after it has locked every
    existing row the new rows name (no one can delete them before the import commits); a
    reference to a missing row leaves the triggers on."""
    from django.db import OperationalError, connections

    from shangyou.core.bulk import references_locked

    def role() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            return cursor.fetchone()[0]

    grade = Grade.objects.create(company=tenant.company, code="A", name="A")
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            with references_locked([(Grade, {grade.pk}), (Tag, set())]):
                assert role() == "replica"
                with other.cursor() as cursor, pytest.raises(OperationalError):
                    cursor.execute(
                        "SELECT id FROM contacts_grade WHERE id = %s FOR UPDATE NOWAIT", [grade.pk]
                    )
            assert role() == "origin"
            with references_locked([(Grade, {grade.pk, grade.pk + 1000})]):
                assert role() == "origin"
    finally:
        other.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN pending lists")
@pytest.mark.django_db(transaction=True)
def test_a_big_import_merges_the_search_indexes_beside_its_inserts(tenant, monkeypatch):
    """From CONCURRENT_MERGE_FROM new rows, a second connection merges the search indexes'
    pending lists while the rows go in (the import's own limit is never reached, so it would
    merge nothing itself); the import's result and its searches are those of any import."""
    from shangyou.contacts.importing import writing
    from shangyou.core.search import search_filter

    mergers = []

    class Recorded(writing.SearchIndexMerger):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            mergers.append(self)

    monkeypatch.setattr(writing, "SearchIndexMerger", Recorded)
    monkeypatch.setattr(writing, "CONCURRENT_MERGE_FROM", 100)
    actor = tenant.actor()
    data = "客户名称,联系人,电话\n" + "".join(
        f"恒通{i}号五金有限公司,王{i}号,0731-8{i:06d}\n" for i in range(300)
    )
    job = run(actor, preview(actor, data))
    assert job.result["created"] == 300
    [merger] = mergers
    assert merger.error is None
    assert merger.merged_pages > 0  # the other connection did the merging
    assert merger._thread is not None and not merger._thread.is_alive()
    customers = Customer.objects.filter(company=tenant.company)
    assert search_filter(customers, "恒通123号").get().name == "恒通123号五金有限公司"
    assert search_filter(customers, "0731-8000042").get().name == "恒通42号五金有限公司"
    assert search_filter(customers, "hengtong").count() == 300
    contacts = Contact.objects.filter(company=tenant.company)
    assert search_filter(contacts, "王7号").get().customer.name == "恒通7号五金有限公司"


def test_the_concurrent_merge_is_left_out_below_its_threshold(tenant, monkeypatch):
    from shangyou.contacts.importing import writing

    def refused(*args, **kwargs):
        raise AssertionError("a merger for a small import")

    monkeypatch.setattr(writing, "SearchIndexMerger", refused)
    actor = tenant.actor()
    assert run(actor, preview(actor)).result["created"] == 5
