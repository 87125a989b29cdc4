"""Schedules (C5, I5): tasks with due times, reminders delivered by the worker, follow-up
reminders for customers nobody contacted (忘单), the calendar and a secret iCalendar feed."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from shangyou.accounts.models import Membership, hash_secret
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.selectors import scope_records
from shangyou.core.services import model_create, model_update, require_write, soft_delete

from .models import CalendarFeed, Customer, Task, TimelineEntry
from .timeline import timeline_add

TASK_FIELDS = ("title", "kind", "priority", "due_at", "duration_minutes", "remind_at", "notes")


def _assignee(actor: Actor, user_id: int | None):
    if user_id is None or user_id == actor.user_id:
        return actor.user
    membership = (
        Membership.objects.filter(company_id=actor.company_id, user_id=user_id, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationFailed(
            _("Assign the task to an active colleague."), errors={"assignee_id": [_("Unknown.")]}
        )
    return membership.user


@transaction.atomic
def task_create(*, actor: Actor, data: dict[str, Any], customer: Customer | None = None) -> Task:
    fields = {k: v for k, v in data.items() if k in TASK_FIELDS}
    if not fields.get("due_at"):
        raise ValidationFailed(_("Give the task a due time."), errors={"due_at": [_("Required.")]})
    if "remind_at" not in fields:
        fields["remind_at"] = fields["due_at"]
    task = model_create(
        actor=actor,
        instance=Task(
            customer=customer, assignee=_assignee(actor, data.get("assignee_id")), **fields
        ),
    )
    if customer is not None:
        timeline_add(
            actor=actor,
            customer=customer,
            kind=TimelineEntry.Kind.TASK,
            subject=_("Task: %(title)s") % {"title": task.title},
            related=task,
            data={"due_at": task.due_at.isoformat()},
        )
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, data: dict[str, Any], version: int | None) -> Task:
    fields = {k: v for k, v in data.items() if k in TASK_FIELDS}
    if "assignee_id" in data:
        fields["assignee"] = _assignee(actor, data["assignee_id"])
    if "remind_at" in fields or "due_at" in fields:
        fields["reminded_at"] = None
    task, _changes = model_update(actor=actor, instance=task, data=fields, expected_version=version)
    return task


@transaction.atomic
def task_complete(*, actor: Actor, task: Task, done: bool = True) -> Task:
    task, _changes = model_update(
        actor=actor,
        instance=task,
        data={"done_at": timezone.now() if done else None},
        expected_version=task.version,
    )
    if done and task.customer_id and task.kind in {Task.Kind.CALL, Task.Kind.VISIT}:
        kind = TimelineEntry.Kind.CALL if task.kind == Task.Kind.CALL else TimelineEntry.Kind.VISIT
        timeline_add(
            actor=actor,
            customer=task.customer,
            kind=kind,
            subject=task.title,
            body=task.notes,
            related=task,
        )
    return task


def task_delete(*, actor: Actor, task: Task) -> None:
    soft_delete(actor=actor, instance=task)


def task_list(
    *,
    actor: Actor,
    start: datetime | None = None,
    end: datetime | None = None,
    assignee_id: int | None = None,
    customer_id: int | None = None,
    open_only: bool = False,
) -> QuerySet[Task]:
    """Tasks the actor may see: their own, and those on customers they can see."""
    visible_customers = scope_records(Customer.objects.all(), actor=actor)
    if customer_id:  # one customer's: SQLite would otherwise list every visible customer first
        visible_customers = visible_customers.filter(pk=customer_id)
    tasks = Task.objects.filter(company_id=actor.company_id).filter(
        Q(assignee_id=actor.user_id)
        | Q(customer__in=visible_customers.values("pk"))
        | (Q(customer__isnull=True) & Q(created_by_id=actor.user_id))
    )
    if actor.is_admin or actor.role == "readonly":
        tasks = Task.objects.filter(company_id=actor.company_id)
    if start:
        tasks = tasks.filter(due_at__gte=start)
    if end:
        tasks = tasks.filter(due_at__lt=end)
    if assignee_id:
        tasks = tasks.filter(assignee_id=assignee_id)
    if customer_id:
        tasks = tasks.filter(customer_id=customer_id)
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return tasks.select_related("customer", "assignee").order_by("due_at", "id")


def task_get(*, actor: Actor, id: int) -> Task:
    task = task_list(actor=actor).filter(pk=id).first()
    if task is None:
        raise NotFound()
    return task


# --- reminders (run by the worker) ----------------------------------------------------------
def reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Email every assignee whose task reminder is due; each reminder is sent once."""
    now = now or timezone.now()
    due = Task.objects.filter(
        remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True, deleted_at__isnull=True
    ).select_related("assignee", "customer", "company")[:limit]
    sent = 0
    for task in due:
        # Claim it first: a concurrent worker that got the same row updates nothing.
        if not Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        if task.assignee and task.assignee.email:
            send_templated_mail(
                to=[task.assignee.email],
                template="contacts/email/task_reminder",
                context={"task": task, "link": settings.SITE_URL + reverse("schedule:calendar")},
                company=task.company,
                language=task.assignee.language or None,
            )
        sent += 1
    return sent


def followups_create(
    *, now: datetime | None = None, days: int | None = None, per_owner: int | None = None
) -> int:
    """A follow-up task for the owner of each customer not contacted for `days` (忘单) — at
    most `per_owner` new ones per owner and run, the longest-forgotten first, so a large
    imported book does not bury anyone under (and email) thousands of tasks at once."""
    now = now or timezone.now()
    days = days or settings.FOLLOWUP_AFTER_DAYS
    per_owner = per_owner or settings.FOLLOWUP_MAX_PER_OWNER
    cutoff = now - timedelta(days=days)
    open_followup = Task.objects.filter(
        customer=OuterRef("pk"),
        done_at__isnull=True,
        kind=Task.Kind.CALL,
        deleted_at__isnull=True,
    )
    stale = (
        Customer.objects.filter(owner__isnull=False, stage__in=["prospect", "customer"])
        .filter(
            Q(last_contacted_at__lt=cutoff)
            | Q(last_contacted_at__isnull=True, created_at__lt=cutoff)
        )
        .filter(~Exists(open_followup))
        .order_by("owner_id", F("last_contacted_at").asc(nulls_first=True), "id")
        .select_related("company")
        .only("pk", "name", "owner_id", "company_id", "company__name")
    )
    created: list[Task] = []
    counts: dict[int, int] = {}
    for customer in stale.iterator(chunk_size=1000):
        if counts.get(customer.owner_id, 0) >= per_owner:
            continue
        counts[customer.owner_id] = counts.get(customer.owner_id, 0) + 1
        created.append(
            Task(
                company_id=customer.company_id,
                customer=customer,
                assignee_id=customer.owner_id,
                kind=Task.Kind.CALL,
                title=_("Follow up with %(name)s (no contact for %(days)d days)")
                % {"name": customer.name, "days": days},
                due_at=now,
                remind_at=now,
            )
        )
    Task.objects.bulk_create(created, batch_size=1000)
    return len(created)


# --- iCalendar feed -----------------------------------------------------------------------------
def calendar_feed_rotate(*, actor: Actor) -> str:
    """A new secret feed address for the actor (the old one stops working). Returns the token."""
    require_write(actor)
    raw = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        company=actor.company, user=actor.user, defaults={"token_hash": hash_secret(raw)}
    )
    return raw


def calendar_feed_render(*, token: str) -> bytes:
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_secret(token))
        .select_related("user", "company")
        .first()
    )
    if (
        feed is None
        or not Membership.objects.filter(
            company=feed.company, user=feed.user, is_active=True
        ).exists()
    ):
        raise NotFound()
    since = timezone.now() - timedelta(days=90)
    tasks = Task.objects.filter(
        company=feed.company, assignee=feed.user, due_at__gte=since
    ).select_related("customer")[:2000]
    cal = Calendar()
    cal.add("prodid", "-//Shangyou CRM//shangyou//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{feed.company.name} · {feed.user.display_name}")
    host = settings.SITE_URL.split("://")[-1].split("/")[0]
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@{host}")
        event.add("summary", task.title + (f" · {task.customer.name}" if task.customer else ""))
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + timedelta(minutes=task.duration_minutes or 30))
        event.add("dtstamp", task.updated_at)
        if task.notes:
            event.add("description", task.notes)
        if task.customer_id:
            event.add(
                "url",
                settings.SITE_URL + reverse("contacts:customer_detail", args=[task.customer_id]),
            )
        event.add("status", "COMPLETED" if task.done_at else "CONFIRMED")
        if task.remind_at and not task.done_at:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", task.title)
            alarm.add("trigger", task.remind_at - task.due_at)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
