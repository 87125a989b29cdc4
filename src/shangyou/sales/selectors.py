"""Reads of the sales app: opportunities, the weighted pipeline, quotations — always through the
actor's company and the record rules of customers (sales: own; managers: their team's).

The only read that is not scoped by an actor is `quotation_by_token`: the customer's signed
link is the credential.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.search import search_filter
from shangyou.core.selectors import scope_records

from .models import Opportunity, Quotation, QuotationLine

TOKEN_SALT = "shangyou.sales.quotation"  # noqa: S105 - a signing namespace, not a secret
OPPORTUNITY_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "expected_close": ("expected_close", "id"),
    "-expected_close": ("-expected_close", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
QUOTATION_SORTS = {
    "date": ("issue_date", "id"),
    "-date": ("-issue_date", "-id"),
    "number": ("number", "revision"),
    "-number": ("-number", "-revision"),
    "total": ("total", "id"),
    "-total": ("-total", "-id"),
}
KANBAN_STAGES = (*Opportunity.OPEN_STAGES, Opportunity.Stage.WON, Opportunity.Stage.LOST)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- opportunities ------------------------------------------------------------------------------
def opportunity_list(
    *, actor: Actor, filters: dict[str, Any] | None = None, sort: str = "-created"
) -> QuerySet[Opportunity]:
    """Filters: q (name or customer), stage, owner ("none" = unowned), customer, status
    ("open"/"closed"), close_after / close_before (expected close date)."""
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    items = scope_records(Opportunity.objects.all(), actor=actor)
    if f.get("q"):
        q = str(f["q"]).strip()
        items = items.filter(Q(name__icontains=q) | Q(customer__name__icontains=q))
    if f.get("stage"):
        stages = f["stage"] if isinstance(f["stage"], list) else [f["stage"]]
        items = items.filter(stage__in=stages)
    if f.get("owner"):
        if f["owner"] == "none":
            items = items.filter(owner__isnull=True)
        elif _int(f["owner"]) is not None:
            items = items.filter(owner_id=_int(f["owner"]))
    if _int(f.get("customer")) is not None:
        items = items.filter(customer_id=_int(f["customer"]))
    if f.get("status") == "open":
        items = items.filter(stage__in=Opportunity.OPEN_STAGES)
    elif f.get("status") == "closed":
        items = items.exclude(stage__in=Opportunity.OPEN_STAGES)
    if f.get("close_after"):
        items = items.filter(expected_close__gte=f["close_after"])
    if f.get("close_before"):
        items = items.filter(expected_close__lte=f["close_before"])
    return items.select_related("customer", "owner").order_by(
        *OPPORTUNITY_SORTS.get(sort, OPPORTUNITY_SORTS["-created"])
    )


def opportunity_get(*, actor: Actor, id: int) -> Opportunity:
    opportunity = (
        scope_records(Opportunity.objects.all(), actor=actor)
        .select_related("customer", "owner", "team", "contact", "updated_by")
        .filter(pk=id)
        .first()
    )
    if opportunity is None:
        raise NotFound()
    return opportunity


def opportunity_kanban(
    *, actor: Actor, filters: dict[str, Any] | None = None, per_column: int = 50
) -> list[dict[str, Any]]:
    """One column per stage: its cards (soonest expected close first), count and amounts."""
    filters = {k: v for k, v in (filters or {}).items() if k not in ("stage", "status")}
    base = opportunity_list(actor=actor, filters=filters)
    counts = dict(base.order_by().values_list("stage").annotate(n=Count("pk")))
    columns = []
    labels = dict(Opportunity.Stage.choices)
    for stage in KANBAN_STAGES:
        cards = list(
            base.filter(stage=stage).order_by("expected_close", "-id")[:per_column]
            if stage in Opportunity.OPEN_STAGES
            else base.filter(stage=stage).order_by("-closed_at", "-id")[:per_column]
        )
        columns.append(
            {
                "stage": stage,
                "label": labels[stage],
                "count": counts.get(stage, 0),
                "cards": cards,
            }
        )
    return columns


def pipeline_summary(*, actor: Actor, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The weighted pipeline: per stage and currency Σ amount and Σ amount × probability, and
    the totals of the open stages per currency (amounts are not converted between currencies).

    {"stages": [{"stage", "label", "currency", "count", "amount", "weighted"}, …],
     "totals": [{"currency", "count", "amount", "weighted"}, …]}
    """
    filters = {k: v for k, v in (filters or {}).items() if k not in ("stage", "status")}
    rows = (
        opportunity_list(actor=actor, filters=filters)
        .order_by()
        .values_list("stage", "currency", "probability")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    per_stage: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "amount": Decimal("0.00"), "weighted": Decimal("0.00")}
    )
    for stage, currency, probability, n, amount in rows:
        amount = Decimal(amount or 0).quantize(Decimal("0.01"))
        weighted = (amount * probability / 100).quantize(Decimal("0.01"))
        entry = per_stage.setdefault(
            (stage, currency),
            {"count": 0, "amount": Decimal("0.00"), "weighted": Decimal("0.00")},
        )
        entry["count"] += n
        entry["amount"] += amount
        entry["weighted"] += weighted
        if stage in Opportunity.OPEN_STAGES:
            totals[currency]["count"] += n
            totals[currency]["amount"] += amount
            totals[currency]["weighted"] += weighted
    labels = dict(Opportunity.Stage.choices)
    order = {stage: i for i, stage in enumerate(KANBAN_STAGES)}
    stages = [
        {"stage": stage, "label": str(labels[stage]), "currency": currency, **values}
        for (stage, currency), values in sorted(
            per_stage.items(), key=lambda item: (order[item[0][0]], item[0][1])
        )
    ]
    return {
        "stages": stages,
        "totals": [{"currency": c, **v} for c, v in sorted(totals.items())],
    }


# --- quotations ---------------------------------------------------------------------------------
def quotation_list(
    *, actor: Actor, filters: dict[str, Any] | None = None, sort: str = "-date"
) -> QuerySet[Quotation]:
    """Filters: q (number or customer name), status, customer, owner, opportunity,
    date_from / date_to (issue date), current ("1": hide superseded revisions)."""
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    items = scope_records(Quotation.objects.all(), actor=actor)
    if f.get("q"):
        q = str(f["q"]).strip()
        items = items.filter(Q(number__icontains=q) | Q(customer__name__icontains=q))
    if f.get("status"):
        statuses = f["status"] if isinstance(f["status"], list) else [f["status"]]
        items = items.filter(status__in=statuses)
    if _int(f.get("customer")) is not None:
        items = items.filter(customer_id=_int(f["customer"]))
    if f.get("owner"):
        if f["owner"] == "none":
            items = items.filter(owner__isnull=True)
        elif _int(f["owner"]) is not None:
            items = items.filter(owner_id=_int(f["owner"]))
    if _int(f.get("opportunity")) is not None:
        items = items.filter(opportunity_id=_int(f["opportunity"]))
    if f.get("date_from"):
        items = items.filter(issue_date__gte=f["date_from"])
    if f.get("date_to"):
        items = items.filter(issue_date__lte=f["date_to"])
    if str(f.get("current", "")).lower() in {"1", "true", "yes", "on"}:
        items = items.exclude(status=Quotation.Status.SUPERSEDED)
    return items.select_related("customer", "owner").order_by(
        *QUOTATION_SORTS.get(sort, QUOTATION_SORTS["-date"])
    )


def quotation_get(*, actor: Actor, id: int) -> Quotation:
    quotation = (
        scope_records(Quotation.objects.all(), actor=actor)
        .select_related("customer", "contact", "opportunity", "owner", "team", "updated_by")
        .filter(pk=id)
        .first()
    )
    if quotation is None:
        raise NotFound()
    return quotation


def quotation_lines(*, quotation: Quotation) -> QuerySet[QuotationLine]:
    return QuotationLine.objects.filter(
        company_id=quotation.company_id, quotation_id=quotation.pk
    ).order_by("position", "id")


def quotation_revisions(*, actor: Actor, quotation: Quotation) -> list[Quotation]:
    """Every revision of the quotation's number the actor may see, newest first."""
    return list(
        scope_records(Quotation.objects.all(), actor=actor)
        .filter(number=quotation.number)
        .order_by("-revision")
    )


def is_expired(quotation: Quotation, *, today: date | None = None) -> bool:
    """Past its validity date (or marked expired) — it can no longer be answered."""
    today = today or timezone.localdate()
    return quotation.status == Quotation.Status.EXPIRED or (
        quotation.status in (Quotation.Status.DRAFT, Quotation.Status.SENT)
        and quotation.valid_until < today
    )


def quotation_token(quotation: Quotation) -> str:
    """The credential in the customer's link: the quotation and its current access key."""
    return signing.dumps({"q": quotation.pk, "k": quotation.access_key}, salt=TOKEN_SALT)


def quotation_by_token(*, token: str) -> Quotation:
    """The quotation a signed link names; NotFound for a forged or garbled token."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as exc:
        raise NotFound() from exc
    if not isinstance(data, dict):
        raise NotFound()
    quotation = (
        Quotation.objects.filter(pk=_int(data.get("q")), access_key=str(data.get("k", "")))
        .select_related("company", "customer", "contact", "owner")
        .first()
    )
    if quotation is None:
        raise NotFound()
    return quotation


def product_search(*, actor: Actor, q: str, limit: int = 20):
    """Products of the company for the line editor (name, pinyin, SKU, barcode)."""
    from shangyou.catalog.models import Product

    products = Product.objects.filter(company_id=actor.company_id).exclude(
        status=Product.Status.DISCONTINUED
    )
    if q.strip():
        products = search_filter(products, q)
    return list(products.order_by("name", "id")[:limit])


def configuration_choices(*, actor: Actor, customer_id: int | None = None, limit: int = 50):
    """Saved configurations to quote: the customer's own first, then the company's general ones."""
    from shangyou.catalog.models import Configuration

    items = Configuration.objects.filter(company_id=actor.company_id).select_related("product")
    if customer_id:
        items = items.filter(Q(customer_id=customer_id) | Q(customer__isnull=True))
    return list(items.order_by("-created_at", "-id")[:limit])


def customer_sections(*, actor: Actor, customer) -> list[dict[str, Any]]:
    """The customer page's "Sales" tab: open opportunities and current quotations."""
    return [
        {
            "template": "sales/partials/_customer_sales.html",
            "context": {
                "customer": customer,
                "opportunities": list(
                    opportunity_list(
                        actor=actor, filters={"customer": customer.pk, "status": "open"}
                    )[:20]
                ),
                "quotations": list(
                    quotation_list(actor=actor, filters={"customer": customer.pk, "current": "1"})[
                        :20
                    ]
                ),
                "can_write": actor.can_write,
            },
        }
    ]


def customer_figures(*, actor: Actor, customer) -> list[dict[str, Any]]:
    """The customer page's header: the weighted value of the open opportunities."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    summary = pipeline_summary(actor=actor, filters={"customer": customer.pk})
    if not summary["totals"]:
        return []
    value = " · ".join(f"{t['currency']} {t['weighted']:,.2f}" for t in summary["totals"])
    count = sum(t["count"] for t in summary["totals"])
    return [
        {
            "label": _("Weighted pipeline"),
            "value": value,
            "hint": _("%(n)s open opportunities") % {"n": count},
            "url": reverse("sales:opportunity_list") + f"?customer={customer.pk}",
        }
    ]


def catalog_price(*, actor: Actor, product, customer=None, quantity=Decimal(1), on_date=None,
                  currency=None) -> Decimal:  # fmt: skip
    """The product's unit price for this customer from the catalogue (price lists, grade,
    quantity breaks, currency); the list price while the catalogue has no `price_for`."""
    try:
        from shangyou.catalog.selectors import price_for
    except ImportError:
        return product.price
    price = price_for(
        actor=actor,
        product=product,
        customer=customer,
        quantity=quantity,
        on_date=on_date,
        currency=currency,
    )
    return price.unit_price


def catalog_prices(
    *, actor: Actor, items, customer=None, on_date=None, currency=None
) -> list[Decimal]:
    """`catalog_price` of each (product, quantity) in `items`, in one go (a few queries whatever
    the number of lines: `catalog.selectors.prices_for`)."""
    from shangyou.catalog.selectors import prices_for

    prices = prices_for(
        actor=actor, items=items, customer=customer, on_date=on_date, currency=currency
    )
    return [price.unit_price for price in prices]


def line_defaults(
    *,
    actor: Actor,
    product_id: int | None = None,
    configuration_id: int | None = None,
    customer=None,
    currency: str = "CNY",
    on_date: date | None = None,
) -> dict[str, Any]:
    """A new editor line: from a product (catalogue price for the customer), a saved
    configuration (its price and summary), or empty (free text)."""
    from shangyou.catalog.models import Configuration, Product

    line: dict[str, Any] = {"quantity": Decimal(1), "discount_percent": Decimal(0)}
    if configuration_id:
        config = (
            Configuration.objects.filter(company_id=actor.company_id, pk=configuration_id)
            .select_related("product")
            .first()
        )
        if config is None:
            raise NotFound()
        line.update(
            configuration_id=config.pk,
            product_id=config.product_id,
            sku=config.product.sku,
            description=str(config),
            specification=config.summary,
            unit=config.product.unit,
            unit_price=config.unit_price,
            tax_rate=config.product.tax_rate,
        )
    elif product_id:
        product = Product.objects.filter(company_id=actor.company_id, pk=product_id).first()
        if product is None:
            raise NotFound()
        line.update(
            product_id=product.pk,
            sku=product.sku,
            description=product.name,
            unit=product.unit,
            unit_price=catalog_price(
                actor=actor, product=product, customer=customer, on_date=on_date,
                currency=currency,
            ),
            tax_rate=product.tax_rate,
        )  # fmt: skip
    return line
