"""The import wizard (C1): upload → preview (row errors with the file's row numbers, duplicate
decisions) → commit as a background task → progress and result."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError

from . import importing
from .forms import ImportUploadForm
from .models import Customer, ImportJob

# Chinese header with the English one as a hint in brackets: the importer reads either.
TEMPLATE_COLUMNS = [
    ("客户名称", "Name", "上海恒通五金有限公司"),
    ("类型", "Type", "公司"),
    ("联系人", "Contact", "张伟"),
    ("职位", "Title", "采购经理"),
    ("电话", "Phone", "+86 21 5555 0101"),
    ("邮箱", "Email", "zhangwei@example.cn"),
    ("省份", "Province", "上海"),
    ("城市", "City", "上海"),
    ("地址", "Address", "浦东新区世纪大道 100 号"),
    ("行业", "Industry", "五金"),
    ("等级", "Grade", ""),
    ("标签", "Tags", "展会, 重点"),
    ("来源", "Source", "展会"),
    ("微信", "WeChat", ""),
    ("备注", "Notes", ""),
]
DECISION_CHOICES = (
    ("skip", gettext_lazy("Skip")),
    ("merge", gettext_lazy("Merge into the existing customer")),
    ("create", gettext_lazy("Create a new customer")),
)


@actor_required
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.import_preview(
                actor=request.actor, filename=upload.name, data=upload.read()
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            return redirect("contacts:import_detail", import_id=job.pk)
    return render(request, "contacts/import_upload.html", {"form": form})


@actor_required
def import_template(request):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([f"{zh} ({en})" for zh, en, _example in TEMPLATE_COLUMNS])
    writer.writerow([example for _zh, _en, example in TEMPLATE_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers-template.csv"'
    return response


def _column_label(key: str) -> str:
    if key == "contact":
        return _("Contact")
    try:
        return str(Customer._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


_CHOICE_LABELS = {
    "kind": dict(Customer.Kind.choices),
    "stage": dict(Customer.Stage.choices),
    "source": dict(Customer.Source.choices),
}


def _labelled(row: dict) -> dict:
    """Stored choice values (lead, company …) shown as their labels in the user's language."""
    return {k: _CHOICE_LABELS.get(k, {}).get(v, v) for k, v in row.items()}


@actor_required
def import_detail(request, import_id: int):
    job = importing.import_job_get(actor=request.actor, id=import_id)
    if job.status == ImportJob.Status.PREVIEWED:
        report = job.report or {}
        sample = [_labelled(row) for row in report.get("sample", [])]
        keys: list[str] = []
        for row in sample:
            keys += [k for k in row if k not in keys and k != "row"]
        columns = [(key, _column_label(key)) for key in keys]
        return render(
            request,
            "contacts/import_preview.html",
            {
                "job": job,
                "report": report,
                "sample": sample,
                "columns": columns,
                "decisions": DECISION_CHOICES,
            },
        )
    return render(
        request,
        "contacts/import_job.html",
        {"job": job, "progress": importing.import_progress(job)},
    )


@actor_required
def import_status(request, import_id: int):
    """HTMX, polled while the job runs: the result once it is done."""
    job = importing.import_job_get(actor=request.actor, id=import_id)
    return render(request, "contacts/partials/_import_result.html", {"job": job})


@require_POST
@actor_required
def import_commit(request, import_id: int):
    job = importing.import_job_get(actor=request.actor, id=import_id)
    decisions = {
        key.removeprefix("decision_"): value
        for key, value in request.POST.items()
        if key.startswith("decision_") and value
    }
    try:
        importing.import_commit(
            actor=request.actor,
            job=job,
            skip_invalid=request.POST.get("skip_invalid") == "1",
            duplicate_default=request.POST.get("duplicate_default", "skip"),
            decisions=decisions,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The import has started."))
    return redirect("contacts:import_detail", import_id=job.pk)
