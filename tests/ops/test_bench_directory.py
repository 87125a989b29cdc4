"""The directory part of the benchmark harness at a tiny scale: public products of the directory
companies (deterministic, realistic, with hidden ones the directory never shows), and the
`directory_products_search` scenario well-formed. No timing is asserted."""

import pytest
from django.db import transaction

from shangyou.accounts.models import Company
from shangyou.catalog.models import Category, Product
from shangyou.core.search import search_fields
from shangyou.network.models import CompanyProfile
from shangyou.network.selectors import directory_products, directory_search
from shangyou.ops.bench import runner
from shangyou.ops.bench.directory import PRODUCTS_BY_INDUSTRY
from shangyou.ops.bench.directory_products import CATALOGUE, PRODUCTS_PER_COMPANY
from shangyou.ops.bench.generate import Options, generate
from shangyou.ops.bench.scenarios import SCENARIOS


def quiet(_message: str) -> None:
    pass


class Rollback(Exception):
    pass


def make(seed: int, directory: int = 30, **more) -> dict:
    return generate(
        Options(scale=6, seed=seed, companies=1, workers=1, directory_companies=directory, **more),
        log=quiet,
    )


def directory_of(seed: int):
    return Company.objects.filter(slug__startswith=f"bench-{seed}-d")


def snapshot(seed: int) -> list[tuple]:
    return list(
        Product.all_objects.filter(company__in=directory_of(seed))
        .order_by("company__slug", "sku")
        .values_list(
            "company__slug", "sku", "name", "name_en", "category__name", "is_public", "status",
            "deleted_at", "price", "search_text", "search_grams",
        )
    )  # fmt: skip


def test_directory_products_are_made_from_each_company_main_products(db):
    summary = make(seed=41)
    tables = {t["table"]: t["rows"] for t in summary["tables"]}
    assert tables["catalog_product"] == Product.all_objects.count()
    assert tables["catalog_category"] == Category.all_objects.count()
    low, high = PRODUCTS_PER_COMPANY
    for profile in CompanyProfile.objects.filter(company__in=directory_of(41)):
        main = profile.main_products.split("、")
        categories = list(Category.objects.filter(company_id=profile.company_id))
        assert sorted(c.name for c in categories) == sorted(main)
        products = list(Product.all_objects.filter(company_id=profile.company_id))
        assert low <= len(products) <= high
        assert len({p.sku for p in products}) == len(products)  # unique in the company
        for product in products:
            kinds = {zh for zh, _en in CATALOGUE[product.category.name][2]}
            assert product.name.split(" ")[0] in kinds, product.name
            assert product.category.company_id == product.company_id
            assert product.name_en and product.sku.isascii() and product.unit
            # the model's own search columns
            expected = search_fields(**product.search_parts())
            assert product.search_text == expected["search_text"]
            assert product.search_grams == expected["search_grams"]


def test_every_main_product_of_the_directory_has_a_catalogue():
    for words in PRODUCTS_BY_INDUSTRY.values():
        for word in words:
            assert word in CATALOGUE, word


def test_directory_products_are_deterministic_for_a_seed(db):
    try:
        with transaction.atomic():
            make(seed=42, directory=12)
            first = snapshot(42)
            raise Rollback
    except Rollback:
        pass
    make(seed=42, directory=12)
    assert snapshot(42) == first and len(first) >= 12 * PRODUCTS_PER_COMPANY[0]


def test_hidden_generated_products_never_show_in_the_directory(db):
    make(seed=43, directory=60)
    products = Product.all_objects.filter(company__in=directory_of(43))
    private = products.filter(is_public=False)
    discontinued = products.filter(status=Product.Status.DISCONTINUED)
    trashed = products.filter(deleted_at__isnull=False)
    assert private.exists() and discontinued.exists() and trashed.exists()
    hidden_companies = CompanyProfile.objects.filter(is_public=False).values("company_id")
    assert products.filter(company_id__in=hidden_companies).exists()
    shown = set(directory_products(actor=None).values_list("pk", flat=True))
    assert shown
    for never in (private, discontinued, trashed, products.filter(company_id__in=hidden_companies)):
        assert not shown & set(never.values_list("pk", flat=True))
    # what is left is shown: public, live, of a listed company
    visible = (
        products.filter(is_public=True, deleted_at__isnull=True)
        .exclude(status=Product.Status.DISCONTINUED)
        .exclude(company_id__in=hidden_companies)
    )
    assert shown == set(visible.values_list("pk", flat=True))


def test_directory_products_are_added_to_an_existing_directory_once(db):
    generate(
        Options(
            scale=6, seed=44, companies=1, workers=1, directory_companies=10,
            tables=("tenants", "customers", "profiles"),
        ),
        log=quiet,
    )  # fmt: skip
    assert directory_of(44).count() == 10
    assert not Product.all_objects.exists()
    summary = generate(
        Options(scale=0, seed=44, workers=1, tables=("directory_products",)), log=quiet
    )
    assert summary["tables_requested"] == ["directory_products"]
    assert Product.all_objects.filter(company__in=directory_of(44)).count() >= 10 * 7
    with pytest.raises(RuntimeError, match="already have products"):
        generate(Options(scale=0, seed=44, workers=1, tables=("directory_products",)), log=quiet)


def test_generated_profiles_carry_the_directory_order(db):
    make(seed=45, directory=40)
    profiles = CompanyProfile.objects.select_related("company")
    assert all(
        (p.company_name, p.company_verified) == (p.company.name, p.company.is_verified)
        for p in profiles
    )
    listed = list(directory_search(actor=None))
    assert [p.company_verified for p in listed] == sorted(
        (p.company_verified for p in listed), reverse=True
    )
    verified = [p.company_name for p in listed if p.company_verified]
    others = [p.company_name for p in listed if not p.company_verified]
    assert verified == sorted(verified) and others == sorted(others)


def test_directory_products_scenario_searches_terms_that_occur(db, tmp_path):
    scenario = SCENARIOS["directory_products_search"]
    for term in scenario.queries:  # every fixed term is a word of the generated catalogue
        assert any(
            term in search_fields(names=[zh, en])["search_text"]
            for _en, _family, kinds in CATALOGUE.values()
            for zh, en in kinds
        ), term
    make(seed=46, directory=30)
    results = runner.run(
        ["directory_products_search"], repeat=2, warmup=1, out_dir=tmp_path, log=quiet
    )
    (result,) = results
    assert result["scenario"] == "directory_products_search"
    assert result["target"]["max"] == 30
    labels = [r["label"] for r in result["requests"]]
    assert labels[: len(scenario.queries)] == list(scenario.queries)
    prefixes = labels[len(scenario.queries) :]
    assert prefixes and all("-" in p and p.split("-")[0].isupper() for p in prefixes)
    for prefix in prefixes:  # sampled from the products: each finds some
        assert result["rows_found"][prefix] > 0, prefix
    assert (tmp_path / "directory_products_search-sqlite.json").exists() or (
        tmp_path / "directory_products_search-postgres.json"
    ).exists()
