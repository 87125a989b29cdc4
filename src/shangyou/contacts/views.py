"""Customer pages: the list (filters, segments, bulk actions, export), the kanban, the form with
duplicate detection, the customer 360 page and its tabs, merge and undo (C1–C9, X4).

Views parse input, call one service or selector and render; errors from services are shown by
`_apply_form_error` on forms and by the ApplicationError middleware elsewhere.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.collab import services as collab
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, ValidationFailed
from shangyou.core.pagination import BoundedPaginator, PeekPage
from shangyou.core.selectors import count_many, history_for

from . import dedup, documents, exporting, grading, schedule, segments, selectors, services
from .forms import (
    BlacklistForm,
    CommentForm,
    ContactForm,
    CustomerForm,
    DocumentForm,
    EmailForm,
    FilterForm,
    SegmentForm,
    TimelineForm,
)
from .models import Customer, TimelineEntry
from .timeline import customer_email_send, timeline_list, timeline_log

PAGE_SIZE = 25
TIMELINE_PAGE = 20
SORTS = ("name", "-name", "updated", "-updated", "created", "-created", "last_contacted",
         "-last_contacted")  # fmt: skip


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _detail_url(customer_id: int, tab: str = "") -> str:
    url = reverse("contacts:customer_detail", args=[customer_id])
    return f"{url}#tab-{tab}" if tab else url


def _errors_to_customer_page(view):
    """An action on the record that fails goes back to the record with the message (not to
    the referring page, which a browser may not tell us)."""

    @wraps(view)
    def wrapper(request, customer_id: int, *args, **kwargs):
        try:
            return view(request, customer_id, *args, **kwargs)
        except NotFound:
            raise
        except ApplicationError as exc:
            if request.htmx:
                raise
            messages.error(request, str(exc.message))
            return redirect(_detail_url(customer_id))

    return wrapper


# --- list, filters, segments, bulk actions, export --------------------------------------------
def _lookups(request) -> dict:
    """The company's active members, grades, tags and the actor's segments, read once per
    request (the filter panel, the bulk bar, the form and the segment list all show them) and
    kept between requests in the cache until one of them changes (`selectors.list_lookups`)."""
    if not hasattr(request, "_customer_lookups"):
        request._customer_lookups = selectors.list_lookups(actor=request.actor)
    return request._customer_lookups


def _filters(request, data=None):
    """(filter form, filter dict, segment) from the query string; a segment's saved filters
    are the starting point and the query string refines them."""
    actor = request.actor
    data = request.GET if data is None else data
    segment = None
    values = {k: data.get(k, "") for k in FilterForm.KEYS if data.get(k, "") != ""}
    if data.get("segment", "").isdigit():
        segment = selectors.segment_get(actor=actor, id=int(data["segment"]))
        values = {**{k: str(v) for k, v in segment.filters.items()}, **values}
    found = _lookups(request)
    form = FilterForm(values, members=found["members"], grades=found["grades"], tags=found["tags"])
    return form, form.filters(), segment


def _sort(request) -> str:
    sort = request.GET.get("sort", "-updated")
    return sort if sort in SORTS else "-updated"


@actor_required
def customer_list(request):
    form, filters, segment = _filters(request)
    sort = _sort(request)
    customers = selectors.customer_table(actor=request.actor, filters=filters, sort=sort)
    page = BoundedPaginator(
        customers, PAGE_SIZE, page_hint=request.GET.get("page"), search=bool(filters.get("q"))
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "segment": segment,
        "sort": sort,
        "q": filters.get("q", ""),
        "query": request.GET.urlencode(),
        **_lookups(request),
        "segment_form": SegmentForm(),
        "more_filters": any(k in filters for k in FilterForm.KEYS if k not in {"q", "stage"}),
    }
    template = "contacts/partials/_customer_table.html" if request.htmx else "contacts/list.html"
    return render(request, template, context)


@actor_required
def customer_export(request):
    """The filtered list (or a segment) as CSV, XLSX or vCard."""
    _form, filters, _segment = _filters(request)
    customers = selectors.customer_list(actor=request.actor, filters=filters, sort=_sort(request))
    return exporting.export_response(customers, request.GET.get("format", "csv"))


@require_POST
@actor_required
def customer_bulk(request):
    """Bulk actions on the selected rows: assign, add a tag, set a grade, export."""
    back = _next_url(request, reverse("contacts:customer_list"))
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    action = request.POST.get("action", "")
    if not ids:
        messages.warning(request, _("Select at least one customer first."))
        return redirect(back)
    try:
        return _bulk(request, action, ids, back)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)


def _bulk(request, action: str, ids: list[int], back: str):
    if action == "export":
        customers = selectors.customers_by_ids(actor=request.actor, ids=ids)
        return exporting.export_response(customers, request.POST.get("format", "csv"))
    if action == "assign":
        owner = request.POST.get("owner_id", "")
        count = services.customer_assign(
            actor=request.actor, customer_ids=ids, owner_id=int(owner) if owner.isdigit() else None
        )
        messages.success(request, _("%(count)d customers reassigned.") % {"count": count})
    elif action == "tag":
        tag_id = request.POST.get("tag_id", "")
        if not tag_id.isdigit():
            raise ValidationFailed(_("Choose a tag."))
        count = services.customers_add_tag(
            actor=request.actor, customer_ids=ids, tag_id=int(tag_id)
        )
        messages.success(request, _("Tag added to %(count)d customers.") % {"count": count})
    elif action == "grade":
        grade = request.POST.get("grade_id", "")
        count = services.customers_set_grade(
            actor=request.actor, customer_ids=ids, grade_id=int(grade) if grade.isdigit() else None
        )
        messages.success(request, _("Grade set on %(count)d customers.") % {"count": count})
    else:
        raise ValidationFailed(_("Choose an action."))
    return redirect(back)


@actor_required
def segment_index(request):
    return render(
        request,
        "contacts/segments.html",
        {"segments": selectors.segment_list_for_page(actor=request.actor)},
    )


@require_POST
@actor_required
def segment_save(request):
    """Save the list's current filters (sent as `query`) as a segment."""
    form = SegmentForm(request.POST)
    query = QueryDict(request.POST.get("query", ""))
    if not form.is_valid():
        raise ValidationFailed(_("Give the segment a name."))
    _form, filters, _segment = _filters(request, data=query)
    segment = segments.segment_create(
        actor=request.actor,
        name=form.cleaned_data["name"],
        filters=filters,
        is_shared=form.cleaned_data["is_shared"],
    )
    messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect(f"{reverse('contacts:customer_list')}?segment={segment.pk}")


@require_POST
@actor_required
def segment_delete(request, segment_id: int):
    segment = selectors.segment_get(actor=request.actor, id=segment_id)
    try:
        segments.segment_delete(actor=request.actor, segment=segment)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
    return redirect(_next_url(request, reverse("contacts:segment_index")))


# --- kanban -------------------------------------------------------------------------------------
@actor_required
def customer_kanban(request):
    form, filters, segment = _filters(request)
    columns = selectors.customer_kanban(actor=request.actor, filters=filters)
    stages = [c["stage"] for c in columns]
    for index, column in enumerate(columns):
        column["previous"] = columns[index - 1] if index > 0 else None
        column["next"] = columns[index + 1] if index + 1 < len(columns) else None
    return render(
        request,
        "contacts/kanban.html",
        {"columns": columns, "form": form, "segment": segment, "stages": stages},
    )


@require_POST
@actor_required
def customer_stage(request, customer_id: int):
    """Move a kanban card: the stage changes only if nobody changed the card meanwhile."""
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    stage = request.POST.get("stage", "")
    version = request.POST.get("version", "")
    back = _next_url(request, reverse("contacts:customer_kanban"))
    if stage not in Customer.Stage.values:
        raise ValidationFailed(_("Choose a stage."))
    try:
        services.customer_update(
            actor=request.actor,
            customer=customer,
            data={"stage": stage},
            version=int(version) if version.isdigit() else None,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s moved to %(stage)s.")
            % {"name": customer.name, "stage": Customer.Stage(stage).label},
        )
    return redirect(back)


# --- create and edit ----------------------------------------------------------------------------
def _form_options(actor) -> dict:
    found = selectors.list_lookups(actor=actor)
    return {
        "members": found["members"],
        "grades": found["grades"],
        "tags": found["tags"],
        "custom_fields": selectors.custom_field_list(actor=actor),
    }


@actor_required
def customer_create(request):
    allow = request.method == "POST" and "allow_duplicate" in request.POST
    form = CustomerForm(
        request.POST or None,
        initial={
            "owner_id": request.user.pk,
            "stage": Customer.Stage.LEAD,
            "consent_email": True,
            "consent_sms": True,
            "consent_im": True,
            "is_customer": True,
        },
        allow_duplicate=allow,
        **_form_options(request.actor),
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.actor,
                data=form.service_data(),
                allow_duplicate=bool(form.cleaned_data.get("allow_duplicate")),
            )
        except services.DuplicateFound as exc:
            duplicates = exc.candidates
            form = CustomerForm(request.POST, allow_duplicate=True, **_form_options(request.actor))
            form.is_valid()
            form.add_error(None, str(exc.message))
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("contacts:customer_detail", customer_id=customer.pk)
    return render(request, "contacts/form.html", {"form": form, "duplicates": duplicates})


@actor_required
def customer_edit(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    initial = {
        field: getattr(customer, field)
        for field in (
            "name", "kind", "stage", "code", "source", "phone", "email", "website", "country",
            "province", "city", "address", "industry", "is_customer", "is_supplier",
            "owner_id", "grade_id", "credit_rating", "consent_email", "consent_sms",
            "consent_im", "birthday", "founded_on", "notes", "version",
        )
    }  # fmt: skip
    initial["tag_ids"] = [t.pk for t in customer.tags.all()]
    for key, value in (customer.custom_fields or {}).items():
        initial[f"cf_{key}"] = value
    form = CustomerForm(
        request.POST or None,
        initial=initial,
        exclude_id=customer.pk,
        **_form_options(request.actor),
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            services.customer_update(
                actor=request.actor,
                customer=customer,
                data=data,
                version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("contacts:customer_detail", customer_id=customer.pk)
    return render(request, "contacts/form.html", {"form": form, "customer": customer})


@actor_required
def duplicate_check(request):
    """HTMX: customers of the company that look like what is being typed (C8)."""
    exclude = request.GET.get("exclude", "")
    candidates = dedup.duplicate_candidates(
        actor=request.actor,
        name=request.GET.get("name", ""),
        phone=request.GET.get("phone", ""),
        email=request.GET.get("email", ""),
        exclude_id=int(exclude) if exclude.isdigit() else None,
    )
    return render(request, "contacts/partials/_duplicates.html", {"duplicates": candidates})


# --- the customer 360 page ----------------------------------------------------------------------
@actor_required
def customer_detail(request, customer_id: int):
    """The customer page: header with key figures, and the timeline. Other tabs read their
    rows when shown (`customer_tab`); the page only counts them, in one statement."""
    actor = request.actor
    customer = selectors.customer_get(actor=actor, id=customer_id)
    kind = request.GET.get("kind", "")
    timeline = PeekPage(
        timeline_list(actor=actor, customer=customer, kinds=[kind] if kind else None),
        1,
        TIMELINE_PAGE,
    )
    contacts = list(selectors.contact_list(actor=actor, customer_id=customer.pk))
    open_tasks = schedule.task_list(actor=actor, customer_id=customer.pk, open_only=True)
    counts = count_many(
        open_tasks=open_tasks,
        overdue_tasks=open_tasks.filter(due_at__lt=timezone.now()),
        documents=documents.document_list(actor=actor, customer=customer),
        comments=collab.comment_list(actor=actor, target=customer),
        following=collab.followings(actor=actor, target=customer),
    )
    merge = None
    if request.GET.get("merge", "").isdigit():
        merge = selectors.merge_recent_for(actor=actor, merge_id=int(request.GET["merge"]))
        if merge.survivor_id != customer.pk or merge.undone_at:
            merge = None
    context = {
        "customer": customer,
        "figures": {**counts, "contacts": len(contacts)},
        "extra_figures": selectors.customer_extra_figures(actor=actor, customer=customer),
        "has_sections": bool(selectors.CUSTOMER_SECTION_PROVIDERS),
        "timeline": timeline,
        "timeline_kind": kind,
        "timeline_kinds": TimelineEntry.Kind.choices,
        "timeline_form": TimelineForm(contacts=contacts),
        "contacts": contacts,
        "following": bool(counts["following"]),
        "blacklist_form": BlacklistForm(),
        "tags": list(customer.tags.all()),
        "merge": merge,
        "custom_values": [
            (d.label, customer.custom_fields.get(d.key))
            for d in (selectors.custom_field_list(actor=actor) if customer.custom_fields else ())
            if d.key in customer.custom_fields
        ],
    }
    return render(request, "contacts/detail.html", context)


def _tab_sales(actor, customer) -> dict:
    """Opportunities, quotations, orders … as the sales apps provide."""
    return {"sections": selectors.customer_sections(actor=actor, customer=customer)}


def _tab_tasks(actor, customer) -> dict:
    tasks = list(schedule.task_list(actor=actor, customer_id=customer.pk))
    return {
        "open_tasks": [t for t in tasks if not t.done_at],
        "done_tasks": [t for t in tasks if t.done_at][-20:],
        "now_time": timezone.now(),
    }


def _tab_documents(actor, customer) -> dict:
    return {
        "documents": documents.document_list(actor=actor, customer=customer).select_related(
            "created_by"
        ),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def _tab_comments(actor, customer) -> dict:
    return {
        "comments": collab.comment_list(actor=actor, target=customer),
        "comment_form": CommentForm(),
    }


def _tab_history(actor, customer) -> dict:
    """The record's last 50 changes."""
    return {"history": history_for(actor=actor, instance=customer)[:50]}


#: The customer page's tabs that read their rows when shown: name -> (template, context).
CUSTOMER_TABS = {
    "sales": ("contacts/partials/_tab_sales.html", _tab_sales),
    "tasks": ("contacts/partials/_tab_tasks.html", _tab_tasks),
    "documents": ("contacts/partials/_tab_documents.html", _tab_documents),
    "comments": ("contacts/partials/_tab_comments.html", _tab_comments),
    "history": ("components/_history.html", _tab_history),
}


@actor_required
def customer_tab(request, customer_id: int, tab: str):
    """HTMX: a tab of the customer page (sales, tasks, documents, comments, history), read when
    it is shown."""
    if tab not in CUSTOMER_TABS:
        raise NotFound()
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    template, context = CUSTOMER_TABS[tab]
    return render(request, template, {"customer": customer, **context(request.actor, customer)})


@actor_required
def customer_timeline(request, customer_id: int):
    """HTMX: a page of the timeline, optionally of one kind ("load more" and the kind filter)."""
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    kind = request.GET.get("kind", "")
    entries = timeline_list(actor=request.actor, customer=customer, kinds=[kind] if kind else None)
    page = PeekPage(entries, request.GET.get("page"), TIMELINE_PAGE)
    return render(
        request,
        "contacts/partials/_timeline_page.html",
        {"customer": customer, "timeline": page, "timeline_kind": kind},
    )


@require_POST
@actor_required
@_errors_to_customer_page
def customer_timeline_log(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    form = TimelineForm(request.POST, contacts=customer.contacts.all())
    if not form.is_valid():
        raise ValidationFailed(_("Check the entry: %(errors)s") % {"errors": form.errors.as_text()})
    entry = timeline_log(
        actor=request.actor,
        customer=customer,
        kind=form.cleaned_data["kind"],
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        occurred_at=form.cleaned_data["occurred_at"],
        contact_id=form.cleaned_data["contact_id"],
    )
    if request.htmx:
        return render(
            request,
            "contacts/partials/_timeline_entry.html",
            {"entry": entry, "customer": customer, "new": True},
        )
    messages.success(request, _("Added to the timeline."))
    return redirect(_detail_url(customer.pk, "timeline"))


@actor_required
def customer_email(request, customer_id: int):
    """Write and send an email from the record (C7); it lands on the timeline."""
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    form = EmailForm(request.POST or None, initial={"to": customer.email})
    if request.method == "POST" and form.is_valid():
        try:
            customer_email_send(actor=request.actor, customer=customer, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Email sent to %(to)s.") % {"to": form.cleaned_data["to"]})
            return redirect(_detail_url(customer.pk, "timeline"))
    return render(request, "contacts/email_form.html", {"form": form, "customer": customer})


# --- actions on the record ----------------------------------------------------------------------
@require_POST
@actor_required
@_errors_to_customer_page
def customer_delete(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    services.customer_delete(actor=request.actor, customer=customer)
    messages.success(
        request,
        _("“%(name)s” was moved to the trash. You can restore it from there.")
        % {"name": customer.name},
    )
    return redirect("contacts:customer_list")


@require_POST
@actor_required
@_errors_to_customer_page
def customer_claim(request, customer_id: int):
    # Not through customer_get: a salesperson claims from the pool, which they cannot see yet.
    customer = services.customer_claim(actor=request.actor, customer_id=customer_id)
    messages.success(request, _("%(name)s is now yours.") % {"name": customer.name})
    return redirect(_detail_url(customer.pk))


@require_POST
@actor_required
@_errors_to_customer_page
def customer_convert(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    version = request.POST.get("version", "")
    services.customer_convert(
        actor=request.actor,
        customer=customer,
        version=int(version) if version.isdigit() else None,
    )
    messages.success(request, _("%(name)s is now a customer.") % {"name": customer.name})
    if request.POST.get("then") == "opportunity":
        try:  # the sales app's form, opened for this customer
            return redirect(reverse("sales:opportunity_create") + f"?customer_id={customer.pk}")
        except NoReverseMatch:
            pass
    return redirect(_detail_url(customer.pk))


@require_POST
@actor_required
@_errors_to_customer_page
def customer_blacklist(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    blacklisted = request.POST.get("blacklisted") == "1"
    services.customer_blacklist(
        actor=request.actor,
        customer=customer,
        blacklisted=blacklisted,
        reason=request.POST.get("reason", ""),
    )
    if blacklisted:
        messages.success(request, _("%(name)s is blacklisted.") % {"name": customer.name})
    else:
        messages.success(request, _("%(name)s is off the blacklist.") % {"name": customer.name})
    return redirect(_detail_url(customer.pk))


@require_POST
@actor_required
@_errors_to_customer_page
def customer_grade_release(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    grading.customer_grade_release(actor=request.actor, customer=customer)
    messages.success(request, _("The grade will follow the rules again."))
    return redirect(_detail_url(customer.pk))


@require_POST
@actor_required
@_errors_to_customer_page
def customer_follow(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    following = request.POST.get("following") == "1"
    collab.follow(actor=request.actor, target=customer, following=following)
    if following:
        messages.success(request, _("You will be notified about %(name)s.") % {"name": customer})
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": customer})
    return redirect(_detail_url(customer.pk))


@require_POST
@actor_required
@_errors_to_customer_page
def customer_comment(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    collab.comment_add(actor=request.actor, target=customer, body=request.POST.get("body", ""))
    messages.success(request, _("Comment added."))
    return redirect(_detail_url(customer.pk, "comments"))


# --- contacts -----------------------------------------------------------------------------------
@actor_required
def contact_create(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.contact_create(actor=request.actor, customer=customer, data=data)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(_detail_url(customer.pk, "contacts"))
    return render(request, "contacts/contact_form.html", {"form": form, "customer": customer})


@actor_required
def contact_edit(request, contact_id: int):
    contact = selectors.contact_get(actor=request.actor, id=contact_id)
    customer = contact.customer
    form = ContactForm(request.POST or None, initial=ContactForm.initial_from(contact))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.contact_update(
                actor=request.actor, contact=contact, data=data, version=version
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(customer.pk, "contacts"))
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@require_POST
@actor_required
def contact_delete(request, contact_id: int):
    contact = selectors.contact_get(actor=request.actor, id=contact_id)
    services.contact_delete(actor=request.actor, contact=contact)
    messages.success(request, _("Contact “%(name)s” deleted.") % {"name": contact.name})
    return redirect(_detail_url(contact.customer_id, "contacts"))


# --- documents ----------------------------------------------------------------------------------
@require_POST
@actor_required
def document_upload(request, customer_id: int):
    customer = selectors.customer_get(actor=request.actor, id=customer_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(_detail_url(customer.pk, "documents"))
    try:
        document = documents.document_upload(
            actor=request.actor,
            customer=customer,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("“%(name)s” uploaded.") % {"name": document.name})
    return redirect(_detail_url(customer.pk, "documents"))


@actor_required
def document_download(request, document_id: int):
    """Files are served only through here, after the record rules of their customer."""
    document = documents.document_get(actor=request.actor, id=document_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


@require_POST
@actor_required
def document_delete(request, document_id: int):
    document = documents.document_get(actor=request.actor, id=document_id)
    documents.document_delete(actor=request.actor, document=document)
    messages.success(request, _("“%(name)s” moved to the trash.") % {"name": document.name})
    return redirect(_detail_url(document.customer_id, "documents"))


# --- merge --------------------------------------------------------------------------------------
def _merge_rows(survivor: Customer, other: Customer) -> list[dict]:
    rows = []
    for field in dedup.MERGEABLE_FIELDS:
        model_field = Customer._meta.get_field(field)
        mine, theirs = _shown(survivor, field), _shown(other, field)
        default = "merged" if (mine == "" and theirs != "") else "survivor"
        rows.append(
            {
                "field": field,
                "label": model_field.verbose_name,
                "survivor": mine,
                "merged": theirs,
                "default": default,
                "same": mine == theirs,
            }
        )
    return rows


def _shown(customer: Customer, field: str) -> str:
    value = getattr(customer, field)
    if value in (None, ""):
        return ""
    display = getattr(customer, f"get_{field}_display", None)
    if display and Customer._meta.get_field(field).choices:
        return str(display())
    if field == "owner":
        return value.display_name
    return str(value)


@actor_required
def customer_merge(request, customer_id: int):
    """Pick a customer to merge into this one, then choose field by field (C8)."""
    actor = request.actor
    customer = selectors.customer_get(actor=actor, id=customer_id)
    other_id = request.POST.get("with") or request.GET.get("with") or ""
    if not other_id.isdigit():
        q = request.GET.get("q", "").strip()
        found = (
            [c for c in selectors.customer_list(actor=actor, q=q)[:20] if c.pk != customer.pk]
            if q
            else []
        )
        suggestions = dedup.duplicate_candidates(
            actor=actor,
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            exclude_id=customer.pk,
        )
        return render(
            request,
            "contacts/merge_pick.html",
            {"customer": customer, "q": q, "found": found, "suggestions": suggestions},
        )
    other = selectors.customer_get(actor=actor, id=int(other_id))
    if request.method == "POST":
        choices = {
            field: request.POST[field]
            for field in dedup.MERGEABLE_FIELDS
            if request.POST.get(field) in {"survivor", "merged"}
        }
        record = dedup.customer_merge(actor=actor, survivor=customer, merged=other, choices=choices)
        # The page says so, with an Undo button (see customer_detail's `merge`).
        return redirect(f"{_detail_url(customer.pk)}?merge={record.pk}")
    return render(
        request,
        "contacts/merge.html",
        {"customer": customer, "other": other, "rows": _merge_rows(customer, other)},
    )


@require_POST
@actor_required
def merge_undo(request, merge_id: int):
    merged = dedup.customer_merge_undo(actor=request.actor, merge_id=merge_id)
    messages.success(request, _("The merge was undone: %(name)s is back.") % {"name": merged})
    return redirect(_detail_url(merged.pk))
