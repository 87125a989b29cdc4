"""Customer settings for administrators: grades with their rules (M2), tags, custom fields."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, PermissionDenied

from . import grading, segments, selectors, services
from .forms import CustomFieldForm, GradeForm, TagForm


def _admin_only(actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only the company's owner or administrators can do this."))


@actor_required
def grade_index(request):
    _admin_only(request.actor)
    form = GradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            grade = grading.grade_create(actor=request.actor, data=data)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Grade “%(name)s” created.") % {"name": grade})
            return redirect("contacts:grade_index")
    grades = selectors.grade_list(actor=request.actor)
    return render(request, "contacts/settings_grades.html", {"form": form, "grades": grades})


@actor_required
def grade_edit(request, grade_id: int):
    _admin_only(request.actor)
    grade = selectors.grade_get(actor=request.actor, id=grade_id)
    initial = {f: getattr(grade, f) for f in (*grading.GRADE_FIELDS, "version")}
    form = GradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            grading.grade_update(actor=request.actor, grade=grade, data=data, version=version)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("contacts:grade_index")
    return render(request, "contacts/settings_grade_form.html", {"form": form, "grade": grade})


@require_POST
@actor_required
def grade_delete(request, grade_id: int):
    grade = selectors.grade_get(actor=request.actor, id=grade_id)
    grading.grade_delete(actor=request.actor, grade=grade)
    messages.success(request, _("Grade “%(name)s” deleted.") % {"name": grade})
    return redirect("contacts:grade_index")


@actor_required
def tag_index(request):
    _admin_only(request.actor)
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_get_or_create(actor=request.actor, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Tag “%(name)s” saved.") % {"name": tag.name})
            return redirect("contacts:tag_index")
    tags = selectors.tag_usage(actor=request.actor)
    return render(request, "contacts/settings_tags.html", {"form": form, "tags": tags})


@require_POST
@actor_required
def tag_delete(request, tag_id: int):
    tag = selectors.tag_get(actor=request.actor, id=tag_id)
    services.tag_delete(actor=request.actor, tag=tag)
    messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
    return redirect("contacts:tag_index")


@actor_required
def custom_field_index(request):
    _admin_only(request.actor)
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            field = segments.custom_field_create(actor=request.actor, data=form.cleaned_data)
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            messages.success(request, _("Field “%(name)s” created.") % {"name": field.label})
            return redirect("contacts:custom_field_index")
    fields = selectors.custom_field_list(actor=request.actor)
    return render(request, "contacts/settings_fields.html", {"form": form, "fields": fields})


@require_POST
@actor_required
def custom_field_delete(request, custom_field_id: int):
    field = selectors.custom_field_get(actor=request.actor, id=custom_field_id)
    segments.custom_field_delete(actor=request.actor, field=field)
    messages.success(request, _("Field “%(name)s” deleted.") % {"name": field.label})
    return redirect("contacts:custom_field_index")
