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
