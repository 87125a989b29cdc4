"""DIY designs (P3): a customer's own design — a file and a description, perhaps based on one
of our products — entered by staff or submitted through the portal, then reviewed (approved or
rejected with a note) and, when good, featured. Every step is on the customer's timeline."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.contacts.documents import ALLOWED_EXTENSIONS
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.core.services import audit_log, model_update, require_write, soft_delete

from .models import DiyDesign, Product


def _check_upload(upload: UploadedFile) -> str:
    name = Path(upload.name or "design").name[:200]
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        message = _("Files of type “%(ext)s” cannot be uploaded. Allowed: %(allowed)s.") % {
            "ext": extension or "?",
            "allowed": ", ".join(sorted(ALLOWED_EXTENSIONS)),
        }
        raise ValidationFailed(message, errors={"file": [message]})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        message = _("The file is %(size)d MB; the limit is %(max)d MB.") % {
            "size": upload.size // (1024 * 1024),
            "max": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        }
        raise ValidationFailed(message, errors={"file": [message]})
    return name


def diy_design_submit(
    *,
    company,
    customer: Customer,
    title: str,
    description: str = "",
    upload: UploadedFile | None = None,
    product: Product | None = None,
    source: str = DiyDesign.Source.PORTAL,
    actor: Actor | None = None,
) -> DiyDesign:
    """Record a customer's design for `company`. The portal calls this without an actor
    (source=portal); staff go through `diy_design_create`."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(
            _("Give the design a title."), errors={"title": [_("This field is required.")]}
        )
    if customer.company_id != company.pk or (product and product.company_id != company.pk):
        raise NotFound()
    design = DiyDesign(
        company=company,
        customer=customer,
        product=product,
        title=title[:200],
        description=description or "",
        source=source,
        created_by=actor.user if actor else None,
        updated_by=actor.user if actor else None,
    )
    if upload is not None:
        design.file_name = _check_upload(upload)
        design.file.save(design.file_name, upload, save=False)
    try:
        with transaction.atomic():
            design.full_clean(exclude=["file"])
            design.save()
            audit_log(
                actor=actor,
                company=company,
                instance=design,
                action=AuditEntry.Action.CREATE,
                changes={"title": [None, design.title], "source": [None, source]},
            )
            timeline_add(
                actor=actor,
                customer=customer,
                kind=TimelineEntry.Kind.DOCUMENT,
                subject=_("DIY design: %(title)s") % {"title": design.title},
                body=design.description,
                related=design,
                data={"source": source, "status": design.status},
            )
    except Exception:
        if design.file:
            design.file.delete(save=False)
        raise
    return design


def diy_design_create(
    *,
    actor: Actor,
    customer: Customer,
    title: str,
    description: str = "",
    upload: UploadedFile | None = None,
    product: Product | None = None,
) -> DiyDesign:
    """Staff attach a customer's design (from the customer's page or the designs page)."""
    require_write(actor)
    return diy_design_submit(
        company=actor.company,
        customer=customer,
        title=title,
        description=description,
        upload=upload,
        product=product,
        source=DiyDesign.Source.STAFF,
        actor=actor,
    )


@transaction.atomic
def diy_design_review(
    *,
    actor: Actor,
    design: DiyDesign,
    approve: bool,
    note: str = "",
    version: int | None = None,
) -> DiyDesign:
    """Approve or reject a design with a note; a rejected design stops being featured."""
    require_write(actor)
    status = DiyDesign.Status.APPROVED if approve else DiyDesign.Status.REJECTED
    if not approve and not note.strip():
        raise ValidationFailed(
            _("Say why the design is rejected; the customer reads the note."),
            errors={"note": [_("This field is required.")]},
        )
    data = {
        "status": status,
        "review_note": note.strip(),
        "reviewed_by": actor.user,
        "reviewed_at": timezone.now(),
    }
    if not approve:
        data["is_featured"] = False
    design, _changes = model_update(
        actor=actor,
        instance=design,
        data=data,
        expected_version=design.version if version is None else version,
    )
    timeline_add(
        actor=actor,
        customer=design.customer,
        kind=TimelineEntry.Kind.SYSTEM,
        subject=(
            _("DIY design approved: %(title)s") if approve else _("DIY design rejected: %(title)s")
        )
        % {"title": design.title},
        body=design.review_note,
        related=design,
    )
    return design


def diy_design_feature(*, actor: Actor, design: DiyDesign, featured: bool = True) -> DiyDesign:
    """Show (or stop showing) an approved design among the featured ones on the portal."""
    if featured and design.status != DiyDesign.Status.APPROVED:
        raise ValidationFailed(_("Only an approved design can be featured. Approve it first."))
    design, _changes = model_update(
        actor=actor,
        instance=design,
        data={"is_featured": featured},
        expected_version=design.version,
    )
    return design


def diy_design_delete(*, actor: Actor, design: DiyDesign) -> None:
    soft_delete(actor=actor, instance=design)
