from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import ApplicationError, NotFound


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
    the message as a small fragment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
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
