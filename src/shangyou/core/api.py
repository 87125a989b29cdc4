"""The REST API root: `/api/v1/`, django-ninja.

django-ninja was chosen over DRF because its endpoints are typed functions with pydantic input and
output schemas — the OpenAPI schema is generated from the same types that validate requests — and
it stays thin, which is what our "views call one service" rule wants.

Auth: `Authorization: Bearer <token>` (see `shangyou token create`) or the browser session (with
CSRF). Errors from `core.errors` are mapped to HTTP here, once. List endpoints share one envelope:
`{"items": [...], "count": N, "next": url|null, "previous": url|null}`.
"""

import logging
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ValidationError as PydanticValidationError

from shangyou.core.errors import ApplicationError, ValidationFailed
from shangyou.core.schema import Schema

T = TypeVar("T")
logger = logging.getLogger(__name__)


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from shangyou.accounts.selectors import actor_for_token

        actor = actor_for_token(raw_key=token)
        if actor is not None:
            request.actor = actor
        return actor


class SessionActorAuth(APIKeyCookie):
    """The browser's session, for HTMX and scripts on our own pages (CSRF checked)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        return getattr(request, "actor", None)


api = NinjaAPI(
    title="Shangyou 商友 CRM API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionActorAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] = {}
    extra: dict[str, Any] = {}


class Page(Schema, Generic[T]):
    items: list[T]
    count: int
    count_is_exact: bool = True
    next: str | None = None
    previous: str | None = None


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    body = {"code": exc.code, "message": str(exc.message), "extra": exc.extra}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def request_validation_error(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(loc) or "__all__", []).append(item.get("msg", ""))
    return api.create_response(
        request,
        {"code": "validation_failed", "message": _("Some fields are not valid."), "errors": errors},
        status=422,
    )


@api.exception_handler(DatabaseError)
def database_unavailable(request, exc):
    """The database went away (restart, failover): the same clean, retryable 503 as pages get
    (`core.middleware.database_unavailable`); the next request reconnects by itself
    (CONN_HEALTH_CHECKS). Any other database error is a bug: a 500."""
    from .middleware import database_unavailable as unavailable
    from .middleware import is_database_outage

    if not is_database_outage(exc):
        raise exc
    return unavailable(request, exc)


@api.exception_handler(PydanticValidationError)
def response_not_serialisable(request, exc):
    """pydantic wraps what a lazy attribute raised while a response was serialised (a
    resolver's query) in its own ValidationError: a lost database there is the same 503; any
    other such error is a bug (a 500)."""
    from .middleware import database_unavailable as unavailable
    from .middleware import is_serialization_outage

    if not is_serialization_outage(exc):
        raise exc
    return unavailable(request, exc)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request,
        {"code": "unauthorized", "message": _("Sign in or send a valid API token.")},
        status=401,
    )


def paginate(
    request: HttpRequest,
    queryset,
    *,
    limit: int = 50,
    offset: int = 0,
    count=None,
    search: bool = False,
    cap: int | None = None,
    walk_when_capped: bool = False,
):
    """Slice a queryset into the shared list envelope. The count stops at 10,000 rows past the
    page (`count_is_exact` is then false): no request counts a million rows. A search
    (`search=True`) is counted to `cap` (default 1,000) and paged in one pass over its matches
    (`core.pagination.matches_page`); `walk_when_capped`: see `core.pagination.page_rows`."""
    from .pagination import DEFAULT_CAP, SEARCH_CAP, bounded_count, matches_page, page_rows

    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    exact = True
    matched = None
    if search and count is None and hasattr(queryset, "values_list"):
        bound = max(cap or SEARCH_CAP, offset + limit + 1)
        matched = matches_page(queryset, offset=offset, limit=limit + 1, cap=bound)
    if matched is not None:
        count, exact = matched.count, matched.exact
    if matched is not None and matched.rows is not None:
        items = matched.rows
    elif hasattr(queryset, "values_list"):
        walk = walk_when_capped and matched is not None and not matched.exact
        items = page_rows(queryset, offset, limit + 1, walk=walk)
    else:
        items = list(queryset[offset : offset + limit + 1])
    has_next = len(items) > limit
    items = items[:limit]
    if count is None:
        if hasattr(queryset, "values_list"):
            count, exact = bounded_count(queryset, cap=max(DEFAULT_CAP, offset + limit))
        else:
            count = len(queryset)

    def link(new_offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "items": items,
        "count": count,
        "count_is_exact": exact,
        "next": link(offset + limit) if has_next else None,
        "previous": link(max(0, offset - limit)) if offset else None,
    }


def version_from(request: HttpRequest, body_version: int | None) -> int | None:
    """The version the client last saw: from the body, or an `If-Match` header."""
    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match", "").strip().strip("W/").strip('"')
    return int(header) if header.isdigit() else None
