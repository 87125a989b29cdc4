import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from .errors import ApplicationError, NotFound

logger = logging.getLogger(__name__)

# The database went away: a restart, a failover, a dropped connection. Not a bug — a short,
# retryable outage. Django reconnects by itself on the next request (CONN_HEALTH_CHECKS).
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException) -> bool:
    """The error means the database is unreachable, not that a statement was wrong: an
    OperationalError/InterfaceError, or any other database error raised as the connection
    broke under it (a server restarting mid-query can surface as a plain DatabaseError)."""
    if isinstance(exc, DATABASE_ERRORS):
        return True
    return isinstance(exc, DatabaseError) and connection_is_broken()


def connection_is_broken() -> bool:
    """The default connection is gone: never opened, closed, or broken under a query."""
    raw = connection.connection
    try:
        return raw is None or bool(getattr(raw, "closed", False) or getattr(raw, "broken", False))
    except Exception:  # noqa: BLE001 - a connection too broken to inspect is an outage too
        return True


def is_serialization_outage(exc: BaseException) -> bool:
    """A pydantic ValidationError raised while an API response was serialised, because reading
    an attribute (a resolver's query, a lazy relation) hit the lost database. pydantic keeps
    only the error's text (`ctx.error`, "OperationalError: …"), not the exception itself."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return False
    for error in errors():
        if error.get("type") != "get_attribute_error":
            continue
        name = str(error.get("ctx", {}).get("error", "")).split(":", 1)[0]
        if name in {cls.__name__ for cls in DATABASE_ERRORS}:
            return True
        if name in _DATABASE_ERROR_NAMES and connection_is_broken():
            return True
    return False


_DATABASE_ERROR_NAMES = {
    "DatabaseError", "DataError", "IntegrityError", "InternalError", "NotSupportedError",
    "ProgrammingError",
}  # fmt: skip


RETRY_AFTER_SECONDS = 5
# The API's words (core.api's handler answers through `database_unavailable` too); the page
# says what is going on.
UNAVAILABLE_API_MESSAGE = _("The service is briefly unavailable. Try again.")
UNAVAILABLE_PAGE_MESSAGE = _(
    "The database cannot be reached at the moment — it is probably restarting. "
    "Please try again in a few seconds."
)


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def database_unavailable(request, exc: BaseException) -> HttpResponse:
    """503 + Retry-After for an unreachable database: JSON for the API (the same body as the
    API's own handler), a self-contained page for the browser. Touches neither the database
    nor the session, so it renders while the database is down."""
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"code": "unavailable", "message": str(UNAVAILABLE_API_MESSAGE)}, status=503
        )
    else:
        page = loader.render_to_string("503.html", {"message": UNAVAILABLE_PAGE_MESSAGE})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, template_name: str = "500.html"):
    """`handler500`: an unreachable database raised outside a view (the session or the actor
    loaded by a middleware) is a 503 too; anything else is Django's 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return database_unavailable(request, exc)
    return defaults.server_error(request, template_name)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ApplicationErrorMiddleware:
    """Turn an ApplicationError escaping an HTML view into a page or a message — mapped once here.

    NotFound becomes a 404; other errors on a form post go back with a message; HTMX requests get
    the message as a small fragment. A lost database is a 503 (see `database_unavailable`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message)) from exception
        if getattr(request, "htmx", False):
            response = TemplateResponse(
                request, "components/_error.html", {"error": exception}, status=200
            )
            response.headers["HX-Retarget"] = "#messages"
            response.headers["HX-Reswap"] = "beforeend"
            return response
        if request.method == "POST":
            messages.error(request, str(exception.message))
            # Back to the page the form was on: an action URL (…/delete/, …/purge/) is often
            # POST-only, and redirecting there would show "405 Method Not Allowed".
            back = request.headers.get("Referer", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = request.get_full_path()
            return redirect(back)
        return TemplateResponse(
            request,
            "components/error_page.html",
            {"error": exception},
            status=exception.status_code,
        )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
