from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from shangyou.core.api import Page, paginate
from shangyou.core.schema import Schema

from . import services

router = Router(tags=["collaboration"])


class CommentIn(Schema):
    kind: str = Field(description="The record's type, e.g. contacts.customer")
    object_id: int
    body: str = Field(min_length=1)


class CommentOut(Schema):
    id: int
    author_id: int | None
    body: str
    created_at: datetime
    mention_ids: list[int]

    @staticmethod
    def resolve_mention_ids(obj) -> list[int]:
        return [u.pk for u in obj.mentions.all()]


class FollowIn(Schema):
    kind: str
    object_id: int
    following: bool = True


class NotificationOut(Schema):
    id: int
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


class ReadIn(Schema):
    ids: list[int] | None = None


@router.get("/comments", response=Page[CommentOut])
def comment_list(request: HttpRequest, kind: str, object_id: int, limit: int = 50, offset: int = 0):
    target = services.target_get(actor=request.auth, kind=kind, id=object_id)
    comments = services.comment_list(actor=request.auth, target=target).prefetch_related("mentions")
    return paginate(request, comments, limit=limit, offset=offset)


@router.post("/comments", response={201: CommentOut})
def comment_add(request: HttpRequest, payload: CommentIn):
    """Comment on a record; `@name` or `@email` mentions a colleague, who is notified."""
    target = services.target_get(actor=request.auth, kind=payload.kind, id=payload.object_id)
    return Status(201, services.comment_add(actor=request.auth, target=target, body=payload.body))


@router.post("/follow", response=dict)
def follow(request: HttpRequest, payload: FollowIn):
    target = services.target_get(actor=request.auth, kind=payload.kind, id=payload.object_id)
    services.follow(actor=request.auth, target=target, following=payload.following)
    return {"following": payload.following}


@router.get("/notifications", response=Page[NotificationOut])
def notification_list(request: HttpRequest, unread: bool = False, limit: int = 50, offset: int = 0):
    items = services.notification_list(actor=request.auth, unread_only=unread)
    return paginate(request, items, limit=limit, offset=offset)


@router.post("/notifications/read", response=dict)
def notifications_read(request: HttpRequest, payload: ReadIn):
    return {"read": services.notifications_mark_read(actor=request.auth, ids=payload.ids)}
