from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from shangyou.contacts import documents, schedule, services, timeline
from shangyou.contacts.models import Customer, Document, Task, TimelineEntry
from shangyou.core.errors import NotFound, ValidationFailed


@pytest.fixture
def customer(tenant):
    return services.customer_create(
        actor=tenant.actor("sales"),
        data={"name": "张伟", "email": "zhang.wei@example.cn", "stage": "customer"},
    )


def test_timeline_keeps_every_kind_in_one_list(tenant, customer):
    actor = tenant.actor("sales")
    timeline.timeline_log(actor=actor, customer=customer, kind="call", subject="电话沟通报价")
    timeline.timeline_log(actor=actor, customer=customer, kind="note", body="客户关注交期")
    schedule.task_create(
        actor=actor, customer=customer, data={"title": "发送样品", "due_at": timezone.now()}
    )
    entries = timeline.timeline_list(actor=actor, customer=customer)
    assert [e.kind for e in entries] == ["task", "note", "call"]
    calls = timeline.timeline_list(actor=actor, customer=customer, kinds=["call"])
    assert [e.subject for e in calls] == ["电话沟通报价"]
    customer.refresh_from_db()
    assert customer.last_contacted_at is not None  # a call counts as contact; a note does not


def test_empty_timeline_entry_is_refused(tenant, customer):
    with pytest.raises(ValidationFailed):
        timeline.timeline_log(actor=tenant.actor("sales"), customer=customer, kind="note")


def test_email_from_the_record_goes_over_smtp_and_onto_the_timeline(tenant, customer, smtp_server):
    entry = timeline.customer_email_send(
        actor=tenant.actor("sales"), customer=customer, to="", subject="报价单", body="请查收附件。"
    )
    assert entry.kind == TimelineEntry.Kind.EMAIL_OUT
    assert smtp_server.messages[0]["To"] == "zhang.wei@example.cn"
    assert "请查收附件" in smtp_server.bodies()[0]


def test_opted_out_customer_gets_no_email(tenant, customer):
    customer = services.customer_update(
        actor=tenant.actor("sales"),
        customer=customer,
        data={"consent_email": False},
        version=customer.version,
    )
    with pytest.raises(ValidationFailed):
        timeline.customer_email_send(
            actor=tenant.actor("sales"), customer=customer, to="", subject="促销", body="..."
        )


def test_reminder_is_emailed_once_when_due(tenant, customer, smtp_server):
    now = timezone.now()
    schedule.task_create(
        actor=tenant.actor("sales"),
        customer=customer,
        data={
            "title": "回访张伟",
            "due_at": now + timedelta(hours=1),
            "remind_at": now - timedelta(minutes=1),
        },
    )
    schedule.task_create(
        actor=tenant.actor("sales"), data={"title": "以后再说", "due_at": now + timedelta(days=3)}
    )
    assert schedule.reminders_send(now=now) == 1
    assert schedule.reminders_send(now=now) == 0
    assert len(smtp_server.messages) == 1
    assert "回访张伟" in smtp_server.messages[0]["Subject"]
    assert smtp_server.messages[0]["To"] == tenant.user("sales").email


def test_followups_for_forgotten_customers(tenant, customer):
    long_ago = timezone.now() - timedelta(days=45)
    Customer.objects.filter(pk=customer.pk).update(last_contacted_at=long_ago)
    assert schedule.followups_create(days=30) == 1
    assert schedule.followups_create(days=30) == 0  # one open follow-up is enough
    task = Task.objects.get(customer=customer)
    assert task.assignee_id == tenant.user("sales").pk and "张伟" in task.title


def test_tasks_are_scoped_by_record_rules(tenant, customer):
    task = schedule.task_create(
        actor=tenant.actor("sales"),
        customer=customer,
        data={"title": "报价", "due_at": timezone.now()},
    )
    assert schedule.task_get(actor=tenant.actor("manager"), id=task.pk)
    with pytest.raises(NotFound):
        schedule.task_get(actor=tenant.actor("sales_b"), id=task.pk)


def test_ical_feed_parses_and_lists_the_users_tasks(tenant, customer, client):
    due = timezone.now().replace(microsecond=0) + timedelta(days=1)
    schedule.task_create(
        actor=tenant.actor("sales"), customer=customer, data={"title": "拜访张伟", "due_at": due}
    )
    token = schedule.calendar_feed_rotate(actor=tenant.actor("sales"))
    calendar = Calendar.from_ical(schedule.calendar_feed_render(token=token))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert "拜访张伟" in str(events[0]["summary"]) and events[0].decoded("dtstart") == due
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")
    schedule.calendar_feed_rotate(actor=tenant.actor("sales"))
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_document_upload_limits_and_timeline(tenant, customer, settings):
    actor = tenant.actor("sales")
    doc = documents.document_upload(
        actor=actor,
        customer=customer,
        upload=SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert doc.size == 13 and doc.file.read() == b"%PDF-1.4 test"
    assert TimelineEntry.objects.filter(customer=customer, kind="document").exists()
    with pytest.raises(ValidationFailed):
        documents.document_upload(
            actor=actor, customer=customer, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed):
        documents.document_upload(
            actor=actor, customer=customer, upload=SimpleUploadedFile("big.pdf", b"x" * 11)
        )
    assert Document.objects.count() == 1
    with pytest.raises(NotFound):
        documents.document_get(actor=tenant.actor("sales_b"), id=doc.pk)


def test_followups_are_capped_per_owner_longest_forgotten_first(tenant):
    actor = tenant.actor("sales")
    now = timezone.now()
    for i in range(5):
        c = services.customer_create(
            actor=actor, data={"name": f"老客户{i}", "stage": "customer"}, allow_duplicate=True
        )
        Customer.objects.filter(pk=c.pk).update(last_contacted_at=now - timedelta(days=40 + i))
    assert schedule.followups_create(days=30, per_owner=2) == 2
    titles = sorted(Task.objects.values_list("customer__name", flat=True))
    assert titles == ["老客户3", "老客户4"]
    assert schedule.followups_create(days=30, per_owner=2) == 2  # the next ones, next run


def test_month_cells_show_four_tasks_and_link_to_the_rest(tenant, english):
    """A busy day in the month grid shows its first four tasks and "+N more", which opens the
    day with all of them."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    day = timezone.localdate().replace(day=15)
    noon = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)
    for n in range(7):
        schedule.task_create(
            actor=tenant.actor("sales"),
            data={"title": f"回访{n}", "due_at": noon + timedelta(minutes=n)},
        )
    client = tenant.client("sales")
    month = client.get("/calendar/", {"date": day.isoformat()}).content.decode()
    assert all(f"回访{n}" in month for n in range(4))
    assert not any(f"回访{n}" in month for n in range(4, 7))
    assert "+3 more" in month and f"?view=day&date={day.isoformat()}" in month
    whole_day = client.get("/calendar/", {"view": "day", "date": day.isoformat()})
    assert all(f"回访{n}" in whole_day.content.decode() for n in range(7))
