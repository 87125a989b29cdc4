"""Configurable products (P2): component groups and options, compatibility rules, and the
configurator that turns a set of chosen options into a price, a specification and a summary —
or into the errors that stop it (a required group left empty, two options in a single-choice
group, a rule broken)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.contacts.timeline import timeline_add
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.core.services import model_create, model_update, require_write, soft_delete

from . import selectors
from .models import CompatibilityRule, ComponentGroup, ComponentOption, Configuration, Product

GROUP_FIELDS = ("name", "required", "allow_multiple", "position")
OPTION_FIELDS = ("name", "price_delta", "specifications", "is_default", "position")


def _fail(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field_name: [message]})


# --- editing groups, options and rules ----------------------------------------------------------
@transaction.atomic
def component_group_create(
    *, actor: Actor, product: Product, data: dict[str, Any]
) -> ComponentGroup:
    """Add a group of options to a product; the product becomes configurable."""
    require_write(actor)
    fields = {k: v for k, v in data.items() if k in GROUP_FIELDS}
    group = model_create(actor=actor, instance=ComponentGroup(product=product, **fields))
    if not product.is_configurable:
        model_update(
            actor=actor,
            instance=product,
            data={"is_configurable": True},
            expected_version=product.version,
            clean=False,
        )
    return group


def component_group_update(
    *, actor: Actor, group: ComponentGroup, data: dict[str, Any], version: int | None
) -> ComponentGroup:
    fields = {k: v for k, v in data.items() if k in GROUP_FIELDS}
    group, _changes = model_update(
        actor=actor, instance=group, data=fields, expected_version=version
    )
    return group


def component_group_delete(*, actor: Actor, group: ComponentGroup) -> None:
    soft_delete(actor=actor, instance=group)


def _option_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in OPTION_FIELDS}
    if "specifications" in fields:
        specs = fields["specifications"] or {}
        if not isinstance(specs, dict):
            raise _fail("specifications", _("Give the specifications as key: value pairs."))
        fields["specifications"] = {
            str(k).strip(): (v.strip() if isinstance(v, str) else v)
            for k, v in specs.items()
            if str(k).strip()
        }
    if "price_delta" in fields:
        fields["price_delta"] = Decimal(str(fields["price_delta"] or 0))
    return fields


def component_option_create(
    *, actor: Actor, group: ComponentGroup, data: dict[str, Any]
) -> ComponentOption:
    require_write(actor)
    component_id = data.get("component_id")
    component = None
    if component_id:
        component = selectors.product_get(actor=actor, id=component_id)
    option = ComponentOption(group=group, component=component, **_option_fields(data))
    return model_create(actor=actor, instance=option)


def component_option_update(
    *, actor: Actor, option: ComponentOption, data: dict[str, Any], version: int | None
) -> ComponentOption:
    option, _changes = model_update(
        actor=actor, instance=option, data=_option_fields(data), expected_version=version
    )
    return option


def component_option_delete(*, actor: Actor, option: ComponentOption) -> None:
    soft_delete(actor=actor, instance=option)


def compatibility_rule_create(
    *,
    actor: Actor,
    product: Product,
    option_id: int,
    kind: str,
    other_id: int,
    message: str = "",
) -> CompatibilityRule:
    """`option` requires (or excludes) `other`; both must be options of `product`."""
    require_write(actor)
    if kind not in CompatibilityRule.Kind.values:
        raise _fail("kind", _("Choose “requires” or “excludes”."))
    options = {
        o.pk: o
        for o in ComponentOption.objects.filter(
            company_id=actor.company_id, group__product=product, pk__in=[option_id, other_id]
        )
    }
    if option_id not in options or other_id not in options:
        raise _fail("option_id", _("Both options must belong to this product."))
    if option_id == other_id:
        raise _fail("other_id", _("A rule needs two different options."))
    rule = CompatibilityRule(
        product=product,
        option=options[option_id],
        kind=kind,
        other=options[other_id],
        message=message.strip()[:200],
    )
    return model_create(actor=actor, instance=rule)


def compatibility_rule_delete(*, actor: Actor, rule: CompatibilityRule) -> None:
    soft_delete(actor=actor, instance=rule)


# --- the configurator ---------------------------------------------------------------------------
@dataclass
class ConfigurationResult:
    product: Product
    option_ids: list[int]
    unit_price: Decimal
    currency: str
    specifications: dict[str, Any]
    summary: str
    errors: list[str] = field(default_factory=list)
    options: list[ComponentOption] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def default_option_ids(*, actor: Actor, product: Product) -> list[int]:
    return [
        option.pk
        for group in selectors.component_groups(actor=actor, product=product)
        for option in group.options.all()
        if option.is_default
    ]


def configuration_compute(
    *, actor: Actor, product: Product, option_ids: list[int] | None
) -> ConfigurationResult:
    """Price, specification and summary of `product` built with `option_ids` (the defaults
    when None), and every reason it cannot be built that way."""
    if product.company_id != actor.company_id:
        raise NotFound()
    groups = selectors.component_groups(actor=actor, product=product)
    if option_ids is None:
        option_ids = [o.pk for g in groups for o in g.options.all() if o.is_default]
    chosen_ids = list(dict.fromkeys(int(i) for i in option_ids))
    by_id = {o.pk: o for g in groups for o in g.options.all()}
    errors: list[str] = []
    unknown = [i for i in chosen_ids if i not in by_id]
    if unknown:
        errors.append(
            _("Options %(ids)s are not part of this product.")
            % {"ids": ", ".join(str(i) for i in unknown)}
        )
    chosen = set(chosen_ids) - set(unknown)
    options: list[ComponentOption] = []
    unit_price = Decimal(product.price)
    specifications = dict(product.specifications or {})
    summary: list[str] = []
    for group in groups:
        picked = [o for o in group.options.all() if o.pk in chosen]
        if group.required and not picked:
            errors.append(_("Choose an option for “%(group)s”.") % {"group": group.name})
        if len(picked) > 1 and not group.allow_multiple:
            errors.append(_("Choose only one option for “%(group)s”.") % {"group": group.name})
        for option in picked:
            options.append(option)
            unit_price += option.price_delta
            specifications.update(option.specifications or {})
        if picked:
            summary.append(f"{group.name}: {', '.join(o.name for o in picked)}")
    for rule in selectors.compatibility_rules(actor=actor, product=product):
        if rule.option_id not in chosen:
            continue
        if rule.kind == CompatibilityRule.Kind.REQUIRES and rule.other_id not in chosen:
            errors.append(
                rule.message
                or _("“%(option)s” requires “%(other)s”.")
                % {"option": rule.option.name, "other": rule.other.name}
            )
        if rule.kind == CompatibilityRule.Kind.EXCLUDES and rule.other_id in chosen:
            errors.append(
                rule.message
                or _("“%(option)s” cannot be combined with “%(other)s”.")
                % {"option": rule.option.name, "other": rule.other.name}
            )
    return ConfigurationResult(
        product=product,
        option_ids=[o.pk for o in options],
        unit_price=unit_price,
        currency=product.currency,
        specifications=specifications,
        summary="; ".join(summary),
        errors=errors,
        options=options,
    )


@transaction.atomic
def configuration_save(
    *,
    actor: Actor,
    product: Product,
    option_ids: list[int] | None,
    customer: Customer | None = None,
    name: str = "",
) -> Configuration:
    """Store a valid configuration (optionally for a customer, then on their timeline) so a
    quotation or order line can refer to it."""
    require_write(actor)
    if customer is not None and customer.company_id != actor.company_id:
        raise NotFound()
    result = configuration_compute(actor=actor, product=product, option_ids=option_ids)
    if not result.ok:
        raise ValidationFailed(result.errors[0], errors={"option_ids": result.errors})
    configuration = model_create(
        actor=actor,
        instance=Configuration(
            product=product,
            customer=customer,
            name=name.strip()[:200] or f"{product.name} · {result.summary}"[:200],
            option_ids=result.option_ids,
            unit_price=result.unit_price,
            currency=result.currency,
            specifications=result.specifications,
            summary=result.summary,
        ),
    )
    if customer is not None:
        timeline_add(
            actor=actor,
            customer=customer,
            kind=TimelineEntry.Kind.SYSTEM,
            subject=_("Configuration saved: %(name)s") % {"name": configuration.name},
            body=result.summary,
            related=configuration,
            data={"unit_price": str(result.unit_price), "currency": result.currency},
        )
    return configuration
