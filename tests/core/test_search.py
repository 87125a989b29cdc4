"""Unit tests of the search text rules (core/search.py); the queries run in
tests/contacts/test_selectors.py and test_api.py against both databases."""

import pytest
from django.db import connection

from shangyou.core.search import (
    fold,
    normalize_phone,
    parse_query,
    phone_digits,
    pinyin_forms,
    repair_search_indexes,
    search_fields,
    strip_company_suffix,
    term_readings,
)


def test_pinyin_forms_give_full_pinyin_joined_and_initials():
    assert pinyin_forms("张伟") == ["zhang wei", "zhangwei", "zw"]


def test_pinyin_forms_of_latin_text_are_empty():
    assert pinyin_forms("Acme Trading") == []


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+86 138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("021-6888 1234", "02168881234"),
        ("１３８００１３８０００", "13800138000"),
        ("", ""),
        ("n/a", ""),
    ],
)
def test_normalize_phone_gives_the_national_number(phone, expected):
    assert normalize_phone(phone) == expected


def test_phone_digits_keep_both_international_and_national_forms():
    assert phone_digits("+86 138 0013 8000") == ["8613800138000", "13800138000"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("上海恒通五金有限公司", "上海恒通五金"),
        ("华为技术股份有限公司", "华为技术"),
        ("Acme Trading Co., Ltd.", "acme trading"),
        ("Global Parts GmbH", "global parts"),
        ("张伟", "张伟"),
    ],
)
def test_strip_company_suffix(name, expected):
    assert strip_company_suffix(name) == expected


def test_fold_turns_full_width_into_lower_half_width():
    assert fold("ＺｈａｎｇＷｅｉ １２３") == "zhangwei 123"


def test_search_fields_hold_name_pinyin_initials_phones_and_emails():
    fields = search_fields(
        names=["张伟"], phones=["+86 138 0013 8000"], emails=["Zhang.Wei@Example.cn"]
    )
    text = fields["search_text"]
    for part in ("张伟", "zhangwei", "zw", "13800138000", "zhang.wei@example.cn"):
        assert part in text
    # the syllables only as word-start grams ('we'): in the text they would add trigrams and
    # nothing a query word (no spaces) could find that 'zhangwei' does not hold
    assert "zhang wei" not in text
    grams = fields["search_grams"].split(" ")
    assert {"张", "伟", "张伟", "z", "zw", "zh", "w", "we"} <= set(grams)


def test_every_piece_of_a_pinyin_name_is_found(tenant):
    """Any part of the pinyin (a syllable, across syllables, initials, first letters of a
    later syllable) finds the name, as it did when the text also held the syllables."""
    from shangyou.contacts import services
    from shangyou.contacts.models import Customer
    from shangyou.core.search import search_filter

    services.customer_create(actor=tenant.actor(), data={"name": "欧阳娜娜"})
    services.customer_create(actor=tenant.actor(), data={"name": "王芳"})
    customers = Customer.objects.filter(company=tenant.company)
    for q in ("ouyang", "yangna", "nana", "ouyangnana", "gna", "oynn", "ou", "na", "ya", "OuYang"):
        assert [c.name for c in search_filter(customers, q)] == ["欧阳娜娜"], q
    assert [c.name for c in search_filter(customers, "fa")] == ["王芳"]


def test_search_grams_hold_the_pinyin_pairs_of_names_and_of_latin_words():
    grams = set(search_fields(names=["恒通轴承公司"])["search_grams"].split(" "))
    assert {"hengtong", "tongzhou", "zhoucheng", "chenggong", "gongsi"} <= grams
    assert "engtong" not in grams  # a hanzi name's pairs begin at its syllables
    # a Latin word's pairs begin anywhere: 'hengtong' inside a longer word, 'zhangwei' in an
    # address, as a substring search finds them
    grams = set(
        search_fields(names=["Hengtongtech Ltd"], emails=["zhangwei88@163.com"])[
            "search_grams"
        ].split(" ")
    )
    assert {"hengtong", "engtong", "zhangwei", "angwei"} <= grams
    assert not {"ltd", "com"} & grams  # no syllables in them


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("zhangwei", [["zhangwei"]]),
        ("zhoucheng", [["zhoucheng"]]),
        ("lina", [["lina"]]),  # li|na and lin|a need the same pair
        ("aerfa", [["aer", "erfa"]]),
        ("xian", None),  # one syllable: no name has a pair for it
        ("zhangw", None),  # an unfinished syllable
        ("led", None),
        ("wfb80", None),
    ],
)
def test_term_readings(term, expected):
    assert term_readings(term) == expected


def test_a_term_read_several_ways_needs_the_pairs_of_one_reading():
    readings = term_readings("tianyuan")
    assert ["tianyuan"] in readings  # tian|yuan
    assert ["anyuan", "tian"] in readings  # ti|an|yuan


def test_whole_syllable_terms_are_found_through_pinyin_pairs(tenant):
    from shangyou.contacts import services
    from shangyou.contacts.models import Customer
    from shangyou.core.search import search_filter

    actor = tenant.actor()
    for data in (
        {"name": "天元贸易"},
        {"name": "提安元"},  # ti an yuan
        {"name": "张伟"},
        {"name": "Hengtongtech Ltd"},
        {"name": "Mike", "email": "zhangwei88@163.com"},
    ):
        services.customer_create(actor=actor, data=data)
    customers = Customer.objects.filter(company=tenant.company)

    def found(q):
        return sorted(c.name for c in search_filter(customers, q))

    assert found("tianyuan") == ["天元贸易", "提安元"]
    assert found("yuanmaoyi") == ["天元贸易"]
    assert found("zhangwei") == ["Mike", "张伟"]
    assert found("hengtong") == ["Hengtongtech Ltd"]
    assert found("tongtech") == ["Hengtongtech Ltd"]  # not syllables: the trigram index
    # a term that begins inside a hanzi name's syllable is not a reading of that name
    assert found("angwei") == ["Mike"]
    assert found("zhangw") == ["Mike", "张伟"]  # an unfinished syllable: substring search


def test_search_fields_of_nothing_are_empty():
    assert search_fields() == {"search_text": "", "search_grams": ""}


def test_parse_query_reads_phone_numbers_as_digits():
    assert parse_query("+86 138-0013-8000") == ["13800138000"]
    assert parse_query("138 0013 8000") == ["13800138000"]
    assert parse_query("ZhangWei  上海") == ["zhangwei", "上海"]
    assert parse_query("   ") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps search in FTS5 triggers")
def test_search_triggers_dropped_by_a_table_rebuild_are_repaired(tenant):
    """SQLite rebuilds a table for most ALTERs, which drops its triggers."""
    from shangyou.contacts.selectors import customer_list
    from tests.contacts.factories import CustomerFactory

    with connection.cursor() as cursor:
        for suffix in ("fts", "grams"):
            for op in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER contacts_customer_{suffix}_{op}")
    CustomerFactory(actor=tenant.actor("owner"), name="张伟")
    assert not customer_list(actor=tenant.actor("owner"), q="张伟").exists()

    assert "contacts_customer" in repair_search_indexes()

    assert customer_list(actor=tenant.actor("owner"), q="张伟").exists()
    assert repair_search_indexes() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.django_db
def test_directory_search_columns_keep_fuller_statistics():
    """Migrated: 1,000 statistics values for the search text and grams index of products and
    profiles (the planner's estimate of a common word decides between walking an ordered index
    and sorting every match); customers and contacts keep the default (their pages come from
    the matches themselves up to 10,000, and the bigger statistics only cost planning time)."""
    from shangyou.core.search import SEARCH_STATISTICS_TARGET

    tables = ["catalog_product", "network_companyprofile"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attstattarget FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE a.attname = 'search_text' AND c.relname = ANY(%s) ORDER BY 1",
            [tables],
        )
        assert cursor.fetchall() == [(t, SEARCH_STATISTICS_TARGET) for t in tables]
        cursor.execute(
            "SELECT c.relname, a.attstattarget FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = ANY(%s) AND a.attnum = 1 ORDER BY 1",
            [[f"{t}_search_grams" for t in tables]],
        )
        assert cursor.fetchall() == [
            (f"{t}_search_grams", SEARCH_STATISTICS_TARGET) for t in tables
        ]


def test_the_upgrade_migration_gives_existing_rows_their_pinyin_pairs(tenant):
    """core/migrations/0002 recomputes the search columns of rows written before the pairs."""
    import importlib

    from django.apps import apps

    from shangyou.catalog.models import Product
    from shangyou.contacts import services
    from shangyou.contacts.models import Contact, Customer
    from shangyou.core.search import search_filter

    migration = importlib.import_module("shangyou.core.migrations.0002_search_pinyin_pairs")
    customer = services.customer_create(actor=tenant.actor(), data={"name": "恒通轴承"})
    contact = Contact.objects.create(company=tenant.company, customer=customer, name="张伟")
    product = Product.objects.create(company=tenant.company, name="深沟球轴承", sku="B-1")
    for model in (Customer, Contact, Product):  # as an older version wrote them: no pairs
        model.all_objects.update(search_grams="")
    assert not search_filter(Customer.objects.all(), "hengtong").exists()

    migration.recompute(apps, None)

    assert list(search_filter(Customer.objects.all(), "hengtong")) == [customer]
    assert list(search_filter(Contact.objects.all(), "zhangwei")) == [contact]
    assert list(search_filter(Product.objects.all(), "zhoucheng")) == [product]
