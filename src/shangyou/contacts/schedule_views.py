"""Calendar pages (day / week / month), task forms and the iCalendar feed."""

import calendar as pycalendar
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound

from . import schedule, selectors
from .forms import TaskForm

VIEWS = ("month", "week", "day")
#: Tasks a day's cell shows in the month and week grids; "+N more" links to the day.
CELL_TASKS = {"month": 4, "week": 12}


def _period(view: str, day: date) -> tuple[date, date]:
    if view == "day":
        return day, day + timedelta(days=1)
    if view == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    # whole weeks around the month, so the grid is complete
    start -= timedelta(days=start.weekday())
    last = day.replace(day=pycalendar.monthrange(day.year, day.month)[1])
    end = last + timedelta(days=7 - last.weekday())
    return start, end


@actor_required
def calendar_view(request):
    view = request.GET.get("view", "month")
    view = view if view in VIEWS else "month"
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    start, end = _period(view, day)
    tz = timezone.get_current_timezone()
    tasks = schedule.task_list(
        actor=request.actor,
        start=datetime.combine(start, time.min, tzinfo=tz),
        end=datetime.combine(end, time.min, tzinfo=tz),
        assignee_id=None if request.GET.get("all") else request.user.pk,
    )
    by_day: dict[date, list] = {}
    for task in tasks:
        by_day.setdefault(timezone.localtime(task.due_at).date(), []).append(task)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    shown = CELL_TASKS.get(view, 0)
    cells = []
    for d in days:
        of_day = by_day.get(d, [])
        cells.append((d, of_day[:shown], max(0, len(of_day) - shown)))
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    step = {"day": timedelta(days=1), "week": timedelta(days=7)}.get(view)
    if step:
        prev_day, next_day = day - step, day + step
    else:
        prev_day = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        next_day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    context = {
        "view": view,
        "day": day,
        "today": timezone.localdate(),
        "weeks": weeks,
        "days": days,
        "by_day": by_day,
        "tasks": tasks,
        "prev_day": prev_day,
        "next_day": next_day,
        "show_all": bool(request.GET.get("all")),
        "form": TaskForm(
            members=[], initial={"due_at": timezone.localtime().replace(second=0, microsecond=0)}
        ),
    }
    return render(request, "contacts/calendar.html", context)


@actor_required
def task_new(request):
    from shangyou.accounts.selectors import member_choices

    customer = None
    if request.GET.get("customer") or request.POST.get("customer"):
        customer = selectors.customer_get(
            actor=request.actor, id=int(request.GET.get("customer") or request.POST["customer"])
        )
    members = member_choices(actor=request.actor)
    form = TaskForm(
        request.POST or None,
        members=members,
        initial={
            "assignee_id": request.user.pk,
            "due_at": timezone.localtime() + timedelta(hours=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            schedule.task_create(actor=request.actor, data=form.cleaned_data, customer=customer)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Task saved."))
            if customer:
                return redirect("contacts:customer_detail", customer_id=customer.pk)
            return redirect("schedule:calendar")
    return render(request, "contacts/task_form.html", {"form": form, "customer": customer})


@require_POST
@actor_required
def task_done(request, task_id: int):
    task = schedule.task_get(actor=request.actor, id=task_id)
    schedule.task_complete(actor=request.actor, task=task, done=task.done_at is None)
    messages.success(request, _("Task updated."))
    return redirect(request.POST.get("next") or reverse("schedule:calendar"))


@require_POST
@actor_required
def feed_rotate(request):
    token = schedule.calendar_feed_rotate(actor=request.actor)
    url = request.build_absolute_uri(reverse("schedule:feed", args=[token]))
    messages.success(
        request,
        _("Your calendar address (keep it secret; it replaces any earlier one): %(url)s")
        % {"url": url},
    )
    return redirect("schedule:calendar")


def feed(request, token: str):
    try:
        body = schedule.calendar_feed_render(token=token)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shangyou.ics"'
    return response
