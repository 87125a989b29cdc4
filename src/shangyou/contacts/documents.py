"""Documents attached to customers (C6): size and type limits, stored through Django's storage
API, shown on the timeline. Uploads are written in full before the row is committed, and a
failed upload leaves neither a row nor a file."""

import hashlib
import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.services import model_create, soft_delete

from .models import Customer, Document, TimelineEntry
from .timeline import timeline_add

ALLOWED_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".csv", ".txt", ".rtf", ".odt",
    ".ods", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".zip", ".rar", ".7z", ".dwg",
    ".dxf", ".step", ".stp", ".stl", ".eml", ".msg", ".vcf", ".ics",
}  # fmt: skip


def document_upload(
    *, actor: Actor, customer: Customer, upload: UploadedFile, description: str = ""
) -> Document:
    name = Path(upload.name or "file").name[:200]
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationFailed(
            _("Files of type “%(ext)s” cannot be uploaded. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED_EXTENSIONS))},
            errors={"file": [_("File type not allowed.")]},
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed(
            _("The file is %(size)d MB; the limit is %(max)d MB.")
            % {
                "size": upload.size // (1024 * 1024),
                "max": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            },
            errors={"file": [_("File too large.")]},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        customer=customer,
        name=name,
        size=upload.size,
        mime_type=(upload.content_type or mimetypes.guess_type(name)[0] or "")[:100],
        sha256=digest.hexdigest(),
        description=description[:300],
    )
    document.file.save(name, upload, save=False)  # the file is complete before the row exists
    try:
        with transaction.atomic():
            document = model_create(actor=actor, instance=document)
            timeline_add(
                actor=actor,
                customer=customer,
                kind=TimelineEntry.Kind.DOCUMENT,
                subject=name,
                body=description,
                related=document,
                data={"size": document.size},
            )
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_list(*, actor: Actor, customer: Customer) -> QuerySet[Document]:
    return Document.objects.filter(company_id=actor.company_id, customer_id=customer.pk)


def document_get(*, actor: Actor, id: int) -> Document:
    from .selectors import customer_get

    document = Document.objects.filter(company_id=actor.company_id, pk=id).first()
    if document is None:
        raise NotFound()
    customer_get(actor=actor, id=document.customer_id)  # the record rules of its customer
    return document


def document_delete(*, actor: Actor, document: Document) -> None:
    soft_delete(actor=actor, instance=document)
