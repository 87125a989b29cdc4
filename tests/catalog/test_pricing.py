"""`price_for`: customer > grade > general lists, tiers, dates, currency conversion; `convert`."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shangyou.catalog import selectors, services
from shangyou.contacts.grading import grade_create
from shangyou.core.errors import NotFound, ValidationFailed
from tests.catalog.factories import make_product
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 15)


@pytest.fixture
def book(tenant):
    owner = tenant.actor("owner")
    vip = grade_create(actor=owner, data={"code": "VIP", "name": "VIP"})
    return {
        "owner": owner,
        "vip": vip,
        "vip_customer": CustomerFactory(actor=owner, name="VIP 客户", grade_id=vip.pk),
        "plain": CustomerFactory(actor=owner, name="普通客户"),
        "product": make_product(owner, name="轴承", price=Decimal("20.00")),
    }


def _list(book, name, items, **data):
    price_list = services.price_list_create(actor=book["owner"], data={"name": name, **data})
    for min_quantity, price in items:
        services.price_list_item_set(
            actor=book["owner"],
            price_list=price_list,
            product=book["product"],
            price=Decimal(price),
            min_quantity=Decimal(min_quantity),
        )
    return price_list


def _price(book, customer=None, **kwargs):
    kwargs.setdefault("on_date", DAY)
    return selectors.price_for(
        actor=book["owner"], product=book["product"], customer=customer, **kwargs
    )


def test_without_price_lists_the_list_price_applies(book, english):
    price = _price(book, book["plain"])
    assert (price.unit_price, price.currency, price.source) == (Decimal("20"), "CNY", "list price")
    assert price.price_list_id is None


def test_customer_list_beats_grade_list_beats_general_list(book, english):
    general = _list(book, "标准", [(1, "18")])
    grade = _list(book, "VIP 价", [(1, "16")], grade_id=book["vip"].pk)
    own = _list(book, "专属价", [(1, "15")], customer_id=book["vip_customer"].pk)

    assert _price(book, book["vip_customer"]).price_list_id == own.pk
    assert _price(book, book["vip_customer"]).source == "customer price list «专属价»"
    services.price_list_delete(actor=book["owner"], price_list=own)
    assert _price(book, book["vip_customer"]).price_list_id == grade.pk
    assert _price(book, book["vip_customer"]).source == "grade price list «VIP 价»"
    assert _price(book, book["plain"]).price_list_id == general.pk
    assert _price(book, book["plain"]).unit_price == Decimal("18")
    assert _price(book).price_list_id == general.pk


def test_the_highest_tier_not_above_the_quantity_applies(book):
    _list(book, "标准", [(1, "18"), (100, "16"), (1000, "14")])
    assert _price(book, quantity=Decimal(99)).unit_price == Decimal("18")
    assert _price(book, quantity=Decimal(100)).unit_price == Decimal("16")
    assert _price(book, quantity=Decimal(5000)).unit_price == Decimal("14")


def test_a_more_specific_list_without_a_matching_tier_falls_back(book):
    _list(book, "标准", [(1, "18")])
    _list(book, "VIP 大单", [(500, "12")], grade_id=book["vip"].pk)
    assert _price(book, book["vip_customer"], quantity=Decimal(10)).unit_price == Decimal("18")
    assert _price(book, book["vip_customer"], quantity=Decimal(500)).unit_price == Decimal("12")


def test_lists_outside_their_dates_or_inactive_do_not_apply(book):
    _list(book, "过期", [(1, "10")], valid_to=DAY - timedelta(days=1))
    _list(book, "未来", [(1, "11")], valid_from=DAY + timedelta(days=1))
    _list(book, "停用", [(1, "12")], is_active=False)
    assert _price(book).unit_price == Decimal("20")
    window = _list(book, "六月", [(1, "13")], valid_from=DAY, valid_to=DAY)
    assert _price(book).price_list_id == window.pk


def test_among_general_lists_the_one_starting_latest_wins(book):
    _list(book, "旧", [(1, "18")], valid_from=DAY - timedelta(days=100))
    newer = _list(book, "新", [(1, "17")], valid_from=DAY - timedelta(days=10))
    assert _price(book).price_list_id == newer.pk


def _rate(book, currency, rate, valid_on):
    services.exchange_rate_create(
        actor=book["owner"],
        data={"currency": currency, "rate": Decimal(rate), "valid_on": valid_on},
    )


def test_price_is_converted_with_the_rate_valid_on_the_date(book):
    _rate(book, "USD", "8.00", DAY - timedelta(days=30))
    _rate(book, "USD", "7.00", DAY)
    _rate(book, "USD", "6.00", DAY + timedelta(days=1))

    price = _price(book, currency="USD")

    assert price.unit_price == Decimal("2.8571")  # 20 / 7, rounded to 4 places
    assert price.currency == "USD"
    assert (price.original_price, price.original_currency) == (Decimal("20"), "CNY")
    earlier = _price(book, currency="USD", on_date=DAY - timedelta(days=1))
    assert earlier.unit_price == Decimal("2.5000")  # the rate from 30 days before still applies


def test_a_foreign_currency_list_is_converted_to_the_base_currency(book):
    _list(book, "Export", [(1, "3")], currency="USD")
    _rate(book, "USD", "7.1234", DAY - timedelta(days=1))
    price = _price(book, currency="CNY")
    assert price.unit_price == Decimal("21.3702")
    assert _price(book).currency == "USD"  # without a currency: the list's own


def test_cross_currency_conversion_goes_through_the_base_currency(book):
    _rate(book, "USD", "7.2", DAY)
    _rate(book, "EUR", "7.8", DAY)
    assert selectors.convert(
        actor=book["owner"], amount=Decimal(100), from_currency="EUR", to_currency="USD",
        on_date=DAY,
    ) == Decimal("108.3333")  # fmt: skip


def test_missing_rate_is_a_clear_validation_error(book, english):
    _rate(book, "USD", "7.2", DAY + timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        _price(book, currency="USD")
    assert str(exc.value.message) == (
        "There is no USD exchange rate valid on 2026-06-15. "
        "Add one under Products → Exchange rates."
    )


def test_rates_of_another_company_are_not_used(book, other_tenant):
    services.exchange_rate_create(
        actor=other_tenant.actor("owner"),
        data={"currency": "USD", "rate": Decimal(7), "valid_on": DAY},
    )
    with pytest.raises(ValidationFailed):
        _price(book, currency="USD")


def test_price_lists_of_another_company_are_ignored_and_its_products_not_found(book, other_tenant):
    theirs = make_product(other_tenant.actor("owner"))
    with pytest.raises(NotFound):
        selectors.price_for(actor=book["owner"], product=theirs)


def test_price_for_reads_in_one_query_without_conversion(book, django_assert_num_queries):
    _list(book, "标准", [(1, "18"), (10, "17")])
    _list(book, "VIP", [(1, "16")], grade_id=book["vip"].pk)
    with django_assert_num_queries(1):
        _price(book, book["vip_customer"], quantity=Decimal(20))
