"""The configurator (P2): price and specification math, single/multiple choice, rules, save."""

from decimal import Decimal

import pytest

from shangyou.catalog import configurator
from shangyou.catalog.models import Configuration, Product
from shangyou.contacts.models import TimelineEntry
from shangyou.core.errors import ValidationFailed
from tests.catalog.factories import make_configurable
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ipc(tenant):
    return make_configurable(tenant.actor("owner"))


def _compute(tenant, ipc, *names):
    product, options = ipc
    ids = None if names == (None,) else [options[n].pk for n in names]
    return configurator.configuration_compute(
        actor=tenant.actor("sales"), product=product, option_ids=ids
    )


def test_adding_a_group_makes_the_product_configurable(ipc):
    product, _options = ipc
    assert Product.objects.get(pk=product.pk).is_configurable


def test_defaults_are_used_when_no_options_are_given(tenant, ipc):
    result = _compute(tenant, ipc, None)
    assert result.ok
    assert result.unit_price == Decimal(1000)
    assert result.summary == "CPU: i5; Memory: 8GB"


def test_price_is_the_product_price_plus_the_deltas(tenant, ipc):
    result = _compute(tenant, ipc, "i9", "32GB", "gpu", "psu")
    assert result.ok, result.errors
    assert result.unit_price == Decimal(1000 + 800 + 400 + 900 + 120)


def test_specification_is_the_product_updated_by_the_options(tenant, ipc):
    result = _compute(tenant, ipc, "i9", "32GB", "fanless")
    assert result.specifications == {"ip": "IP40", "cpu": "i9", "ram": "32", "fanless": "yes"}
    assert result.summary == "CPU: i9; Memory: 32GB; Extras: fanless"


def test_several_options_of_a_multiple_group_are_allowed(tenant, ipc):
    result = _compute(tenant, ipc, "i5", "8GB", "fanless", "psu")
    assert result.ok
    assert result.summary.endswith("Extras: fanless, psu")


def test_missing_required_group_is_an_error(tenant, ipc, english):
    result = _compute(tenant, ipc, "i5")
    assert result.errors == ["Choose an option for “Memory”."]


def test_two_options_in_a_single_choice_group_is_an_error(tenant, ipc, english):
    result = _compute(tenant, ipc, "i5", "i9", "8GB")
    assert "Choose only one option for “CPU”." in result.errors


def test_an_excludes_rule_reports_its_message(tenant, ipc):
    result = _compute(tenant, ipc, "i9", "8GB", "fanless")
    assert result.errors == ["i9 runs too hot for the fanless case."]


def test_a_requires_rule_without_message_explains_itself(tenant, ipc, english):
    result = _compute(tenant, ipc, "i5", "8GB", "gpu")
    assert result.errors == ["“gpu” requires “psu”."]


def test_options_of_another_product_are_reported(tenant, ipc, english):
    _other, other_options = make_configurable(tenant.actor("owner"))
    product, options = ipc
    result = configurator.configuration_compute(
        actor=tenant.actor("owner"),
        product=product,
        option_ids=[options["i5"].pk, options["8GB"].pk, other_options["i9"].pk],
    )
    assert result.errors == [f"Options {other_options['i9'].pk} are not part of this product."]


def test_compute_reads_in_three_queries(tenant, ipc, django_assert_num_queries):
    product, options = ipc
    with django_assert_num_queries(3):
        configurator.configuration_compute(
            actor=tenant.actor("owner"), product=product, option_ids=[options["i5"].pk]
        )


def test_save_stores_the_computed_configuration_on_the_customer_timeline(tenant, ipc):
    product, options = ipc
    sales = tenant.actor("sales")
    customer = CustomerFactory(actor=sales, name="华东机械")

    configuration = configurator.configuration_save(
        actor=sales,
        product=product,
        option_ids=[options["i9"].pk, options["32GB"].pk],
        customer=customer,
    )

    assert configuration.unit_price == Decimal(2200)
    assert configuration.option_ids == [options["i9"].pk, options["32GB"].pk]
    assert configuration.specifications["cpu"] == "i9"
    assert configuration.name == "工控机 · CPU: i9; Memory: 32GB"
    entry = TimelineEntry.objects.get(customer=customer, related_id=configuration.pk)
    assert entry.body == "CPU: i9; Memory: 32GB"


def test_an_invalid_configuration_is_not_saved(tenant, ipc):
    product, options = ipc
    with pytest.raises(ValidationFailed) as exc:
        configurator.configuration_save(
            actor=tenant.actor("owner"),
            product=product,
            option_ids=[options["i9"].pk, options["8GB"].pk, options["fanless"].pk],
        )
    assert exc.value.errors["option_ids"] == ["i9 runs too hot for the fanless case."]
    assert not Configuration.objects.exists()


def test_rule_between_options_of_another_product_is_refused(tenant, ipc):
    product, options = ipc
    other, other_options = make_configurable(tenant.actor("owner"))
    with pytest.raises(ValidationFailed):
        configurator.compatibility_rule_create(
            actor=tenant.actor("owner"),
            product=product,
            option_id=options["i5"].pk,
            kind="excludes",
            other_id=other_options["i9"].pk,
        )
