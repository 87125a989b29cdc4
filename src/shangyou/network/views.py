"""The platform pages (M3, M5, M6): the directory, company profiles, business friends, visitor
records and messages between member companies.

Thin edges: parse the request, call a selector or service, render. Errors from services are
`core.errors` and are shown by `core.middleware.ApplicationErrorMiddleware` (404 for NotFound,
a message on the page for the rest), or on the form where there is one.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.pagination import BoundedPaginator

from . import selectors, services
from .forms import (
    MEMBER_TYPES,
    ConversationForm,
    FriendRequestForm,
    MessageForm,
    ProfileForm,
    ReportForm,
)
from .models import Friendship

SESSION_ANONYMOUS = "network_anonymous"
PAGE_SIZE = 20
PROFILE_PRODUCTS = 12  # public products shown on a company's profile
# A logo is a user's upload: never let an SVG run script or load anything.
LOGO_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _company_id(request) -> int:
    company_id = _int(request.POST.get("company_id") or request.GET.get("company"))
    if company_id <= 0:
        raise NotFound()
    return company_id


def _next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _anonymous(request) -> bool:
    return bool(request.session.get(SESSION_ANONYMOUS))


def _form_error(form) -> ValidationFailed:
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    first = next(iter(errors.values()))[0] if errors else None
    return ValidationFailed(first, errors=errors)


# --- directory and profiles -------------------------------------------------------------------
@actor_required
def directory(request):
    """People search (人脉搜索): public profiles by name (hanzi, pinyin, initials), products,
    industry, region, member type — or, in products mode, the public products themselves."""
    params = request.GET
    if params.get("mode") == "products":
        return _directory_products(request)
    member_types = {value for value, _label in MEMBER_TYPES}
    filters = {
        "q": params.get("q", "").strip()[:100],
        "member_type": params.get("member_type", "")
        if params.get("member_type") in member_types
        else "",
        "province": params.get("province", "").strip()[:40],
        "city": params.get("city", "").strip()[:60],
        "industry": params.get("industry", "").strip()[:100],
    }
    verified = bool(params.get("verified"))
    profiles = selectors.directory_search(
        actor=request.actor, verified=True if verified else None, **filters
    )
    page = BoundedPaginator(
        profiles,
        PAGE_SIZE,
        cap=selectors.DIRECTORY_COUNT_CAP,
        page_hint=params.get("page"),
        search=True,
        walk_when_capped=True,  # cap 1,000 of ~100,000 profiles: see core.pagination.page_rows
    ).get_page(params.get("page"))
    context = {"mode": "companies", "page": page, "filters": filters, "verified": verified}
    if request.htmx and request.htmx.target == "directory-results":
        return render(request, "network/partials/_directory_results.html", context)
    context |= {
        "regions": selectors.directory_regions(),
        "member_types": MEMBER_TYPES,
        "anonymous": _anonymous(request),
        "filtered": any(filters.values()) or verified,
    }
    return render(request, "network/directory.html", context)


def _directory_products(request):
    """The directory's products mode: public products by name (hanzi, pinyin, initials) or SKU,
    with their company; no prices (those depend on the customer)."""
    params = request.GET
    filters = {
        "q": params.get("q", "").strip()[:100],
        "company": max(_int(params.get("company")), 0) or None,
    }
    verified = bool(params.get("verified"))
    products = selectors.directory_products(
        actor=request.actor,
        q=filters["q"],
        company_id=filters["company"],
        verified=True if verified else None,
    )
    page = BoundedPaginator(
        products,
        PAGE_SIZE,
        cap=selectors.PRODUCT_COUNT_CAP,
        page_hint=params.get("page"),
        search=True,
    ).get_page(params.get("page"))
    context = {"mode": "products", "page": page, "filters": filters, "verified": verified}
    if request.htmx and request.htmx.target == "directory-results":
        return render(request, "network/partials/_directory_products.html", context)
    company = None
    if filters["company"]:
        try:
            company = selectors.profile_get(
                actor=request.actor, company_id=filters["company"]
            ).company
        except NotFound:
            company = None
    context |= {
        "anonymous": _anonymous(request),
        "filtered": bool(filters["q"] or filters["company"] or verified),
        "filter_company": company,
    }
    return render(request, "network/directory.html", context)


@require_GET
@actor_required
def public_product(request, public_product_id: int):
    """A public product of any member company; viewing it is recorded in the company's visitor
    records (anonymously when we browse anonymously)."""
    actor = request.actor
    product = selectors.public_product_get(actor=actor, id=public_product_id)
    anonymous = _anonymous(request)
    services.visit_record(
        actor=actor,
        target_company_id=product.company_id,
        kind="product",
        target_id=product.pk,
        anonymous=anonymous,
    )
    context = {
        "product": product,
        "company": product.company,
        "is_self": product.company_id == actor.company_id,
        "images": list(selectors.public_product_images(product=product)),
        "specs": selectors.public_product_specifications(product=product),
        "anonymous": anonymous,
    }
    return render(request, "network/product.html", context)


@require_GET
@actor_required
def public_product_image(request, public_product_image_id: int):
    """An image of a public product (the catalogue's own image route is for members only)."""
    image = selectors.public_product_image_get(actor=request.actor, id=public_product_image_id)
    response = FileResponse(image.file.open("rb"))
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@actor_required
def anonymous_toggle(request):
    """Browse anonymously (this session): our views are counted, not named."""
    anonymous = request.POST.get("anonymous") == "1"
    request.session[SESSION_ANONYMOUS] = anonymous
    if anonymous:
        messages.info(request, _("You now browse anonymously: companies see a visit, not who."))
    else:
        messages.info(request, _("Companies you view now see your company in their visitors."))
    return redirect(_next(request, reverse("network:directory")))


@require_GET
@actor_required
def profile(request, company_id: int):
    """A company's public profile; viewing it is recorded in its visitor records."""
    actor = request.actor
    profile = selectors.profile_get(actor=actor, company_id=company_id)
    anonymous = _anonymous(request)
    services.visit_record(actor=actor, target_company_id=company_id, anonymous=anonymous)
    is_self = company_id == actor.company_id
    friendship = None if is_self else selectors.friendship_between(actor.company_id, company_id)
    if friendship is not None and friendship.status == Friendship.Status.DECLINED:
        friendship = None  # a declined request may be made again
    context = {
        "profile": profile,
        "company": profile.company,
        "is_self": is_self,
        "contact_visible": selectors.contact_details_visible(actor=actor, profile=profile),
        "friendship": friendship,
        "incoming": friendship is not None and friendship.addressee_id == actor.company_id,
        "blocked": not is_self and selectors.blocked_by_us(actor=actor, company_id=company_id),
        "crm_record": None
        if is_self
        else selectors.crm_records_for(actor=actor, company_ids=[company_id]).get(company_id),
        "conversation": None
        if is_self
        else selectors.conversation_with(actor=actor, company_id=company_id),
        "anonymous": anonymous,
        "report_form": ReportForm(),
        "products": list(
            selectors.company_public_products(actor=actor, company_id=company_id)[
                : PROFILE_PRODUCTS + 1
            ]
        ),
        "products_shown": PROFILE_PRODUCTS,
    }
    return render(request, "network/profile.html", context)


@require_GET
@actor_required
def profile_logo(request, company_id: int):
    profile = selectors.profile_get(actor=request.actor, company_id=company_id)
    if not profile.logo:
        raise NotFound()
    response = FileResponse(profile.logo.open("rb"))
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@actor_required
def profile_edit(request):
    """Our public profile and verification settings (M3): for the company's administrators."""
    actor = request.actor
    if not actor.is_admin:
        raise PermissionDenied(_("Only your company's administrators can edit its profile."))
    profile = selectors.profile_for(actor.company)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                actor=actor, data=form.profile_data(), logo=form.cleaned_data.get("logo") or None
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("network:profile_edit")
    return render(request, "network/profile_edit.html", {"form": form, "profile": profile})


# --- business friends ---------------------------------------------------------------------------
FRIEND_TABS = ("friends", "incoming", "outgoing")


@actor_required
def friends(request):
    """My business friends (我的商友), and the requests waiting for an answer."""
    actor = request.actor
    tab = request.GET.get("tab", "friends")
    tab = tab if tab in FRIEND_TABS else "friends"
    source = {
        "friends": selectors.friend_list,
        "incoming": selectors.friend_requests_incoming,
        "outgoing": selectors.friend_requests_outgoing,
    }[tab]
    page = Paginator(source(actor=actor).order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(f, f.other(actor.company_id)) for f in page.object_list]
    records = selectors.crm_records_for(actor=actor, company_ids=[o.pk for _f, o in rows])
    context = {
        "tab": tab,
        "page": page,
        "rows": [(f, other, records.get(other.pk)) for f, other in rows],
        "incoming_count": selectors.friend_requests_incoming(actor=actor).count(),
    }
    return render(request, "network/friends.html", context)


@require_POST
@actor_required
def friend_request(request):
    form = FriendRequestForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    company_id = _company_id(request)
    friendship = services.friend_request(
        actor=request.actor, company_id=company_id, message=form.cleaned_data["message"]
    )
    if friendship.status == Friendship.Status.ACCEPTED:
        messages.success(request, _("You are now business friends."))
    else:
        messages.success(request, _("Your request was sent. You will be friends once accepted."))
    return redirect(_next(request, reverse("network:profile", args=[company_id])))


@require_POST
@actor_required
def friend_answer(request, friendship_id: int):
    friendship = selectors.friendship_get(actor=request.actor, id=friendship_id)
    accept = request.POST.get("accept") == "1"
    services.friend_answer(actor=request.actor, friendship=friendship, accept=accept)
    if accept:
        messages.success(
            request,
            _("You are now business friends with %(name)s. They are in your customer list.")
            % {"name": friendship.requester.name},
        )
    else:
        messages.info(request, _("Request declined."))
    return redirect(_next(request, reverse("network:friends") + "?tab=incoming"))


@require_POST
@actor_required
def friend_remove(request, friendship_id: int):
    """Remove a business friend, or withdraw our request."""
    friendship = selectors.friendship_get(actor=request.actor, id=friendship_id)
    pending = friendship.status == Friendship.Status.PENDING
    services.friend_remove(actor=request.actor, friendship=friendship)
    messages.success(request, _("Request withdrawn.") if pending else _("Business friend removed."))
    return redirect(_next(request, reverse("network:friends")))


# --- visitor records ----------------------------------------------------------------------------
@actor_required
def visitors(request):
    """Who viewed us (访客记录) and whom we viewed (我看过谁), folded per day."""
    actor = request.actor
    tab = "visited" if request.GET.get("tab") == "visited" else "visitors"
    visits = (selectors.visited if tab == "visited" else selectors.visitors)(actor=actor)
    page = Paginator(visits.order_by("-last_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    records = {}
    if tab == "visitors":
        records = selectors.crm_records_for(
            actor=actor, company_ids=[v.viewer_company_id for v in page.object_list]
        )
    products = selectors.visit_products(
        actor=actor, visits=page.object_list, ours=tab == "visitors"
    )
    context = {
        "tab": tab,
        "page": page,
        "rows": [
            (
                v,
                records.get(v.viewer_company_id) if tab == "visitors" else None,
                products.get(v.target_id) if v.target_kind == "product" else None,
            )
            for v in page.object_list
        ],
    }
    return render(request, "network/visitors.html", context)


@require_POST
@actor_required
def visitor_lead(request, visit_id: int):
    """One click: the visiting company becomes a lead in our CRM."""
    visit = selectors.visit_get(actor=request.actor, id=visit_id)
    customer = services.visitor_to_lead(actor=request.actor, visit=visit)
    messages.success(
        request, _("%(name)s is now a lead in your customer list.") % {"name": customer.name}
    )
    return redirect("contacts:customer_detail", customer_id=customer.pk)


# --- blocks and reports -------------------------------------------------------------------------
@require_POST
@actor_required
def block(request):
    company_id = _company_id(request)
    blocked = request.POST.get("blocked", "1") == "1"
    services.block(actor=request.actor, company_id=company_id, blocked=blocked)
    if blocked:
        messages.success(request, _("Blocked. This company can no longer find or message you."))
    else:
        messages.success(request, _("Unblocked."))
    return redirect(_next(request, reverse("network:profile", args=[company_id])))


@require_POST
@actor_required
def report(request):
    company_id = _company_id(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    services.report(
        actor=request.actor,
        company_id=company_id,
        reason=form.cleaned_data["reason"],
        message_id=_int(request.POST.get("message_id")) or None,
    )
    messages.success(request, _("Thank you. Platform staff will look at your report."))
    return redirect(_next(request, reverse("network:profile", args=[company_id])))


# --- messages -----------------------------------------------------------------------------------
def _unread(conversation, company_id: int) -> bool:
    read_at = (
        conversation.a_read_at
        if conversation.company_a_id == company_id
        else conversation.b_read_at
    )
    last = conversation.last_message_at
    return bool(last and (read_at is None or read_at < last))


@actor_required
def inbox(request):
    """Our conversations, newest first; unread ones stand out."""
    actor = request.actor
    page = Paginator(selectors.conversation_inbox(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(c, c.other(actor.company_id), _unread(c, actor.company_id)) for c in page.object_list]
    return render(request, "network/inbox.html", {"page": page, "rows": rows})


@actor_required
def conversation_new(request):
    """Start a conversation with a member company (from its profile)."""
    actor = request.actor
    company_id = _company_id(request)
    profile = selectors.profile_get(actor=actor, company_id=company_id)
    if company_id == actor.company_id:
        raise NotFound()
    products = selectors.quotable_products(actor=actor, company_ids=(actor.company_id, company_id))
    initial = {}
    quoted = selectors.quotable_product_get(
        actor=actor,
        company_ids=(actor.company_id, company_id),
        id=_int(request.GET.get("product")) or None,
    )
    if quoted is not None:  # "Message the company about this product"
        initial = {"product_id": quoted.pk, "subject": quoted.name[:200]}
    form = ConversationForm(request.POST or None, initial=initial, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                actor=actor,
                company_id=company_id,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                product_id=form.cleaned_data.get("product_id"),
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Message sent."))
            return redirect("network:conversation", conversation_id=conversation.pk)
    return render(
        request,
        "network/conversation_new.html",
        {"form": form, "profile": profile, "company": profile.company, "quoted": quoted},
    )


@require_GET
@actor_required
def conversation(request, conversation_id: int):
    """A conversation, oldest message first; new ones arrive by polling (`conversation_poll`)."""
    actor = request.actor
    conversation = selectors.conversation_get(actor=actor, id=conversation_id)
    items = selectors.message_list(actor=actor, conversation=conversation)
    services.conversation_mark_read(actor=actor, conversation=conversation)
    context = {
        "conversation": conversation,
        "other": conversation.other(actor.company_id),
        "items": items,
        "last_id": items[-1].pk if items else 0,
        "form": MessageForm(products=_quotable(actor, conversation)),
    }
    return render(request, "network/conversation.html", context)


def _quotable(actor, conversation):
    return selectors.quotable_products(
        actor=actor, company_ids=(conversation.company_a_id, conversation.company_b_id)
    )


def _new_messages(request, conversation, after: int):
    actor = request.actor
    items = selectors.message_list(actor=actor, conversation=conversation, after=after)
    if items:
        services.conversation_mark_read(actor=actor, conversation=conversation)
    context = {
        "conversation": conversation,
        "items": items,
        "last_id": items[-1].pk if items else after,
    }
    return render(request, "network/partials/_message_poll.html", context)


@require_GET
@actor_required
def conversation_poll(request, conversation_id: int):
    """The messages after `after` (out of band) and a new poller that asks from the last one."""
    conversation = selectors.conversation_get(actor=request.actor, id=conversation_id)
    return _new_messages(request, conversation, max(_int(request.GET.get("after")), 0))


@require_POST
@actor_required
def message_send(request, conversation_id: int):
    conversation = selectors.conversation_get(actor=request.actor, id=conversation_id)
    form = MessageForm(request.POST, request.FILES, products=_quotable(request.actor, conversation))
    if not form.is_valid():
        raise _form_error(form)
    services.message_send(
        actor=request.actor,
        conversation=conversation,
        body=form.cleaned_data["body"],
        attachment=form.cleaned_data.get("attachment") or None,
        product_id=form.cleaned_data.get("product_id"),
    )
    if request.htmx:
        return _new_messages(request, conversation, max(_int(request.POST.get("after")), 0))
    return redirect("network:conversation", conversation_id=conversation.pk)


@require_GET
@actor_required
def attachment(request, message_id: int):
    message = selectors.message_get(actor=request.actor, id=message_id)
    if not message.attachment:
        raise NotFound()
    return FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=message.attachment_name or "attachment",
    )


@require_GET
@actor_required
def unread_badge(request):
    """The navbar's unread counter, polled by HTMX."""
    count = selectors.unread_count(actor=request.actor)
    return render(request, "network/partials/_unread_badge.html", {"count": count})


# --- platform staff: the verified badge ---------------------------------------------------
@require_GET
@actor_required
def staff_companies(request):
    """Platform staff give or withdraw the verified badge (M3). Others: 404."""
    q = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("verified", "")
    verified = {"yes": True, "no": False}.get(state)
    companies = selectors.staff_company_list(user=request.user, q=q, verified=verified)
    page = BoundedPaginator(companies, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )
    return render(
        request, "network/staff_companies.html", {"page": page, "q": q, "verified": state}
    )


@require_POST
@actor_required
def staff_company_verify(request, company_id: int):
    company = selectors.staff_company_get(user=request.user, company_id=company_id)
    verified = request.POST.get("verified") == "1"
    services.company_verify(staff_user=request.user, company=company, verified=verified)
    if verified:
        messages.success(request, _("%(name)s is now verified.") % {"name": company.name})
    else:
        messages.success(request, _("%(name)s is no longer verified.") % {"name": company.name})
    return redirect(_next(request, reverse("network:staff_companies")))
