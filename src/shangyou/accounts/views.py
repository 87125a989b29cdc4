from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed

from . import selectors, services
from .forms import (
    AcceptInvitationForm,
    InvitationForm,
    LoginForm,
    MembershipForm,
    ProfileForm,
    RegistrationForm,
    TeamForm,
)
from .middleware import SESSION_COMPANY_KEY


def _apply_form_error(form, exc: ApplicationError) -> None:
    if isinstance(exc, ValidationFailed) and exc.errors:
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, str(exc.message))


def _login(request, user) -> None:
    login(request, user, backend="shangyou.accounts.backends.EmailBackend")
    if user.language:
        request.session["_language"] = user.language


def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except ApplicationError as exc:  # throttled
            _apply_form_error(form, exc)
            valid = False
        if valid:
            _login(request, form.user)
            next_url = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            response = redirect(next_url or "core:home")
            if form.user.language:
                response.set_cookie("django_language", form.user.language, samesite="Lax")
            return response
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = services.registration_start(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                company_name=data["company_name"],
                member_type=data["member_type"],
                language=translation.get_language() or "",
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            request.session["registration_email"] = pending.email
            return redirect("accounts:register_sent")
    return render(request, "accounts/register.html", {"form": form})


def register_sent(request):
    return render(
        request, "accounts/register_sent.html", {"email": request.session.get("registration_email")}
    )


def register_verify(request, token: str):
    try:
        user, company = services.registration_verify(token=token)
    except ApplicationError as exc:
        return render(request, "accounts/register_failed.html", {"error": exc}, status=400)
    _login(request, user)
    request.session[SESSION_COMPANY_KEY] = company.pk
    return redirect("accounts:register_done")


@login_required
def register_done(request):
    return render(request, "accounts/register_done.html")


def invitation_accept(request, token: str):
    try:
        invitation = selectors.invitation_by_token(raw_token=token)
    except ApplicationError:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    existing = request.user if request.user.is_authenticated else None
    if request.method == "POST" and (existing or form.is_valid()):
        try:
            membership = services.invitation_accept(
                raw_token=token,
                user=existing,
                full_name=form.cleaned_data.get("full_name", "") if not existing else "",
                password=form.cleaned_data.get("password", "") if not existing else "",
            )
        except ApplicationError as exc:
            if existing:  # the form was not filled in (unbound): it has no cleaned_data yet
                form.cleaned_data = {}
            _apply_form_error(form, exc)
        else:
            if not existing:
                _login(request, membership.user)
            request.session[SESSION_COMPANY_KEY] = membership.company_id
            messages.success(
                request, _("Welcome to %(company)s!") % {"company": membership.company.name}
            )
            return redirect("core:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
    )


@require_POST
@login_required
def switch_company(request):
    try:
        company_id = int(request.POST.get("company_id", ""))
    except ValueError:
        raise NotFound(_("You are not a member of that company.")) from None
    actor = services.company_switch(user=request.user, company_id=company_id)
    request.session[SESSION_COMPANY_KEY] = actor.company_id
    messages.success(request, _("Now working in %(company)s.") % {"company": actor.company.name})
    return redirect("core:home")


@actor_required
def members(request):
    actor = request.actor
    teams = list(selectors.team_list(actor=actor))
    invite_form = InvitationForm(teams=teams, prefix="invite")
    team_form = TeamForm(prefix="team")
    if request.method == "POST":
        try:
            if "invite-email" in request.POST:
                invite_form = InvitationForm(request.POST, teams=teams, prefix="invite")
                if invite_form.is_valid():
                    data = invite_form.cleaned_data
                    services.invitation_create(
                        actor=actor, email=data["email"], role=data["role"], team_id=data["team"]
                    )
                    messages.success(
                        request, _("Invitation sent to %(email)s.") % {"email": data["email"]}
                    )
                    return redirect("accounts:members")
            elif "team-name" in request.POST:
                team_form = TeamForm(request.POST, prefix="team")
                if team_form.is_valid():
                    services.team_create(actor=actor, name=team_form.cleaned_data["name"])
                    messages.success(request, _("Team created."))
                    return redirect("accounts:members")
        except PermissionDenied as exc:  # the forms are shown to admins only: say it above
            messages.error(request, str(exc.message))
        except ApplicationError as exc:
            _apply_form_error(invite_form if "invite-email" in request.POST else team_form, exc)
    context = {
        "memberships": selectors.membership_list(actor=actor),
        "invitations": selectors.invitation_list(actor=actor).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "teams": teams,
        "invite_form": invite_form,
        "team_form": team_form,
    }
    return render(request, "accounts/members.html", context)


@actor_required
def member_edit(request, member_id: int):
    actor = request.actor
    membership = selectors.membership_get(actor=actor, id=member_id)
    teams = list(selectors.team_list(actor=actor))
    initial = {
        "role": membership.role,
        "team": membership.team_id,
        "is_active": membership.is_active,
    }
    form = MembershipForm(request.POST or None, initial=initial, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=actor,
                membership=membership,
                role=form.cleaned_data["role"],
                team_id=form.cleaned_data["team"],
                is_active=form.cleaned_data["is_active"],
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:members")
    return render(request, "accounts/member_edit.html", {"membership": membership, "form": form})


@require_POST
@actor_required
def invitation_revoke(request, invitation_id: int):
    invitation = selectors.invitation_get(actor=request.actor, id=invitation_id)
    services.invitation_revoke(actor=request.actor, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:members")


@actor_required
def tokens(request):
    created_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            services.token_revoke(actor=request.actor, token_id=int(request.POST["revoke"]))
            messages.success(request, _("Token revoked."))
            return redirect("accounts:tokens")
        _token, created_key = services.token_create(
            user=request.user, company=request.actor.company, name=request.POST.get("name", "")
        )
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.token_list(actor=request.actor), "created_key": created_key},
    )


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "language": user.language or translation.get_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        user.full_name = form.cleaned_data["full_name"]
        user.language = form.cleaned_data["language"]
        user.save(update_fields=["full_name", "language"])
        translation.activate(user.language)
        messages.success(request, _("Saved."))
        response = redirect("accounts:profile")
        response.set_cookie("django_language", user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    html_email_template_name = "accounts/email/password_reset_body.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
