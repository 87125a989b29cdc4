"""The customer's page for a quotation, reached through the signed link in the email or the
platform message — no account, no login: the token is the credential. It is written in the
quotation's language, shows the quotation (and its PDF), and takes one answer: accept (typed
name, optional remarks) or decline (reason). Answers are rate-limited per link and address."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from shangyou.core.errors import ApplicationError, RateLimited

from . import acceptance, pdf, selectors
from .forms import AcceptForm, DeclineForm


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@never_cache
@csrf_protect
def public_quotation(request, token: str):
    quotation = selectors.quotation_by_token(token=token)
    with translation.override(quotation.language):
        accept_form = AcceptForm(prefix="accept")
        decline_form = DeclineForm(prefix="decline")
        error, status = "", 200
        if request.method == "POST":
            action = request.POST.get("action", "")
            try:
                acceptance.answer_rate_limit(token=token, ip=_client_ip(request))
                if action == "accept":
                    accept_form = AcceptForm(request.POST, prefix="accept")
                    if accept_form.is_valid():
                        acceptance.quotation_accept(
                            quotation=quotation,
                            name=accept_form.cleaned_data["name"],
                            note=accept_form.cleaned_data["note"],
                        )
                        return redirect("sales:public_quotation", token=token)
                elif action == "decline":
                    decline_form = DeclineForm(request.POST, prefix="decline")
                    if decline_form.is_valid():
                        acceptance.quotation_decline(
                            quotation=quotation,
                            reason=decline_form.cleaned_data["reason"],
                            name=decline_form.cleaned_data["name"],
                        )
                        return redirect("sales:public_quotation", token=token)
            except RateLimited as exc:
                error, status = str(exc.message), 429
            except ApplicationError as exc:
                error = str(exc.message)
            quotation.refresh_from_db()
        response = render(
            request,
            "sales/public_quotation.html",
            {
                "quotation": quotation,
                "lines": list(selectors.quotation_lines(quotation=quotation)),
                "token": token,
                "problem": acceptance.answer_problem(quotation),
                "accept_form": accept_form,
                "decline_form": decline_form,
                "error": error,
                "language": quotation.language,
            },
            status=status,
        )
    response["X-Robots-Tag"] = "noindex"
    # The signed link must not leak to other sites through the Referer header, but not
    # "no-referrer": with it Chromium sends `Origin: null` on the answer form's POST, which
    # Django's CSRF check rejects (403) — the customer could not accept at all.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def public_quotation_pdf(request, token: str):
    quotation = selectors.quotation_by_token(token=token)
    content = pdf.quotation_pdf(quotation=quotation)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.pdf_filename(quotation)}"'
    response["X-Robots-Tag"] = "noindex"
    return response
