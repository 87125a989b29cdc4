"""The order-history import wizard: upload → preview (row errors with the file's row numbers,
customers and products not found, order numbers in use, totals) → commit as a background task
→ progress and result."""

import csv
import io

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError

from . import importing
from .models import OrderImportJob

# Chinese header with the English one in brackets: the importer reads either.
TEMPLATE_COLUMNS = [
    ("订单号", "Order number", "SO-2024-0001"),
    ("客户编号", "Customer code", "C001"),
    ("客户名称", "Customer", "上海恒通五金有限公司"),
    ("订单日期", "Date", "2024-03-15"),
    ("产品编码", "SKU", "P-1001"),
    ("产品名称", "Product", "不锈钢球阀 DN50"),
    ("数量", "Quantity", "10"),
    ("单位", "Unit", "个"),
    ("单价", "Unit price", "128.50"),
    ("金额", "Amount", "1285.00"),
    ("币种", "Currency", "CNY"),
    ("税率", "Tax rate", "13%"),
]


class OrderImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
        help_text=gettext_lazy(
            "CSV or XLSX, one order line per row; the first row holds the headers."
        ),
    )


@actor_required
def import_start(request):
    form = OrderImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.order_import_preview(
                actor=request.actor, filename=upload.name, data=upload.read()
            )
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            return redirect("order_import:detail", order_import_id=job.pk)
    recent = importing.order_import_list(actor=request.actor)[:10]
    return render(request, "orders/import_upload.html", {"form": form, "recent": recent})


@actor_required
def import_template(request):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([f"{zh} ({en})" for zh, en, _example in TEMPLATE_COLUMNS])
    writer.writerow([example for _zh, _en, example in TEMPLATE_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders-template.csv"'
    return response


@actor_required
def import_detail(request, order_import_id: int):
    job = importing.order_import_get(actor=request.actor, id=order_import_id)
    if job.status == OrderImportJob.Status.PREVIEWED:
        return render(request, "orders/import_preview.html", {"job": job, "report": job.report})
    return render(
        request,
        "orders/import_job.html",
        {"job": job, "progress": importing.order_import_progress(job)},
    )


@actor_required
def import_status(request, order_import_id: int):
    """HTMX, polled while the job runs: the result once it is done."""
    job = importing.order_import_get(actor=request.actor, id=order_import_id)
    return render(request, "orders/partials/_import_result.html", {"job": job})


@require_POST
@actor_required
def import_commit(request, order_import_id: int):
    job = importing.order_import_get(actor=request.actor, id=order_import_id)
    try:
        importing.order_import_commit(
            actor=request.actor,
            job=job,
            skip_invalid=request.POST.get("skip_invalid") == "1",
            create_missing=request.POST.get("create_missing") == "1",
            skip_existing=request.POST.get("skip_existing") == "1",
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The import has started."))
    return redirect("order_import:detail", order_import_id=job.pk)


@require_POST
@actor_required
def import_cancel(request, order_import_id: int):
    job = importing.order_import_get(actor=request.actor, id=order_import_id)
    try:
        importing.order_import_cancel(actor=request.actor, job=job)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("order_import:detail", order_import_id=job.pk)
    messages.success(request, _("The import was cancelled; nothing was imported."))
    return redirect("order_import:start")
