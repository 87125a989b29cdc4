"""Writes of the sales app: opportunities (S1) and quotations with their lines and revisions (S2).

Sending a quotation lives in `sending.py`, the customer's answer (accept → order, decline) in
`acceptance.py`, the PDF in `pdf.py`.

Lines are given as plain dicts (`LINE_FIELDS`); a line names a product, a configuration, or
neither (free text). Missing prices come from the catalogue (`catalog.selectors.price_for` for
the customer, quantity, date and currency), missing tax rates from the product. Lines are
replaced as a whole, in one transaction, under the quotation's version.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangyou.catalog.models import CURRENCIES
from shangyou.contacts.models import Contact, Customer, TimelineEntry
from shangyou.contacts.services import _owner_and_team, ensure_can_sell
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.money import document_totals, line_amounts
from shangyou.core.numbering import next_number
from shangyou.core.services import (
    full_clean_or_fail,
    model_create,
    model_update,
    require_write,
    soft_delete,
)

from .models import Opportunity, Quotation, QuotationLine
from .selectors import catalog_prices

OPPORTUNITY_FIELDS = (
    "name", "stage", "probability", "amount", "currency", "expected_close", "source", "notes",
)  # fmt: skip
QUOTATION_FIELDS = (
    "currency", "language", "issue_date", "valid_until", "terms", "notes", "discount_percent",
)  # fmt: skip
LINE_FIELDS = (
    "product_id", "configuration_id", "sku", "description", "specification", "quantity", "unit",
    "unit_price", "discount_percent", "tax_rate",
)  # fmt: skip
DEFAULT_VALIDITY_DAYS = 30
MAX_LINES = 500
EDITABLE = (Quotation.Status.DRAFT,)
REVISABLE = (Quotation.Status.SENT, Quotation.Status.DECLINED, Quotation.Status.EXPIRED)


# --- shared helpers -----------------------------------------------------------------------------
def _customer(*, actor: Actor, customer_id: int | None) -> Customer:
    from shangyou.contacts.selectors import customer_get

    if not customer_id:
        raise ValidationFailed(
            _("Choose the customer."), errors={"customer_id": [_("This field is required.")]}
        )
    try:
        return customer_get(actor=actor, id=customer_id)
    except NotFound as exc:  # say which field is wrong
        raise ValidationFailed(
            _("Choose one of your customers."), errors={"customer_id": [_("Unknown customer.")]}
        ) from exc


def _contact(*, actor: Actor, customer: Customer, contact_id: int | None) -> Contact | None:
    if not contact_id:
        return None
    contact = Contact.objects.filter(
        company_id=actor.company_id, customer_id=customer.pk, pk=contact_id
    ).first()
    if contact is None:
        raise ValidationFailed(
            _("Choose a contact of this customer."), errors={"contact_id": [_("Unknown contact.")]}
        )
    return contact


def _currency(value: str) -> str:
    value = (value or "").upper()
    if value not in CURRENCIES:
        raise ValidationFailed(
            _("Choose a currency: %(list)s.") % {"list": ", ".join(CURRENCIES)},
            errors={"currency": [_("Unknown currency.")]},
        )
    return value


def _stage_label(stage: str) -> str:
    return str(Opportunity.Stage(stage).label)


# --- opportunities (S1) -------------------------------------------------------------------------
def _opportunity_fields(
    *, actor: Actor, data: dict[str, Any], opportunity: Opportunity | None
) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in OPPORTUNITY_FIELDS}
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
    if "amount" in fields and fields["amount"] is None:
        fields["amount"] = Decimal(0)
    if "owner_id" in data and (opportunity is None or data["owner_id"] != opportunity.owner_id):
        if (
            opportunity is not None
            and actor.sees_own_records_only
            and data["owner_id"] != opportunity.owner_id
        ):
            raise PermissionDenied(
                _("Only a manager or an administrator can reassign an opportunity.")
            )
        fields.update(_owner_and_team(actor=actor, owner_id=data["owner_id"]))
    if "contact_id" in data:
        customer = opportunity.customer if opportunity else data["_customer"]
        fields["contact"] = _contact(actor=actor, customer=customer, contact_id=data["contact_id"])
    return fields


@transaction.atomic
def opportunity_create(*, actor: Actor, data: dict[str, Any]) -> Opportunity:
    """Open an opportunity for a customer the actor may see (`customer_id` required), owned by
    `owner_id` (default: the actor). The probability defaults to the stage's."""
    require_write(actor)
    customer = _customer(actor=actor, customer_id=data.get("customer_id"))
    data = {"owner_id": actor.user_id, **data, "_customer": customer}
    stage = data.get("stage") or Opportunity.Stage.QUALIFICATION
    if stage not in Opportunity.Stage.values:
        raise ValidationFailed(_("Choose a stage."), errors={"stage": [_("Unknown stage.")]})
    if stage == Opportunity.Stage.LOST and not str(data.get("lost_reason") or "").strip():
        raise ValidationFailed(
            _("Give the reason the opportunity was lost."),
            errors={"lost_reason": [_("Required.")]},
        )
    fields = _opportunity_fields(actor=actor, data=data, opportunity=None)
    fields["stage"] = stage
    if fields.get("probability") is None:
        fields["probability"] = Opportunity.STAGE_PROBABILITY[stage]
    if stage not in Opportunity.OPEN_STAGES:
        fields["closed_at"] = timezone.now()
        fields["lost_reason"] = str(data.get("lost_reason") or "").strip()
    if not fields.get("name"):
        fields["name"] = customer.name
    opportunity = model_create(actor=actor, instance=Opportunity(customer=customer, **fields))
    timeline_add(
        actor=actor,
        customer=customer,
        kind=TimelineEntry.Kind.OPPORTUNITY,
        subject=_("Opportunity “%(name)s” opened (%(stage)s)")
        % {"name": opportunity.name, "stage": _stage_label(opportunity.stage)},
        related=opportunity,
        data={"stage": opportunity.stage, "amount": str(opportunity.amount)},
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor: Actor, opportunity: Opportunity, data: dict[str, Any], version: int | None
) -> Opportunity:
    """Edit the opportunity; a stage in `data` goes through `opportunity_move`'s rules."""
    data = dict(data)
    stage = data.pop("stage", None)
    lost_reason = data.pop("lost_reason", None)
    fields = _opportunity_fields(actor=actor, data=data, opportunity=opportunity)
    fields.pop("stage", None)
    if stage is not None and stage != opportunity.stage:
        opportunity = opportunity_move(
            actor=actor,
            opportunity=opportunity,
            stage=stage,
            probability=fields.pop("probability", None),
            lost_reason=lost_reason or "",
            version=version,
        )
        version = opportunity.version
    if fields:
        opportunity, _changes = model_update(
            actor=actor, instance=opportunity, data=fields, expected_version=version
        )
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    actor: Actor,
    opportunity: Opportunity,
    stage: str,
    version: int | None,
    probability: int | None = None,
    lost_reason: str = "",
) -> Opportunity:
    """Move to a stage: the probability becomes the stage's default unless one is given; won and
    lost close the opportunity (`closed_at`; lost needs a reason); reopening clears them."""
    if stage not in Opportunity.Stage.values:
        raise ValidationFailed(_("Choose a stage."), errors={"stage": [_("Unknown stage.")]})
    lost_reason = (lost_reason or "").strip()
    if stage == Opportunity.Stage.LOST and not lost_reason:
        raise ValidationFailed(
            _("Give the reason the opportunity was lost."),
            errors={"lost_reason": [_("Required.")]},
        )
    if probability is not None and not 0 <= int(probability) <= 100:
        raise ValidationFailed(
            _("The probability is a percentage from 0 to 100."),
            errors={"probability": [_("From 0 to 100.")]},
        )
    before = opportunity.stage
    fields: dict[str, Any] = {
        "stage": stage,
        "probability": Opportunity.STAGE_PROBABILITY[stage] if probability is None else probability,
    }
    if stage in Opportunity.OPEN_STAGES:
        fields.update(closed_at=None, lost_reason="")
    else:
        if before in Opportunity.OPEN_STAGES or not opportunity.closed_at:
            fields["closed_at"] = timezone.now()
        fields["lost_reason"] = lost_reason if stage == Opportunity.Stage.LOST else ""
    opportunity, changes = model_update(
        actor=actor, instance=opportunity, data=fields, expected_version=version
    )
    if "stage" in changes:
        if stage == Opportunity.Stage.WON:
            subject = _("Opportunity “%(name)s” won") % {"name": opportunity.name}
        elif stage == Opportunity.Stage.LOST:
            subject = _("Opportunity “%(name)s” lost: %(reason)s") % {
                "name": opportunity.name,
                "reason": lost_reason,
            }
        else:
            subject = _("Opportunity “%(name)s” moved from %(old)s to %(new)s") % {
                "name": opportunity.name,
                "old": _stage_label(before),
                "new": _stage_label(stage),
            }
        timeline_add(
            actor=actor,
            customer=opportunity.customer,
            kind=TimelineEntry.Kind.OPPORTUNITY,
            subject=subject,
            related=opportunity,
            data={"stage": stage, "previous_stage": before, "probability": fields["probability"]},
        )
    return opportunity


def opportunity_delete(*, actor: Actor, opportunity: Opportunity) -> None:
    soft_delete(actor=actor, instance=opportunity)


# --- quotation lines ----------------------------------------------------------------------------
def _decimal(value: Any, *, field: str, position: int, default: Decimal | None = None) -> Decimal:
    if value in (None, ""):
        if default is not None:
            return default
        raise ValidationFailed(
            _("Line %(n)s: %(field)s is required.") % {"n": position, "field": field},
            errors={f"lines.{position}.{field}": [_("Required.")]},
        )
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("Line %(n)s: “%(value)s” is not a number.") % {"n": position, "value": value},
            errors={f"lines.{position}.{field}": [_("Enter a number.")]},
        ) from exc
    if not result.is_finite():
        raise ValidationFailed(_("Line %(n)s: enter a number.") % {"n": position})
    return result


def _stored(value: Decimal, *, field: str, position: int) -> Decimal:
    """`value` as the line's column keeps it — rounded half-up to the column's decimal places —
    so that a line's amounts are computed from what is saved (and what was saved is known
    without reading it back); a value too large for the column is refused."""
    column = QuotationLine._meta.get_field(field)
    try:
        stored = value.quantize(Decimal(1).scaleb(-column.decimal_places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        stored = None
    if stored is None or stored.adjusted() >= column.max_digits - column.decimal_places:
        raise ValidationFailed(
            _("Line %(n)s: the %(field)s is too large.")
            % {"n": position, "field": column.verbose_name},
            errors={f"lines.{position}.{field}": [_("Too large.")]},
        )
    return stored


def _quantity(line: dict[str, Any], position: int) -> Decimal:
    quantity = _decimal(
        line.get("quantity"), field="quantity", position=position, default=Decimal(1)
    )
    return _stored(quantity, field="quantity", position=position)


def build_lines(
    *,
    actor: Actor,
    customer: Customer | None,
    lines: list[dict[str, Any]],
    currency: str,
    on_date,
    document_discount_percent: Decimal,
) -> tuple[list[QuotationLine], Any]:
    """Unsaved `QuotationLine`s with their amounts, and the document totals.

    Products and configurations are read in one query each, whatever the number of lines;
    the catalogue is asked for a price only for lines that do not carry one."""
    from shangyou.catalog.models import Configuration, Product

    if len(lines) > MAX_LINES:
        raise ValidationFailed(
            _("A quotation has at most %(n)s lines.") % {"n": MAX_LINES},
            errors={"lines": [_("Too many lines.")]},
        )
    product_ids = {int(line["product_id"]) for line in lines if line.get("product_id")}
    configuration_ids = {
        int(line["configuration_id"]) for line in lines if line.get("configuration_id")
    }
    configurations = (
        {
            c.pk: c
            for c in Configuration.objects.filter(
                company_id=actor.company_id, pk__in=configuration_ids
            )
        }
        if configuration_ids
        else {}
    )
    product_ids |= {c.product_id for c in configurations.values()}
    products = (
        {
            p.pk: p
            for p in Product.objects.filter(company_id=actor.company_id, pk__in=product_ids).defer(
                "search_text", "search_grams", "description", "specifications"
            )
        }
        if product_ids
        else {}
    )
    prices = _catalog_prices(
        actor=actor,
        customer=customer,
        lines=lines,
        products=products,
        currency=currency,
        on_date=on_date,
    )
    rows, amounts = [], []
    for position, line in enumerate(lines, start=1):
        unknown = set(line) - set(LINE_FIELDS) - {"id", "key"}
        if unknown:
            raise ValidationFailed(
                _("Line %(n)s: unknown fields %(fields)s.")
                % {"n": position, "fields": ", ".join(sorted(unknown))}
            )
        configuration = None
        if line.get("configuration_id"):
            configuration = configurations.get(int(line["configuration_id"]))
            if configuration is None:
                raise ValidationFailed(
                    _("Line %(n)s: choose a configuration of this company.") % {"n": position},
                    errors={f"lines.{position}.configuration_id": [_("Unknown configuration.")]},
                )
        product = None
        product_id = line.get("product_id") or (configuration.product_id if configuration else None)
        if product_id:
            product = products.get(int(product_id))
            if product is None:
                raise ValidationFailed(
                    _("Line %(n)s: choose a product of this company.") % {"n": position},
                    errors={f"lines.{position}.product_id": [_("Unknown product.")]},
                )
        quantity = _quantity(line, position)
        if quantity <= 0:
            raise ValidationFailed(
                _("Line %(n)s: the quantity must be more than zero.") % {"n": position},
                errors={f"lines.{position}.quantity": [_("More than zero.")]},
            )
        if line.get("unit_price") not in (None, ""):
            unit_price = _decimal(line["unit_price"], field="unit_price", position=position)
        elif configuration is not None:
            unit_price = configuration.unit_price
        elif product is not None:
            unit_price = prices[position]
        else:
            unit_price = _decimal(None, field="unit_price", position=position)
        unit_price = _stored(unit_price, field="unit_price", position=position)
        if unit_price < 0:
            raise ValidationFailed(
                _("Line %(n)s: the price cannot be negative.") % {"n": position},
                errors={f"lines.{position}.unit_price": [_("Zero or more.")]},
            )
        discount = _decimal(
            line.get("discount_percent"), field="discount", position=position, default=Decimal(0)
        )
        discount = _stored(discount, field="discount_percent", position=position)
        tax_default = product.tax_rate if product is not None else Decimal(0)
        tax_rate = _decimal(
            line.get("tax_rate"), field="tax_rate", position=position, default=tax_default
        )
        tax_rate = _stored(tax_rate, field="tax_rate", position=position)
        for name, value in (("discount_percent", discount), ("tax_rate", tax_rate)):
            if not 0 <= value <= 100:
                raise ValidationFailed(
                    _("Line %(n)s: a percentage is from 0 to 100.") % {"n": position},
                    errors={f"lines.{position}.{name}": [_("From 0 to 100.")]},
                )
        description = str(line.get("description") or "").strip()
        if not description:
            if configuration is not None:
                description = str(configuration)
            elif product is not None:
                description = product.name
        if not description:
            raise ValidationFailed(
                _("Line %(n)s: describe what is offered.") % {"n": position},
                errors={f"lines.{position}.description": [_("Required.")]},
            )
        specification = str(line.get("specification") or "").strip()
        if not specification and configuration is not None:
            specification = configuration.summary
        computed = line_amounts(
            quantity=quantity,
            unit_price=unit_price,
            discount_percent=discount,
            tax_rate=tax_rate,
            document_discount_percent=document_discount_percent,
        )
        amounts.append(computed)
        rows.append(
            QuotationLine(
                company_id=actor.company_id,
                position=position,
                product=product,
                configuration=configuration,
                sku=str(line.get("sku") or (product.sku if product else ""))[:60],
                description=description[:500],
                specification=specification,
                quantity=quantity,
                unit=str(line.get("unit") or (product.unit if product else ""))[:20],
                unit_price=unit_price,
                discount_percent=discount,
                tax_rate=tax_rate,
                line_subtotal=computed.subtotal,
                line_tax=computed.tax,
                line_total=computed.total,
            )
        )
    return rows, document_totals(amounts)


def _catalog_prices(
    *, actor: Actor, customer, lines, products, currency: str, on_date
) -> dict[int, Decimal]:
    """{position: the catalogue's unit price} of the product lines that give no price and no
    configuration, looked up together (`catalog_prices`). Lines `build_lines` will refuse
    (unknown product, bad quantity) are left out: it says what is wrong with them."""
    wanted: dict[int, tuple[Any, Decimal]] = {}
    for position, line in enumerate(lines, start=1):
        if line.get("unit_price") not in (None, "") or line.get("configuration_id"):
            continue
        product = products.get(int(line["product_id"])) if line.get("product_id") else None
        if product is None:
            continue
        try:
            quantity = _quantity(line, position)
        except ValidationFailed:
            continue
        if quantity > 0:
            wanted[position] = (product, quantity)
    if not wanted:
        return {}
    prices = catalog_prices(
        actor=actor,
        items=list(wanted.values()),
        customer=customer,
        on_date=on_date,
        currency=currency,
    )
    return dict(zip(wanted, prices, strict=True))


def _replace_lines(*, quotation: Quotation, rows: list[QuotationLine], totals) -> None:
    QuotationLine.objects.filter(company_id=quotation.company_id, quotation=quotation).delete()
    for row in rows:
        row.quotation = quotation
    QuotationLine.objects.bulk_create(rows)
    Quotation.all_objects.filter(pk=quotation.pk).update(
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        tax_total=totals.tax_total,
        total=totals.total,
    )
    quotation.subtotal, quotation.discount_total = totals.subtotal, totals.discount_total
    quotation.tax_total, quotation.total = totals.tax_total, totals.total


# --- quotations (S2) ----------------------------------------------------------------------------
def _quotation_fields(*, actor: Actor, data: dict[str, Any], customer: Customer) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in QUOTATION_FIELDS}
    if "currency" in fields:
        fields["currency"] = _currency(fields["currency"])
    if "language" in fields and fields["language"] not in Quotation.Language.values:
        raise ValidationFailed(
            _("Choose Chinese or English."), errors={"language": [_("Unknown language.")]}
        )
    if "discount_percent" in fields:
        fields["discount_percent"] = _decimal(
            fields["discount_percent"], field="discount_percent", position=0, default=Decimal(0)
        )
        if not 0 <= fields["discount_percent"] <= 100:
            raise ValidationFailed(
                _("The discount is a percentage from 0 to 100."),
                errors={"discount_percent": [_("From 0 to 100.")]},
            )
    if "contact_id" in data:
        fields["contact"] = _contact(actor=actor, customer=customer, contact_id=data["contact_id"])
    if "opportunity_id" in data:
        fields["opportunity"] = None
        if data["opportunity_id"]:
            from .selectors import opportunity_get

            try:
                opportunity = opportunity_get(actor=actor, id=data["opportunity_id"])
            except NotFound as exc:
                raise ValidationFailed(
                    _("Choose one of your opportunities."),
                    errors={"opportunity_id": [_("Unknown opportunity.")]},
                ) from exc
            if opportunity.customer_id != customer.pk:
                raise ValidationFailed(
                    _("Choose an opportunity of this customer."),
                    errors={"opportunity_id": [_("Another customer's opportunity.")]},
                )
            fields["opportunity"] = opportunity
    return fields


def _clean_fields(quotation: Quotation) -> None:
    """The model's field validation, without what the service has checked already: its
    references (each read through the actor's company, so they exist — `full_clean` would ask
    the database again, one query each) and the number (fresh from the company's sequence)."""
    references = [f.name for f in Quotation._meta.concrete_fields if f.is_relation]
    full_clean_or_fail(
        quotation, exclude=references, validate_unique=False, validate_constraints=False
    )


def _check_dates(quotation: Quotation) -> None:
    if quotation.valid_until < quotation.issue_date:
        raise ValidationFailed(
            _("The quotation must be valid until its date or later."),
            errors={"valid_until": [_("On or after the quotation date.")]},
        )


@transaction.atomic
def quotation_create(
    *, actor: Actor, data: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> Quotation:
    """A draft quotation numbered QT-<year>-<n> for a customer the actor may see; blacklisted
    customers are refused. Dates default to today and today + 30 days. The new lines are on
    `quotation.saved_lines`."""
    require_write(actor)
    customer = _customer(actor=actor, customer_id=data.get("customer_id"))
    ensure_can_sell(customer)
    fields = _quotation_fields(actor=actor, data=data, customer=customer)
    today = timezone.localdate()
    fields.setdefault("issue_date", today)
    fields["issue_date"] = fields["issue_date"] or today
    if not fields.get("valid_until"):
        fields["valid_until"] = fields["issue_date"] + timedelta(days=DEFAULT_VALIDITY_DAYS)
    fields.setdefault("currency", "CNY")
    owner_id = data.get("owner_id") or actor.user_id
    if owner_id == actor.user_id:  # the actor's own membership is known to be active
        owner = {"owner": actor.user, "team_id": actor.team_id}
    else:
        owner = _owner_and_team(actor=actor, owner_id=owner_id)
    if not fields.get("contact") and customer.pk:
        fields["contact"] = (
            Contact.objects.filter(company_id=actor.company_id, customer=customer)
            .order_by("-is_primary", "id")
            .first()
        )
    rows, totals = build_lines(
        actor=actor,
        customer=customer,
        lines=lines or [],
        currency=fields["currency"],
        on_date=fields["issue_date"],
        document_discount_percent=fields.get("discount_percent", Decimal(0)),
    )
    quotation = Quotation(
        customer=customer,
        number=next_number(company=actor.company, key="QT"),
        revision=0,
        status=Quotation.Status.DRAFT,
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        tax_total=totals.tax_total,
        total=totals.total,
        **owner,
        **fields,
    )
    _check_dates(quotation)
    _clean_fields(quotation)
    quotation = model_create(actor=actor, instance=quotation, clean=False)
    for row in rows:
        row.quotation = quotation
    QuotationLine.objects.bulk_create(rows)
    # The lines as saved — each value as its column keeps it (`_stored`), with its id — for
    # the caller to show without reading them back.
    quotation.saved_lines = rows
    timeline_add(
        actor=actor,
        company=actor.company,
        customer=customer,
        kind=TimelineEntry.Kind.QUOTATION,
        subject=_("Quotation %(number)s drafted: %(currency)s %(total)s")
        % {"number": quotation, "currency": quotation.currency, "total": quotation.total},
        related=quotation,
        data={"status": quotation.status, "total": str(quotation.total)},
    )
    return quotation


def _require_draft(quotation: Quotation) -> None:
    if quotation.status not in EDITABLE:
        raise Conflict(
            _(
                "Quotation %(number)s is %(status)s and can no longer be edited. "
                "Make a new revision to change it."
            )
            % {"number": quotation, "status": quotation.get_status_display()}
        )


@transaction.atomic
def quotation_update(
    *,
    actor: Actor,
    quotation: Quotation,
    data: dict[str, Any],
    version: int | None,
    lines: list[dict[str, Any]] | None = None,
) -> Quotation:
    """Edit a draft: its fields and, when `lines` is given, all its lines at once. Refused
    (409) when someone saved it since `version`."""
    require_write(actor)
    _require_draft(quotation)
    ensure_can_sell(quotation.customer)
    fields = _quotation_fields(actor=actor, data=data, customer=quotation.customer)
    if "owner_id" in data and data["owner_id"] != quotation.owner_id:
        if actor.sees_own_records_only:
            raise PermissionDenied(
                _("Only a manager or an administrator can reassign a quotation.")
            )
        fields.update(_owner_and_team(actor=actor, owner_id=data["owner_id"]))
    # Totals depend on the lines and the document discount: recompute with the stored lines when
    # only the discount changes.
    if lines is None and "discount_percent" in fields:
        from .selectors import quotation_lines

        lines = [
            {
                "product_id": line.product_id,
                "configuration_id": line.configuration_id,
                "sku": line.sku,
                "description": line.description,
                "specification": line.specification,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "tax_rate": line.tax_rate,
            }
            for line in quotation_lines(quotation=quotation)
        ]
    quotation, _changes = model_update(
        actor=actor,
        instance=quotation,
        data=fields,
        expected_version=version,
        clean=False,
    )
    _clean_fields(quotation)  # a failure rolls the update back (this transaction)
    _check_dates(quotation)
    if lines is not None:
        rows, totals = build_lines(
            actor=actor,
            customer=quotation.customer,
            lines=lines,
            currency=quotation.currency,
            on_date=quotation.issue_date,
            document_discount_percent=quotation.discount_percent,
        )
        _replace_lines(quotation=quotation, rows=rows, totals=totals)
    return quotation


def quotation_delete(*, actor: Actor, quotation: Quotation) -> None:
    """Only a draft goes to the trash; what the customer has seen stays on record."""
    _require_draft(quotation)
    soft_delete(actor=actor, instance=quotation)


@transaction.atomic
def quotation_revise(*, actor: Actor, quotation: Quotation) -> Quotation:
    """Copy a sent, declined or expired quotation into a new draft (same number, revision + 1,
    `previous` = the old one, a new access key); the old one becomes superseded and its link
    can no longer be answered."""
    require_write(actor)
    locked = Quotation.objects.select_for_update().filter(pk=quotation.pk).first()
    if locked is None or locked.status not in REVISABLE:
        status = locked.get_status_display() if locked else ""
        raise Conflict(
            _("Only a sent, declined or expired quotation can be revised (this one is %(s)s).")
            % {"s": status}
        )
    from .selectors import quotation_lines

    today = timezone.localdate()
    validity = max((locked.valid_until - locked.issue_date).days, 1)
    new = Quotation(
        number=locked.number,
        revision=locked.revision + 1,
        previous=locked,
        customer=locked.customer,
        contact=locked.contact,
        opportunity=locked.opportunity,
        status=Quotation.Status.DRAFT,
        currency=locked.currency,
        language=locked.language,
        issue_date=today,
        valid_until=today + timedelta(days=validity),
        terms=locked.terms,
        notes=locked.notes,
        discount_percent=locked.discount_percent,
        subtotal=locked.subtotal,
        discount_total=locked.discount_total,
        tax_total=locked.tax_total,
        total=locked.total,
        owner=locked.owner,
        team=locked.team,
    )
    new = model_create(actor=actor, instance=new)
    copies = []
    for line in quotation_lines(quotation=locked):
        line.pk = None
        line.quotation = new
        copies.append(line)
    QuotationLine.objects.bulk_create(copies)
    model_update(
        actor=actor,
        instance=locked,
        data={"status": Quotation.Status.SUPERSEDED},
        expected_version=locked.version,
    )
    timeline_add(
        actor=actor,
        customer=locked.customer,
        kind=TimelineEntry.Kind.QUOTATION,
        subject=_("Quotation %(old)s revised as %(new)s") % {"old": locked, "new": new},
        related=new,
        data={"status": new.status, "previous_id": locked.pk},
    )
    return new
