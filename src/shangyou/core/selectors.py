"""Generic reads: record rules, audit history, trash, task progress, outbox."""

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q, QuerySet

from .actor import Actor, Role
from .errors import NotFound, PermissionDenied
from .models import AuditEntry, OutboxMessage, TaskProgress, TrashItem


def scope_records(
    queryset: QuerySet, *, actor: Actor, owner_field: str = "owner", team_field: str = "team"
) -> QuerySet:
    """Company scope plus the record rules of the actor's role.

    owner/admin/read-only see the company's records; a manager sees the records of their team
    (and their own); sales and service see the records they own.
    """
    queryset = queryset.filter(company_id=actor.company_id)
    if actor.role == Role.MANAGER:
        rule = Q(**{f"{owner_field}_id": actor.user_id})
        if actor.team_id:
            rule |= Q(**{f"{team_field}_id": actor.team_id})
        return queryset.filter(rule)
    if actor.sees_own_records_only:
        return queryset.filter(**{f"{owner_field}_id": actor.user_id})
    return queryset


def count_many(**querysets: QuerySet) -> dict[str, int]:
    """How many rows each queryset has, read in ONE statement of scalar subqueries.

    For a page that shows several counts (tabs, key figures): each count on its own costs a
    round trip and an ORM compilation — about a millisecond each, more than the counting.
    Slice a queryset (`qs[:1]`) to ask only whether it has rows. All on one database."""
    if not querysets:
        return {}
    parts, params, using = [], [], None
    for queryset in querysets.values():
        using = queryset.db
        if not queryset.query.is_sliced:
            queryset = queryset.order_by()
        sql, sub_params = queryset.values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608 - ORM SQL
        params.extend(sub_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def history_for(*, actor: Actor, instance) -> QuerySet[AuditEntry]:
    if getattr(instance, "company_id", actor.company_id) != actor.company_id:
        raise NotFound()
    return AuditEntry.objects.filter(
        company_id=actor.company_id,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("user")


def audit_list(*, actor: Actor) -> QuerySet[AuditEntry]:
    if not actor.is_admin:
        raise PermissionDenied()
    return AuditEntry.objects.filter(company_id=actor.company_id).select_related(
        "user", "content_type"
    )


def trash_list(*, actor: Actor) -> QuerySet[TrashItem]:
    items = TrashItem.objects.filter(company_id=actor.company_id).select_related(
        "content_type", "deleted_by"
    )
    if not actor.is_admin:
        items = items.filter(deleted_by=actor.user)
    return items


def task_progress_get(*, actor: Actor, id) -> TaskProgress:
    from .progress import live_progress

    progress = TaskProgress.objects.filter(pk=id, company_id=actor.company_id).first()
    if progress is None:
        raise NotFound()
    return live_progress(progress)


def outbox_list(*, actor: Actor) -> QuerySet[OutboxMessage]:
    """Emails sent on behalf of the company, plus those addressed to its members."""
    if not actor.is_owner and not actor.is_admin:
        raise PermissionDenied(_no_outbox())
    from shangyou.accounts.models import Membership

    emails = list(
        Membership.objects.filter(company_id=actor.company_id).values_list("user__email", flat=True)
    )
    rule = Q(company_id=actor.company_id)
    for email in emails[:200]:
        rule |= Q(company__isnull=True, to__icontains=email)
    return OutboxMessage.objects.filter(rule)


def _no_outbox():
    from django.utils.translation import gettext as _

    return _("Only the company's owner can read the outbox.")
