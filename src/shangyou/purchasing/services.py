"""Writes of procurement: RFQs, their lines and invitees, sending, the suppliers' answers
(in their platform account or through the signed link), declines and deadline reminders (B2).

Awards, purchase orders and goods receipts live in `purchase_orders.py`, scorecards in
`scorecard.py`, the supplier import in `importing.py`.

Every step goes on both parties' timelines: on the supplier's record in the buyer's CRM, and —
for suppliers on the platform — on the buyer's record in the supplier's CRM.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from shangyou.accounts.models import Company, Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.catalog.models import CURRENCIES
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor, Role
from shangyou.core.errors import Conflict, NotFound, ValidationFailed
from shangyou.core.mail import send_templated_mail
from shangyou.core.models import AuditEntry
from shangyou.core.money import line_amounts
from shangyou.core.numbering import next_number
from shangyou.core.services import (
    audit_log,
    model_create,
    model_update,
    require_write,
    soft_delete,
)

from .models import (
    Rfq,
    RfqInvitation,
    RfqLine,
    SupplierQuote,
    SupplierQuoteAttachment,
    SupplierQuoteLine,
)

RFQ_FIELDS = (
    "title", "description", "notes", "currency", "deadline", "delivery_address", "payment_terms",
)  # fmt: skip
LINE_FIELDS = (
    "product_id", "sku", "description", "specification", "quantity", "unit", "required_date",
)  # fmt: skip
ANSWER_LINE_FIELDS = ("rfq_line_id", "unit_price", "tax_rate", "lead_time_days", "moq", "remarks")
MAX_LINES = 200
MAX_ATTACHMENTS = 5
REMIND_BEFORE = timedelta(hours=24)
ANSWERABLE = (RfqInvitation.Status.INVITED, RfqInvitation.Status.VIEWED)


# --- small parsers ------------------------------------------------------------------------------
def _decimal(value: Any, *, field: str, label: str, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(
                _("%(label)s is required.") % {"label": label}, errors={field: [_("Required.")]}
            )
        return None
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("%(label)s must be a number.") % {"label": label},
            errors={field: [_("Enter a number.")]},
        ) from exc
    if not result.is_finite():
        raise ValidationFailed(_("%(label)s must be a number.") % {"label": label})
    return result


def _date(value: Any, *, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value).strip())
    if parsed is None:
        raise ValidationFailed(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
            errors={field: [_("Enter a date.")]},
        )
    return parsed


def _datetime(value: Any, *, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        result = value
    else:
        text = str(value).strip()
        result = parse_datetime(text)
        if result is None and parse_date(text) is not None:
            result = datetime.combine(parse_date(text), datetime.max.time().replace(microsecond=0))
        if result is None:
            raise ValidationFailed(
                _("“%(value)s” is not a date and time.") % {"value": value},
                errors={field: [_("Enter a date and time.")]},
            )
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def _currency(value: Any) -> str:
    currency = str(value or "CNY").strip().upper()
    if currency not in CURRENCIES:
        raise ValidationFailed(
            _("Choose one of the currencies %(list)s.") % {"list": ", ".join(CURRENCIES)},
            errors={"currency": [_("Unknown currency.")]},
        )
    return currency


# --- timelines on both sides --------------------------------------------------------------------
def _timeline_both(
    *,
    invitation: RfqInvitation,
    actor: Actor | None,
    buyer_subject: str,
    supplier_subject: str,
    kind: str = TimelineEntry.Kind.QUOTATION,
    related=None,
    body: str = "",
) -> None:
    """The step on the supplier's record (buyer's CRM) and on the buyer's record (supplier's)."""
    buyer_actor = actor if actor is not None and actor.company_id == invitation.company_id else None
    timeline_add(
        actor=buyer_actor,
        customer=invitation.supplier,
        kind=kind,
        subject=buyer_subject,
        body=body,
        related=related or invitation.rfq,
        company=invitation.company,
    )
    if invitation.buyer_record_id:
        supplier_actor = (
            actor
            if actor is not None and actor.company_id == invitation.supplier_company_id
            else None
        )
        timeline_add(
            actor=supplier_actor,
            customer=invitation.buyer_record,
            kind=kind,
            subject=supplier_subject,
            body=body,
            related=invitation,
            company=invitation.supplier_company,
        )


def company_notify_emails(company: Company) -> list[str]:
    """Where platform notices to a company go: its owners' and administrators' addresses."""
    return list(
        Membership.objects.filter(
            company=company, is_active=True, role__in=(Role.OWNER, Role.ADMIN)
        )
        .order_by("id")
        .values_list("user__email", flat=True)[:5]
    )


def owner_actor(company: Company) -> Actor:
    """The company's first active owner, acting for a document that arrives from another
    company (a quotation made from an RFQ answer, a sales order made from a purchase order)."""
    membership = (
        Membership.objects.filter(company=company, is_active=True, role=Role.OWNER)
        .select_related("user", "company")
        .order_by("id")
        .first()
    )
    if membership is None:
        raise Conflict(
            _("%(company)s has no active owner on the platform.") % {"company": company.name}
        )
    return actor_from_membership(membership)


# --- RFQs ---------------------------------------------------------------------------------------
def _rfq_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in RFQ_FIELDS}
    for key in ("title", "description", "notes", "delivery_address", "payment_terms"):
        if key in fields:
            fields[key] = str(fields[key] or "").strip()
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
    if "deadline" in fields:
        fields["deadline"] = _datetime(fields["deadline"], field="deadline")
    return fields


def _build_lines(*, actor: Actor, lines: list[dict[str, Any]]) -> list[RfqLine]:
    from shangyou.catalog.models import Product

    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("An RFQ has at most %(n)s lines.") % {"n": MAX_LINES})
    product_ids = {int(line["product_id"]) for line in lines if line.get("product_id")}
    products = (
        {p.pk: p for p in Product.objects.filter(company_id=actor.company_id, pk__in=product_ids)}
        if product_ids
        else {}
    )
    rows = []
    for position, line in enumerate(lines, start=1):
        unknown = set(line) - set(LINE_FIELDS) - {"id"}
        if unknown:
            raise ValidationFailed(
                _("Line %(n)s: unknown fields %(fields)s.")
                % {"n": position, "fields": ", ".join(sorted(unknown))}
            )
        product = None
        if line.get("product_id"):
            product = products.get(int(line["product_id"]))
            if product is None:
                raise ValidationFailed(
                    _("Line %(n)s: choose a product of this company.") % {"n": position},
                    errors={f"lines.{position}.product_id": [_("Unknown product.")]},
                )
        description = str(line.get("description") or "").strip() or (
            product.name if product else ""
        )
        if not description:
            raise ValidationFailed(
                _("Line %(n)s: describe what you want to buy.") % {"n": position},
                errors={f"lines.{position}.description": [_("Required.")]},
            )
        quantity = _decimal(
            line.get("quantity"),
            field=f"lines.{position}.quantity",
            label=_("Line %(n)s: the quantity") % {"n": position},
        )
        if quantity <= 0:
            raise ValidationFailed(
                _("Line %(n)s: the quantity must be more than zero.") % {"n": position},
                errors={f"lines.{position}.quantity": [_("More than zero.")]},
            )
        rows.append(
            RfqLine(
                company_id=actor.company_id,
                position=position,
                product=product,
                sku=str(line.get("sku") or (product.sku if product else ""))[:60],
                description=description[:500],
                specification=str(line.get("specification") or "").strip(),
                quantity=quantity,
                unit=str(line.get("unit") or (product.unit if product else ""))[:20],
                required_date=_date(
                    line.get("required_date"), field=f"lines.{position}.required_date"
                ),
            )
        )
    return rows


def _replace_lines(*, rfq: Rfq, rows: list[RfqLine]) -> None:
    RfqLine.objects.filter(company_id=rfq.company_id, rfq=rfq).delete()
    for row in rows:
        row.rfq = rfq
    RfqLine.objects.bulk_create(rows)


def _check_deadline(deadline: datetime | None) -> None:
    if deadline is None:
        raise ValidationFailed(
            _("Give the deadline for answers."), errors={"deadline": [_("Required.")]}
        )


@transaction.atomic
def rfq_create(
    *, actor: Actor, data: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> Rfq:
    """A draft RFQ numbered RFQ-<year>-<n>, owned by the actor; deadline default: in 7 days."""
    require_write(actor)
    fields = _rfq_fields(data)
    fields.setdefault("deadline", None)
    if fields["deadline"] is None:
        fields["deadline"] = timezone.now() + timedelta(days=7)
    fields.setdefault("currency", actor.company.currency or "CNY")
    team_id = (
        Membership.objects.filter(pk=actor.membership_id).values_list("team_id", flat=True).first()
        if actor.membership_id
        else None
    )
    rfq = Rfq(
        number=next_number(company=actor.company, key="RFQ"),
        status=Rfq.Status.DRAFT,
        owner=actor.user,
        team_id=team_id,
        **fields,
    )
    rfq = model_create(actor=actor, instance=rfq)
    if lines:
        _replace_lines(rfq=rfq, rows=_build_lines(actor=actor, lines=lines))
    return rfq


@transaction.atomic
def rfq_update(
    *,
    actor: Actor,
    rfq: Rfq,
    data: dict[str, Any],
    version: int | None,
    lines: list[dict[str, Any]] | None = None,
) -> Rfq:
    """Edit a draft (fields and all lines at once). Once sent, only the deadline may move, and
    only later — suppliers already have the lines."""
    fields = _rfq_fields(data)
    if rfq.status != Rfq.Status.DRAFT:
        changed = {
            k for k, v in fields.items() if k not in ("deadline", "notes") and getattr(rfq, k) != v
        }
        if changed or lines is not None or rfq.status != Rfq.Status.OPEN:
            raise Conflict(
                _(
                    "RFQ %(number)s was sent: only its deadline and internal notes can change. "
                    "Cancel it and make a new one to change what is asked."
                )
                % {"number": rfq.number}
            )
        if "deadline" in fields and fields["deadline"] < rfq.deadline:
            raise ValidationFailed(
                _("Suppliers were told %(date)s: the deadline can only move later.")
                % {"date": timezone.localtime(rfq.deadline).strftime("%Y-%m-%d %H:%M")},
                errors={"deadline": [_("Later than the current deadline.")]},
            )
    if "deadline" in fields:
        _check_deadline(fields["deadline"])
    rfq, _changes = model_update(actor=actor, instance=rfq, data=fields, expected_version=version)
    if lines is not None:
        _replace_lines(rfq=rfq, rows=_build_lines(actor=actor, lines=lines))
        audit_log(
            actor=actor,
            instance=rfq,
            action=AuditEntry.Action.UPDATE,
            changes={"lines": [None, len(lines)]},
        )
    return rfq


def rfq_delete(*, actor: Actor, rfq: Rfq) -> None:
    if rfq.status != Rfq.Status.DRAFT:
        raise Conflict(
            _("RFQ %(number)s was sent to suppliers: cancel it instead of deleting it.")
            % {"number": rfq.number}
        )
    soft_delete(actor=actor, instance=rfq)


# --- invitees -----------------------------------------------------------------------------------
@transaction.atomic
def rfq_invite(
    *, actor: Actor, rfq: Rfq, supplier_ids: list[int], email: str = ""
) -> list[RfqInvitation]:
    """Invite suppliers (CRM records with the supplier role). Suppliers on the platform answer
    in their account; the others by email link (their record's address, or `email`). On an open
    RFQ the new invitations are sent at once."""
    from shangyou.contacts.selectors import customer_list

    require_write(actor)
    if rfq.status not in (Rfq.Status.DRAFT, Rfq.Status.OPEN):
        raise Conflict(
            _("RFQ %(number)s is %(status)s: no one can be invited any more.")
            % {"number": rfq.number, "status": rfq.get_status_display()}
        )
    ids = {int(i) for i in supplier_ids}
    suppliers = list(customer_list(actor=actor).filter(pk__in=ids, is_supplier=True))
    if not ids or len(suppliers) != len(ids):
        raise ValidationFailed(
            _("Choose suppliers of this company (customer records with the supplier role)."),
            errors={"supplier_ids": [_("Unknown supplier.")]},
        )
    existing = set(
        RfqInvitation.objects.filter(rfq=rfq, supplier_id__in=ids).values_list(
            "supplier_id", flat=True
        )
    )
    created = []
    for supplier in suppliers:
        if supplier.pk in existing:
            continue
        if supplier.platform_company_id == actor.company_id:
            raise ValidationFailed(_("You cannot invite your own company."))
        address = (email if len(ids) == 1 and email else supplier.email or "").strip().lower()
        if not supplier.platform_company_id and not address:
            raise ValidationFailed(
                _(
                    "%(name)s is not on the platform and has no email address: add one to the "
                    "supplier's record (or type it here) so the RFQ link can be sent."
                )
                % {"name": supplier.name},
                errors={"email": [_("Required.")]},
            )
        invitation = RfqInvitation.objects.create(
            company=actor.company,
            rfq=rfq,
            supplier=supplier,
            supplier_company_id=supplier.platform_company_id,
            email=address,
        )
        audit_log(
            actor=actor,
            instance=rfq,
            action=AuditEntry.Action.UPDATE,
            changes={"invited": [None, supplier.name]},
        )
        created.append(invitation)
    if rfq.status == Rfq.Status.OPEN:
        for invitation in created:
            _send_invitation(actor=actor, invitation=invitation)
    return created


def rfq_invitation_remove(*, actor: Actor, invitation: RfqInvitation) -> None:
    require_write(actor)
    if invitation.status != RfqInvitation.Status.PENDING:
        raise Conflict(
            _("%(name)s was already invited: the invitation cannot be taken back.")
            % {"name": invitation.supplier.name}
        )
    audit_log(
        actor=actor,
        instance=invitation.rfq,
        action=AuditEntry.Action.UPDATE,
        changes={"invited": [invitation.supplier.name, None]},
    )
    invitation.delete()


def _send_invitation(*, actor: Actor, invitation: RfqInvitation) -> None:
    from .links import invitation_link

    rfq = invitation.rfq
    now = timezone.now()
    if invitation.supplier_company_id:
        from shangyou.network.services import crm_record_for

        supplier_company = Company.objects.get(pk=invitation.supplier_company_id)
        invitation.buyer_record = crm_record_for(
            company=supplier_company,
            other=rfq.company,
            note=_("Invited you to quote (RFQ %(number)s)") % {"number": rfq.number},
        )
        link = settings.SITE_URL + reverse("purchasing:incoming_detail", args=[invitation.pk])
        recipients = company_notify_emails(supplier_company)
    else:
        link = invitation_link(invitation)
        recipients = [invitation.email]
    invitation.status = RfqInvitation.Status.INVITED
    invitation.invited_at = now
    invitation.save(update_fields=["status", "invited_at", "buyer_record", "updated_at"])
    lines = list(rfq.lines.all())
    if recipients:
        send_templated_mail(
            to=recipients,
            template="purchasing/email/rfq_invitation",
            context={
                "rfq": rfq,
                "lines": lines,
                "buyer": rfq.company,
                "supplier": invitation.supplier,
                "link": link,
                "platform": invitation.is_platform,
                "sender": actor.user,
            },
            company=rfq.company,
            reply_to=[actor.user.email] if actor.user and actor.user.email else None,
        )
    deadline = timezone.localtime(rfq.deadline).strftime("%Y-%m-%d %H:%M")
    _timeline_both(
        invitation=invitation,
        actor=actor,
        buyer_subject=_("RFQ %(number)s sent: %(title)s (answers by %(deadline)s)")
        % {"number": rfq.number, "title": rfq.title, "deadline": deadline},
        supplier_subject=_("RFQ %(number)s received from %(buyer)s: %(title)s")
        % {"number": rfq.number, "buyer": rfq.company.name, "title": rfq.title},
    )


@transaction.atomic
def rfq_send(*, actor: Actor, rfq: Rfq) -> Rfq:
    """Draft → open: every invitee gets the RFQ (platform account or email link)."""
    require_write(actor)
    rfq = Rfq.objects.select_for_update().get(pk=rfq.pk, company_id=actor.company_id)
    if rfq.status != Rfq.Status.DRAFT:
        raise Conflict(
            _("RFQ %(number)s is %(status)s: it was sent already.")
            % {"number": rfq.number, "status": rfq.get_status_display()}
        )
    if not rfq.lines.exists():
        raise ValidationFailed(_("Add at least one line before sending the RFQ."))
    invitations = list(rfq.invitations.select_related("supplier", "rfq", "rfq__company"))
    if not invitations:
        raise ValidationFailed(_("Invite at least one supplier before sending the RFQ."))
    if rfq.deadline <= timezone.now():
        raise ValidationFailed(
            _("The deadline has passed: move it later before sending."),
            errors={"deadline": [_("In the future.")]},
        )
    now = timezone.now()
    rfq, _changes = model_update(
        actor=actor,
        instance=rfq,
        data={"status": Rfq.Status.OPEN, "sent_at": now, "issue_date": timezone.localdate()},
        expected_version=rfq.version,
    )
    for invitation in invitations:
        invitation.rfq = rfq
        _send_invitation(actor=actor, invitation=invitation)
    return rfq


@transaction.atomic
def rfq_close(*, actor: Actor, rfq: Rfq) -> Rfq:
    """Stop taking answers before the deadline (the buyer has enough)."""
    require_write(actor)
    if rfq.status != Rfq.Status.OPEN:
        raise Conflict(
            _("RFQ %(number)s is %(status)s: only an open RFQ can be closed.")
            % {"number": rfq.number, "status": rfq.get_status_display()}
        )
    rfq, _changes = model_update(
        actor=actor,
        instance=rfq,
        data={"status": Rfq.Status.CLOSED, "closed_at": timezone.now()},
        expected_version=rfq.version,
    )
    return rfq


@transaction.atomic
def rfq_cancel(*, actor: Actor, rfq: Rfq, reason: str = "") -> Rfq:
    require_write(actor)
    if rfq.status in (Rfq.Status.AWARDED, Rfq.Status.CANCELLED):
        raise Conflict(
            _("RFQ %(number)s is %(status)s: it cannot be cancelled.")
            % {"number": rfq.number, "status": rfq.get_status_display()}
        )
    was_sent = rfq.status != Rfq.Status.DRAFT
    rfq, _changes = model_update(
        actor=actor,
        instance=rfq,
        data={"status": Rfq.Status.CANCELLED, "closed_at": timezone.now()},
        expected_version=rfq.version,
    )
    if was_sent:
        for invitation in rfq.invitations.exclude(
            status=RfqInvitation.Status.PENDING
        ).select_related("supplier", "buyer_record", "rfq", "supplier_company", "company"):
            _timeline_both(
                invitation=invitation,
                actor=actor,
                buyer_subject=_("RFQ %(number)s cancelled") % {"number": rfq.number},
                supplier_subject=_("RFQ %(number)s cancelled by %(buyer)s")
                % {"number": rfq.number, "buyer": rfq.company.name},
                body=reason.strip(),
            )
    return rfq


# --- the supplier's side ------------------------------------------------------------------------
def is_past_deadline(rfq: Rfq, now: datetime | None = None) -> bool:
    return (now or timezone.now()) > rfq.deadline


def answer_problem(invitation: RfqInvitation, now: datetime | None = None) -> str:
    """Why the invitation cannot be answered now, or "" when it can."""
    rfq = invitation.rfq
    if rfq.status == Rfq.Status.CANCELLED:
        return _("The buyer cancelled this RFQ.")
    if invitation.status == RfqInvitation.Status.DECLINED:
        return _("You declined this RFQ.")
    if rfq.status != Rfq.Status.OPEN or is_past_deadline(rfq, now):
        return _("The deadline (%(deadline)s) has passed: late answers are not accepted.") % {
            "deadline": timezone.localtime(rfq.deadline).strftime("%Y-%m-%d %H:%M")
        }
    return ""


def rfq_invitation_viewed(*, invitation: RfqInvitation) -> None:
    """The supplier opened the RFQ (first time only)."""
    if invitation.viewed_at is None:
        now = timezone.now()
        updated = RfqInvitation.objects.filter(pk=invitation.pk, viewed_at__isnull=True)
        updated.filter(status=RfqInvitation.Status.INVITED).update(
            status=RfqInvitation.Status.VIEWED, viewed_at=now
        )
        updated.update(viewed_at=now)
        invitation.viewed_at = now
        if invitation.status == RfqInvitation.Status.INVITED:
            invitation.status = RfqInvitation.Status.VIEWED


def _answer_lines(
    *, invitation: RfqInvitation, lines: list[dict[str, Any]]
) -> list[SupplierQuoteLine]:
    rfq_lines = {line.pk: line for line in invitation.rfq.lines.all()}
    rows = []
    seen = set()
    for n, line in enumerate(lines, start=1):
        unknown = set(line) - set(ANSWER_LINE_FIELDS)
        if unknown:
            raise ValidationFailed(
                _("Line %(n)s: unknown fields %(fields)s.")
                % {"n": n, "fields": ", ".join(sorted(unknown))}
            )
        try:
            rfq_line = rfq_lines[int(line.get("rfq_line_id") or 0)]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(
                _("Line %(n)s is not a line of this RFQ.") % {"n": n},
                errors={f"lines.{n}.rfq_line_id": [_("Unknown line.")]},
            ) from exc
        if rfq_line.pk in seen:
            raise ValidationFailed(_("Each line of the RFQ is answered once."))
        seen.add(rfq_line.pk)
        pos = rfq_line.position
        price = _decimal(
            line.get("unit_price"),
            field=f"lines.{pos}.unit_price",
            label=_("Line %(n)s: the unit price") % {"n": pos},
            required=False,
        )
        if price is None:
            continue  # not quoted
        tax = _decimal(
            line.get("tax_rate"), field=f"lines.{pos}.tax_rate", label=_("Tax"), required=False
        )
        lead = _decimal(
            line.get("lead_time_days"),
            field=f"lines.{pos}.lead_time_days",
            label=_("Lead time"),
            required=False,
        )
        moq = _decimal(
            line.get("moq"), field=f"lines.{pos}.moq", label=_("Minimum quantity"), required=False
        )
        tax = tax if tax is not None else Decimal(0)
        if price < 0 or not 0 <= tax <= 100 or (lead is not None and lead < 0) or (moq or 0) < 0:
            raise ValidationFailed(
                _("Line %(n)s: no negative prices, lead times or quantities; tax is 0–100%%.")
                % {"n": pos},
                errors={f"lines.{pos}.unit_price": [_("Check the values.")]},
            )
        rows.append(
            SupplierQuoteLine(
                company_id=invitation.company_id,
                rfq_line=rfq_line,
                unit_price=price,
                tax_rate=tax,
                lead_time_days=int(lead) if lead is not None else None,
                moq=moq,
                remarks=str(line.get("remarks") or "").strip()[:300],
            )
        )
    if not rows:
        raise ValidationFailed(
            _("Give a unit price for at least one line (leave a line empty to not quote it)."),
            errors={"lines": [_("No price given.")]},
        )
    return rows


def _store_attachments(*, quote: SupplierQuote, attachments) -> None:
    attachments = list(attachments or [])
    if len(attachments) + quote.attachments.count() > MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("At most %(n)s attachments per answer.") % {"n": MAX_ATTACHMENTS},
            errors={"attachments": [_("Too many files.")]},
        )
    for upload in attachments:
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationFailed(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
                errors={"attachments": [_("File too large.")]},
            )
        name = Path(upload.name or "file").name[:200]
        attachment = SupplierQuoteAttachment(
            company_id=quote.company_id, quote=quote, name=name, size=upload.size
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


@transaction.atomic
def rfq_answer_submit(
    *,
    invitation: RfqInvitation,
    data: dict[str, Any],
    lines: list[dict[str, Any]],
    attachments=(),
    actor: Actor | None = None,
    name: str = "",
) -> SupplierQuote:
    """The supplier's answer in the standard form: per line unit price, tax, lead time, MOQ and
    remarks; for the whole answer currency, validity, payment terms, remarks and attachments.

    `actor` is a member of the platform supplier answering in its account (its answer also
    becomes a quotation in its own CRM); external suppliers answer through the link with
    `actor=None` and their `name`. An answer may be changed until the deadline; after it —
    or once the buyer closed the RFQ — it is refused.
    """
    if actor is not None:
        require_write(actor)
        if actor.company_id != invitation.supplier_company_id:
            raise NotFound()
    invitation = (
        RfqInvitation.objects.select_for_update(of=("self",))
        .select_related("rfq", "rfq__company", "supplier", "buyer_record", "supplier_quotation")
        .get(pk=invitation.pk)
    )
    problem = answer_problem(invitation)
    if problem:
        raise Conflict(problem)
    if invitation.status not in ANSWERABLE and invitation.status != RfqInvitation.Status.ANSWERED:
        raise Conflict(_("This invitation cannot be answered."))
    rows = _answer_lines(invitation=invitation, lines=lines)
    currency = _currency(data.get("currency") or invitation.rfq.currency)
    valid_until = _date(data.get("valid_until"), field="valid_until")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationFailed(
            _("The offer must be valid until today or later."),
            errors={"valid_until": [_("Today or later.")]},
        )
    answered_name = (name or (actor.user.display_name if actor else "")).strip()[:100]
    if actor is None and not answered_name:
        raise ValidationFailed(
            _("Give your name so the buyer knows who answered."), errors={"name": [_("Required.")]}
        )
    now = timezone.now()
    quantities = {line.pk: line.quantity for line in invitation.rfq.lines.all()}
    total = sum(
        (
            line_amounts(
                quantity=quantities[row.rfq_line_id],
                unit_price=row.unit_price,
                tax_rate=row.tax_rate,
            ).total
            for row in rows
        ),
        Decimal("0.00"),
    )
    values = {
        "currency": currency,
        "valid_until": valid_until,
        "payment_terms": str(data.get("payment_terms") or "").strip()[:200],
        "remarks": str(data.get("remarks") or "").strip(),
        "answered_by": actor.user if actor else None,
        "answered_name": answered_name,
        "submitted_at": now,
        "total": total,
    }
    quote = SupplierQuote.objects.filter(invitation=invitation).first()
    revised = quote is not None
    if quote is None:
        quote = SupplierQuote.objects.create(
            company_id=invitation.company_id, rfq=invitation.rfq, invitation=invitation, **values
        )
    else:
        for key, value in values.items():
            setattr(quote, key, value)
        quote.version += 1
        quote.save()
        quote.lines.all().delete()
    for row in rows:
        row.quote = quote
    SupplierQuoteLine.objects.bulk_create(rows)
    _store_attachments(quote=quote, attachments=attachments)
    invitation.status = RfqInvitation.Status.ANSWERED
    invitation.answered_at = now
    invitation.save(update_fields=["status", "answered_at", "updated_at"])
    audit_log(
        actor=actor,
        instance=quote,
        action=AuditEntry.Action.UPDATE if revised else AuditEntry.Action.CREATE,
        company=invitation.company,
        changes={"total": [None, f"{currency} {total}"], "lines": [None, len(rows)]},
        note=_("Answered by %(name)s") % {"name": answered_name},
    )
    rfq = invitation.rfq
    subject_args = {
        "number": rfq.number,
        "supplier": invitation.supplier.name,
        "currency": currency,
        "total": total,
    }
    if invitation.is_platform and actor is not None:
        _supplier_quotation(invitation=invitation, quote=quote, rows=rows, actor=actor)
    _timeline_both(
        invitation=invitation,
        actor=actor,
        buyer_subject=(
            _("%(supplier)s revised its answer to RFQ %(number)s: %(currency)s %(total)s")
            if revised
            else _("%(supplier)s answered RFQ %(number)s: %(currency)s %(total)s")
        )
        % subject_args,
        supplier_subject=_("Answer to RFQ %(number)s sent: %(currency)s %(total)s") % subject_args,
        related=rfq,
    )
    from .scorecard import supplier_score_refresh

    transaction.on_commit(
        lambda: supplier_score_refresh(company=invitation.company, supplier=invitation.supplier)
    )
    return quote


def _supplier_quotation(
    *, invitation: RfqInvitation, quote: SupplierQuote, rows: list[SupplierQuoteLine], actor: Actor
) -> None:
    """The answer as a quotation in the supplier's own CRM, to the buyer's record there (made
    by the sales service; the answering member owns it)."""
    from shangyou.sales import services as sales

    rfq = invitation.rfq
    lines = [
        {
            "sku": row.rfq_line.sku,
            "description": row.rfq_line.description,
            "specification": row.rfq_line.specification,
            "quantity": row.rfq_line.quantity,
            "unit": row.rfq_line.unit,
            "unit_price": row.unit_price,
            "tax_rate": row.tax_rate,
        }
        for row in rows
    ]
    data: dict[str, Any] = {
        "currency": quote.currency,
        "terms": quote.payment_terms,
        "notes": _("Answer to RFQ %(number)s of %(buyer)s")
        % {"number": rfq.number, "buyer": rfq.company.name},
    }
    if quote.valid_until:
        data["valid_until"] = quote.valid_until
    customer = invitation.buyer_record
    if customer is None:
        return
    from shangyou.contacts.selectors import customer_list

    # The buyer's record may belong to a colleague: then the owner makes the quotation and the
    # answering member owns it.
    acting = actor
    if not customer_list(actor=actor).filter(pk=customer.pk).exists():
        acting = owner_actor(actor.company)
        data["owner_id"] = actor.user_id
    existing = invitation.supplier_quotation
    if existing is not None and existing.status == "draft" and existing.deleted_at is None:
        data.pop("owner_id", None)
        sales.quotation_update(
            actor=acting, quotation=existing, data=data, version=existing.version, lines=lines
        )
        return
    data["customer_id"] = customer.pk
    quotation = sales.quotation_create(actor=acting, data=data, lines=lines)
    RfqInvitation.objects.filter(pk=invitation.pk).update(supplier_quotation=quotation)
    invitation.supplier_quotation = quotation


@transaction.atomic
def rfq_invitation_decline(
    *, invitation: RfqInvitation, reason: str = "", actor: Actor | None = None, name: str = ""
) -> RfqInvitation:
    """The supplier will not quote (before the deadline, and before answering)."""
    if actor is not None:
        require_write(actor)
        if actor.company_id != invitation.supplier_company_id:
            raise NotFound()
    invitation = (
        RfqInvitation.objects.select_for_update(of=("self",))
        .select_related("rfq", "rfq__company", "supplier", "buyer_record")
        .get(pk=invitation.pk)
    )
    problem = answer_problem(invitation)
    if problem:
        raise Conflict(problem)
    if invitation.status == RfqInvitation.Status.ANSWERED:
        raise Conflict(_("You answered this RFQ already; change your answer instead."))
    invitation.status = RfqInvitation.Status.DECLINED
    invitation.decline_reason = reason.strip()[:300]
    invitation.save(update_fields=["status", "decline_reason", "updated_at"])
    who = (name or (actor.user.display_name if actor else "")).strip()
    audit_log(
        actor=actor,
        instance=invitation.rfq,
        action=AuditEntry.Action.OTHER,
        company=invitation.company,
        note=_("%(supplier)s declined (%(who)s)")
        % {"supplier": invitation.supplier.name, "who": who or "-"},
    )
    rfq = invitation.rfq
    _timeline_both(
        invitation=invitation,
        actor=actor,
        buyer_subject=_("%(supplier)s declined RFQ %(number)s")
        % {"supplier": invitation.supplier.name, "number": rfq.number},
        supplier_subject=_("RFQ %(number)s declined") % {"number": rfq.number},
        body=invitation.decline_reason,
    )
    return invitation


# --- reminders (periodic) -----------------------------------------------------------------------
def rfq_reminders_send(*, now: datetime | None = None) -> int:
    """Email the invitees who have not answered, once, when the deadline is less than
    REMIND_BEFORE away. Returns how many were reminded."""
    from .links import invitation_link

    now = now or timezone.now()
    due = (
        RfqInvitation.objects.filter(
            rfq__status=Rfq.Status.OPEN,
            rfq__deleted_at__isnull=True,
            rfq__deadline__gt=now,
            rfq__deadline__lte=now + REMIND_BEFORE,
            status__in=ANSWERABLE,
            reminded_at__isnull=True,
        )
        .select_related("rfq", "rfq__company", "supplier", "supplier_company", "buyer_record")
        .order_by("id")
    )
    count = 0
    for invitation in due.iterator(chunk_size=200):
        with transaction.atomic():
            claimed = RfqInvitation.objects.filter(
                pk=invitation.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            if invitation.is_platform:
                recipients = company_notify_emails(invitation.supplier_company)
                link = settings.SITE_URL + reverse(
                    "purchasing:incoming_detail", args=[invitation.pk]
                )
            else:
                recipients = [invitation.email] if invitation.email else []
                link = invitation_link(invitation)
            if recipients:
                send_templated_mail(
                    to=recipients,
                    template="purchasing/email/rfq_reminder",
                    context={
                        "rfq": invitation.rfq,
                        "buyer": invitation.rfq.company,
                        "supplier": invitation.supplier,
                        "link": link,
                    },
                    company=invitation.rfq.company,
                )
            _timeline_both(
                invitation=invitation,
                actor=None,
                buyer_subject=_("Reminder sent to %(supplier)s for RFQ %(number)s")
                % {"supplier": invitation.supplier.name, "number": invitation.rfq.number},
                supplier_subject=_("Reminder: RFQ %(number)s closes soon")
                % {"number": invitation.rfq.number},
                kind=TimelineEntry.Kind.SYSTEM,
            )
            count += 1
    return count


def supplier_record_ensure(*, actor: Actor, customer: Customer) -> Customer:
    """Give an existing CRM record the supplier role (one partner can be both)."""
    if customer.is_supplier:
        return customer
    from shangyou.contacts.services import customer_update

    return customer_update(
        actor=actor, customer=customer, data={"is_supplier": True}, version=customer.version
    )
