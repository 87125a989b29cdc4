"""Reads for customers and contacts — always through the actor's company and record rules.

`customer_list` takes the same filter dictionary that segments store, so a saved segment is just
a named filter (C3).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.search import search_filter
from shangyou.core.selectors import scope_records

from .models import Contact, Customer, CustomerMerge, CustomField, Grade, Segment, Tag

CUSTOMER_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "last_contacted": ("last_contacted_at", "id"),
    "-last_contacted": ("-last_contacted_at", "-id"),
}
# What a row of the customer list shows (`customer_table`; contacts/partials/_customer_table.html).
CUSTOMER_TABLE_COLUMNS = (
    "name", "code", "is_blacklisted", "stage", "phone", "province", "city",
    "last_contacted_at", "updated_at", "created_at", "owner__full_name", "owner__email",
    "grade__code", "grade__name",
)  # fmt: skip
# Filters a segment may store (and the list page and API accept).
FILTER_KEYS = (
    "q", "stage", "kind", "owner", "team", "grade", "tag", "province", "city", "country",
    "industry", "source", "blacklisted", "supplier", "no_contact_days", "created_after",
    "created_before", "has_email", "has_phone", "consent",
)  # fmt: skip


def apply_filters(customers: QuerySet[Customer], filters: dict[str, Any]) -> QuerySet[Customer]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    if f.get("q"):
        customers = search_filter(customers, str(f["q"]))
    for key, field in (
        ("stage", "stage"), ("kind", "kind"), ("province", "province"), ("city", "city"),
        ("country", "country"), ("industry", "industry"), ("source", "source"),
    ):  # fmt: skip
        if key in f:
            values = f[key] if isinstance(f[key], list) else [f[key]]
            customers = customers.filter(**{f"{field}__in": values})
    if "owner" in f:
        customers = (
            customers.filter(owner_id__isnull=True)
            if f["owner"] == "none"
            else (customers.filter(owner_id=f["owner"]))
        )
    if "team" in f:
        customers = customers.filter(team_id=f["team"])
    if "grade" in f:
        values = f["grade"] if isinstance(f["grade"], list) else [f["grade"]]
        customers = customers.filter(grade_id__in=values)
    if "tag" in f:
        for tag in f["tag"] if isinstance(f["tag"], list) else [f["tag"]]:
            customers = customers.filter(tags__id=tag)
    if "blacklisted" in f:
        customers = customers.filter(is_blacklisted=_truthy(f["blacklisted"]))
    if "supplier" in f:
        customers = customers.filter(is_supplier=_truthy(f["supplier"]))
    if "no_contact_days" in f:
        cutoff = timezone.now() - timedelta(days=int(f["no_contact_days"]))
        customers = customers.filter(
            Q(last_contacted_at__lt=cutoff) | Q(last_contacted_at__isnull=True)
        )
    if "created_after" in f:
        customers = customers.filter(created_at__date__gte=f["created_after"])
    if "created_before" in f:
        customers = customers.filter(created_at__date__lte=f["created_before"])
    if "has_email" in f:
        customers = (
            customers.exclude(email="") if _truthy(f["has_email"]) else customers.filter(email="")
        )
    if "has_phone" in f:
        customers = (
            customers.exclude(phone="") if _truthy(f["has_phone"]) else customers.filter(phone="")
        )
    if "consent" in f and f["consent"] in {"email", "sms", "im"}:
        customers = customers.filter(**{f"consent_{f['consent']}": True})
    return customers


def _truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on", "是"}


def customer_list(
    *,
    actor: Actor,
    q: str = "",
    stage: str = "",
    owner_id: int | None = None,
    sort: str = "-updated",
    filters: dict[str, Any] | None = None,
) -> QuerySet[Customer]:
    customers = scope_records(Customer.objects.all(), actor=actor)
    combined = dict(filters or {})
    if q:
        combined["q"] = q
    if stage:
        combined["stage"] = stage
    if owner_id:
        combined["owner"] = owner_id
    customers = apply_filters(customers, combined)
    if combined.get("tag"):
        customers = customers.distinct()
    return customers.select_related("owner", "team", "grade").order_by(
        *CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["-updated"])
    )


def customer_get(*, actor: Actor, id: int) -> Customer:
    customer = (
        scope_records(Customer.objects.all(), actor=actor)
        .select_related("owner", "team", "updated_by", "grade")
        .filter(pk=id)
        .first()
    )
    if customer is None:
        raise NotFound()
    return customer


def contact_list(*, actor: Actor, q: str = "", customer_id: int | None = None) -> QuerySet[Contact]:
    """Contacts of the customers the actor may see (not in the trash): the record rules are
    applied to the contact's customer through the join the page reads anyway, so the database
    walks the list's order and looks each customer up by id (an `IN (visible customers)`
    subquery made SQLite list all of a company's customers for every page)."""
    contacts = scope_records(
        Contact.objects.filter(customer__deleted_at__isnull=True),
        actor=actor,
        owner_field="customer__owner",
        team_field="customer__team",
    )
    if customer_id:
        contacts = contacts.filter(customer_id=customer_id)
    if q:
        contacts = search_filter(contacts, q)
    return contacts.select_related("customer").order_by("-is_primary", "name", "id")


def contact_get(*, actor: Actor, id: int) -> Contact:
    contact = contact_list(actor=actor).filter(pk=id).first()
    if contact is None:
        raise NotFound()
    return contact


def tag_list(*, actor: Actor) -> QuerySet[Tag]:
    return Tag.objects.filter(company_id=actor.company_id).order_by("name")


def grade_list(*, actor: Actor) -> QuerySet[Grade]:
    return Grade.objects.filter(company_id=actor.company_id).order_by("rank", "code")


def grade_get(*, actor: Actor, id: int) -> Grade:
    grade = grade_list(actor=actor).filter(pk=id).first()
    if grade is None:
        raise NotFound()
    return grade


def custom_field_list(*, actor: Actor) -> QuerySet[CustomField]:
    return CustomField.objects.filter(company_id=actor.company_id)


def segment_list(*, actor: Actor) -> QuerySet[Segment]:
    """Shared segments and the actor's own (`segment_visible` is the same rule in Python)."""
    return Segment.objects.filter(company_id=actor.company_id).filter(
        Q(is_shared=True) | Q(owner_id=actor.user_id)
    )


def segment_visible(segment: Segment, *, actor: Actor) -> bool:
    return segment.is_shared or segment.owner_id == actor.user_id


def list_lookups(*, actor: Actor) -> dict[str, list]:
    """What the customer list's panels offer — the company's active members
    (`member_choices`), grades, tags, and the segments the actor may use — read from the cache
    while none of them changed (`core.lookups`): the list shows them on every request."""
    from shangyou.accounts.selectors import member_choices
    from shangyou.core import lookups

    def load() -> dict[str, list]:
        return {
            "grades": list(grade_list(actor=actor)),
            "tags": list(tag_list(actor=actor)),
            # every segment of the company: the cache is shared by its users
            "segments": list(
                Segment.objects.filter(company_id=actor.company_id).order_by("name", "id")
            ),
        }

    found = lookups.cached(actor.company_id, "customer-list", load)
    segments = [s for s in found["segments"] if segment_visible(s, actor=actor)]
    return {**found, "members": member_choices(actor=actor), "segments": segments}


def segment_get(*, actor: Actor, id: int) -> Segment:
    segment = segment_list(actor=actor).filter(pk=id).first()
    if segment is None:
        raise NotFound()
    return segment


def segment_customers(*, actor: Actor, segment: Segment) -> QuerySet[Customer]:
    return customer_list(actor=actor, filters=segment.filters)


def merge_get(*, actor: Actor, id: int) -> CustomerMerge:
    merge = CustomerMerge.objects.filter(company_id=actor.company_id, pk=id).first()
    if merge is None:
        raise NotFound()
    return merge


# --- reads for the pages ------------------------------------------------------------------------
def customer_table(
    *, actor: Actor, filters: dict[str, Any] | None = None, sort: str = "-updated"
) -> QuerySet[Customer]:
    """`customer_list` with what a list row shows (owner, grade, tags as `row_tags`) loaded in
    bulk — and nothing else: of a customer's ~50 columns and its owner's, team's and grade's, a
    row shows a dozen, and reading and building the rest was most of the page's time outside
    templates."""
    from django.db.models import Prefetch

    return (
        customer_list(actor=actor, filters=filters, sort=sort)
        .select_related(None)
        .select_related("owner", "grade")
        .only(*CUSTOMER_TABLE_COLUMNS)
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("name").order_by("name"), to_attr="row_tags")
        )
    )


#: A kanban column counts its customers up to this many ("more than 1,000").
KANBAN_COUNT_CAP = 1000


def customer_kanban(
    *, actor: Actor, filters: dict[str, Any] | None = None, per_column: int = 50
) -> list[dict[str, Any]]:
    """One column per stage: its customers (newest first, at most `per_column`) and how many
    there are — counted up to `KANBAN_COUNT_CAP` (`count_exact` False past it), all columns in
    one statement: a company's whole customer base is never counted."""
    from shangyou.core.selectors import count_many

    filters = {k: v for k, v in (filters or {}).items() if k != "stage"}
    base = customer_list(actor=actor, filters=filters)
    stages = Customer.Stage.choices
    limit = KANBAN_COUNT_CAP + 1
    counts = count_many(**{v: base.filter(stage=v).order_by()[:limit] for v, _label in stages})
    columns = []
    for value, label in stages:
        cards = list(base.filter(stage=value)[:per_column])
        count = counts[value]
        columns.append(
            {
                "stage": value,
                "label": label,
                "count": min(count, KANBAN_COUNT_CAP),
                "count_exact": count <= KANBAN_COUNT_CAP,
                "customers": cards,
            }
        )
    return columns


# Other apps add to the customer page without contacts importing them (dependencies run one
# way: sales → contacts). A figure provider returns [{"key", "label", "value", "hint"?, "url"?}]
# shown in the page header; a section provider returns [{"template", "context"}, …] rendered in
# the page's "Sales" tab, which loads when it is opened.
CUSTOMER_FIGURE_PROVIDERS: list[Callable[..., list[dict[str, Any]]]] = []
CUSTOMER_SECTION_PROVIDERS: list[Callable[..., list[dict[str, Any]]]] = []


def customer_extra_figures(*, actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    for provider in CUSTOMER_FIGURE_PROVIDERS:
        figures.extend(provider(actor=actor, customer=customer))
    return figures


def customer_sections(*, actor: Actor, customer: Customer) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    for provider in CUSTOMER_SECTION_PROVIDERS:
        sections.extend(provider(actor=actor, customer=customer))
    return sections


def tag_get(*, actor: Actor, id: int) -> Tag:
    tag = tag_list(actor=actor).filter(pk=id).first()
    if tag is None:
        raise NotFound()
    return tag


def tag_usage(*, actor: Actor) -> QuerySet[Tag]:
    """Tags with how many (visible to everyone in the company) customers carry each."""
    from django.db.models import Count

    return tag_list(actor=actor).annotate(
        customer_count=Count("customers", filter=Q(customers__deleted_at__isnull=True))
    )


def custom_field_get(*, actor: Actor, id: int) -> CustomField:
    field = custom_field_list(actor=actor).filter(pk=id).first()
    if field is None:
        raise NotFound()
    return field


def segment_list_for_page(*, actor: Actor) -> QuerySet[Segment]:
    return segment_list(actor=actor).select_related("owner").order_by("name", "id")


def merge_recent_for(*, actor: Actor, merge_id: int) -> CustomerMerge:
    merge = (
        CustomerMerge.objects.filter(company_id=actor.company_id, pk=merge_id)
        .select_related("merged")
        .first()
    )
    if merge is None:
        raise NotFound()
    return merge


def customers_by_ids(*, actor: Actor, ids: list[int]) -> QuerySet[Customer]:
    """The chosen rows of a list, as far as the actor may see them."""
    return customer_list(actor=actor).filter(pk__in=ids)
