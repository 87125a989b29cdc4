"""Comments with @mentions on any record; followers are notified in the app and by email (X4).

A domain app makes its records commentable with `register_target("app.model", getter)`, where
`getter(actor=…, id=…)` is its permission-aware selector — so only someone who may see a record
can comment on it or read its comments.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangyou.accounts.models import Membership, User
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.services import model_create, require_write

from .models import Comment, Follower, Notification

TARGETS: dict[str, tuple[Callable, Callable]] = {}
MENTION_RE = re.compile(r"@([\w.\-+]+(?:@[\w.\-]+)?)", re.UNICODE)


def register_target(label: str, getter: Callable, url: Callable) -> None:
    """`getter(actor=, id=)` returns the record or raises NotFound; `url(obj)` its page."""
    TARGETS[label] = (getter, url)


def target_get(*, actor: Actor, kind: str, id: int):
    if kind not in TARGETS:
        raise NotFound()
    getter, _url = TARGETS[kind]
    return getter(actor=actor, id=id)


def _content_type(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj)


def mentioned_members(*, actor: Actor, body: str) -> list[User]:
    """@张伟, @zhang.wei@example.cn or @zhang.wei (the part of the email before @)."""
    tokens = {m.lower() for m in MENTION_RE.findall(body)}
    if not tokens:
        return []
    found = []
    for membership in Membership.objects.filter(
        company_id=actor.company_id, is_active=True
    ).select_related("user"):
        user = membership.user
        names = {
            user.email.lower(),
            user.email.split("@")[0].lower(),
            user.full_name.replace(" ", "").lower(),
        }
        if tokens & names:
            found.append(user)
    return found


@transaction.atomic
def comment_add(*, actor: Actor, target, body: str) -> Comment:
    require_write(actor)
    body = body.strip()
    if not body:
        raise ValidationFailed(_("Write a comment first."), errors={"body": [_("Required.")]})
    content_type = _content_type(target)
    comment = model_create(
        actor=actor,
        instance=Comment(
            target_type=content_type, target_id=target.pk, author=actor.user, body=body
        ),
    )
    mentioned = mentioned_members(actor=actor, body=body)
    comment.mentions.set(mentioned)
    for user in [actor.user, *mentioned]:
        Follower.objects.get_or_create(
            company=actor.company, target_type=content_type, target_id=target.pk, user=user
        )
    recipients = User.objects.filter(
        pk__in=Follower.objects.filter(
            company=actor.company, target_type=content_type, target_id=target.pk
        ).values("user_id"),
        memberships__company=actor.company,
        memberships__is_active=True,
    ).exclude(pk=actor.user_id)
    label = f"{content_type.app_label}.{content_type.model}"
    url = TARGETS[label][1](target) if label in TARGETS else ""
    for user in recipients:
        # in the recipient's language, not the author's
        params = {"who": actor.user.display_name, "what": str(target), "body": body[:200]}
        if user in mentioned:
            message = gettext_lazy("%(who)s mentioned you on %(what)s: %(body)s")
        else:
            message = gettext_lazy("%(who)s commented on %(what)s: %(body)s")
        notify(company=actor.company, user=user, message=message, params=params, url=url,
               actor_user=actor.user)  # fmt: skip
    return comment


def notify(*, company, user: User, message, params: dict, url: str = "", actor_user=None) -> None:
    """Tell one member something: an in-app notification and, after commit, an email — both in
    the recipient's language (`message` is lazy, translated here)."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = (str(message) % params)[:500]
    Notification.objects.create(company=company, user=user, actor=actor_user, text=text, url=url)
    transaction.on_commit(
        lambda: send_templated_mail(
            to=[user.email],
            template="collab/email/notification",
            context={"text": text, "link": settings.SITE_URL + url},
            company=company,
            language=user.language or None,
        )
    )


def comment_list(*, actor: Actor, target) -> QuerySet[Comment]:
    return Comment.objects.filter(
        company_id=actor.company_id, target_type=_content_type(target), target_id=target.pk
    ).select_related("author")


def follow(*, actor: Actor, target, following: bool = True) -> None:
    lookup = {
        "company": actor.company,
        "target_type": _content_type(target),
        "target_id": target.pk,
        "user": actor.user,
    }
    if following:
        Follower.objects.get_or_create(**lookup)
    else:
        Follower.objects.filter(**lookup).delete()


def followings(*, actor: Actor, target) -> QuerySet[Follower]:
    """The actor's following of the record: one row or none."""
    return Follower.objects.filter(
        company_id=actor.company_id,
        target_type=_content_type(target),
        target_id=target.pk,
        user=actor.user,
    )


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    items = Notification.objects.filter(
        company_id=actor.company_id, user=actor.user
    ).select_related("actor")
    return items.filter(read_at__isnull=True) if unread_only else items


def notifications_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    items = notification_list(actor=actor, unread_only=True)
    if ids is not None:
        items = items.filter(pk__in=ids)
    return items.update(read_at=timezone.now())


def notification_unread_count(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread_only=True).count()
