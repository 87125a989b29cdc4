"""The directory at scale (issue 4): its order (verified first, then by name) is read from the
profile's copies of the company's name and badge, which follow every rename and verification;
the bounded counts; the companies and products it must never show."""

import importlib

import pytest
from django.apps import apps

from shangyou.accounts.models import Company
from shangyou.catalog import services as catalog
from shangyou.catalog.models import Product
from shangyou.core.errors import PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.network import selectors, services
from shangyou.network.models import CompanyProfile
from tests.catalog.factories import make_product


@pytest.fixture
def companies(tenant_factory):
    """Three listed suppliers of bearings, none verified."""
    made = {}
    for name in ("丙轴承有限公司", "甲轴承有限公司", "乙轴承有限公司"):
        t = tenant_factory(name, member_type="supplier")
        services.profile_update(actor=t.actor(), data={"main_products": "深沟球轴承"})
        made[name] = t
    return made


@pytest.fixture
def buyer(tenant_factory):
    return tenant_factory("北京优采贸易有限公司", member_type="buyer")


def listed(actor, **filters) -> list[str]:
    return [p.company.name for p in selectors.directory_search(actor=actor, **filters)]


def by_name(*names: str) -> list[str]:
    return sorted(names)  # by code point, as both databases compare the names here


# --- the order ----------------------------------------------------------------------------------
def test_directory_lists_verified_companies_first_then_by_name(companies, buyer):
    everyone = by_name(*companies)
    assert listed(buyer.actor(), q="轴承") == everyone
    services.company_verify(staff_user=None, company=companies["乙轴承有限公司"].company)
    assert listed(buyer.actor(), q="轴承") == [
        "乙轴承有限公司",
        *[n for n in everyone if n != "乙轴承有限公司"],
    ]
    assert listed(buyer.actor())[0] == "乙轴承有限公司"  # the whole directory, too
    services.company_verify(
        staff_user=None, company=companies["乙轴承有限公司"].company, verified=False
    )
    assert listed(buyer.actor(), q="轴承") == everyone


def test_directory_order_follows_a_rename(companies, buyer):
    tenant = companies["丙轴承有限公司"]
    services.company_rename(actor=tenant.actor(), name="  阿尔法 轴承有限公司 ")
    tenant.company.refresh_from_db()
    assert tenant.company.name == "阿尔法 轴承有限公司"
    expected = by_name("阿尔法 轴承有限公司", "甲轴承有限公司", "乙轴承有限公司")
    assert listed(buyer.actor(), q="轴承") == expected
    # found by the new name (hanzi and pinyin), no longer by the old one
    assert listed(buyer.actor(), q="阿尔法") == ["阿尔法 轴承有限公司"]
    assert listed(buyer.actor(), q="aerfa") == ["阿尔法 轴承有限公司"]
    assert listed(buyer.actor(), q="丙轴承") == []
    profile = CompanyProfile.objects.get(company=tenant.company)
    assert (profile.company_name, profile.company_verified) == ("阿尔法 轴承有限公司", False)
    entry = AuditEntry.objects.filter(company=tenant.company).latest("id")
    assert entry.changes == {"name": ["丙轴承有限公司", "阿尔法 轴承有限公司"]}


def test_a_verified_company_keeps_its_place_after_a_rename(companies, buyer):
    tenant = companies["丙轴承有限公司"]
    services.company_verify(staff_user=None, company=tenant.company)
    services.company_rename(actor=tenant.actor(), name="庚轴承有限公司")
    names = listed(buyer.actor(), q="轴承")
    assert names[0] == "庚轴承有限公司"
    assert names[1:] == by_name("甲轴承有限公司", "乙轴承有限公司")
    assert listed(buyer.actor(), q="轴承", verified=True) == ["庚轴承有限公司"]


def test_only_the_company_admins_rename_it(companies):
    tenant = companies["甲轴承有限公司"]
    with pytest.raises(PermissionDenied):
        services.company_rename(actor=tenant.actor("sales"), name="别的名字")
    for name in ("", "   ", "名" * 201):
        with pytest.raises(ValidationFailed):
            services.company_rename(actor=tenant.actor(), name=name)
    tenant.company.refresh_from_db()
    assert tenant.company.name == "甲轴承有限公司"
    services.company_rename(actor=tenant.actor("admin"), name="甲轴承股份有限公司")
    assert CompanyProfile.objects.get(company=tenant.company).company_name == "甲轴承股份有限公司"


def test_a_company_without_a_profile_gets_one_when_verified(tenant_factory, buyer):
    tenant = tenant_factory("新来的阀门厂")
    assert not CompanyProfile.objects.filter(company=tenant.company).exists()
    services.company_verify(staff_user=None, company=tenant.company)
    profile = CompanyProfile.objects.get(company=tenant.company)
    assert profile.company_verified and profile.company_name == "新来的阀门厂"
    assert listed(buyer.actor(), q="阀门") == ["新来的阀门厂"]


def test_the_data_migration_copies_name_and_badge_to_every_profile(companies):
    Company.objects.filter(name="甲轴承有限公司").update(name="甲轴承集团", is_verified=True)
    CompanyProfile.objects.update(company_name="", company_verified=False)
    migration = importlib.import_module(
        "shangyou.network.migrations.0005_profile_directory_order_data"
    )
    migration.copy_company(apps, None)
    copies = dict(CompanyProfile.objects.values_list("company_name", "company_verified"))
    assert copies == {"甲轴承集团": True, "乙轴承有限公司": False, "丙轴承有限公司": False}


def test_the_directory_order_is_the_profile_index(companies, buyer):
    sql = str(selectors.directory_search(actor=buyer.actor(), q="轴承").query)
    order = sql.split("ORDER BY")[1]
    assert '"company_verified" DESC' in order and '"company_name" ASC' in order
    assert "accounts_company" not in order
    assert "JOIN" not in sql  # filters read the profile table; companies come by id afterwards


# --- what the directory never shows -------------------------------------------------------------
def test_directory_hides_unlisted_inactive_and_blocking_companies(companies, buyer):
    hidden = companies["甲轴承有限公司"]
    services.profile_update(actor=hidden.actor(), data={"is_public": False})
    inactive = companies["乙轴承有限公司"].company
    inactive.is_active = False
    inactive.save()
    blocker = companies["丙轴承有限公司"]
    assert listed(buyer.actor(), q="轴承") == ["丙轴承有限公司"]
    services.block(actor=blocker.actor(), company_id=buyer.company.pk)
    assert listed(buyer.actor(), q="轴承") == []
    assert listed(None, q="轴承") == ["丙轴承有限公司"]
    body = buyer.api().get("/api/v1/directory", {"q": "轴承"}).json()
    assert body["items"] == [] and body["count"] == 0


def test_directory_products_never_show_hidden_products_or_companies(companies, buyer):
    seller = companies["丙轴承有限公司"]
    shown = make_product(seller.actor(), name="深沟球轴承 6205-2RS", sku="SGQZ-6205-2RS")
    make_product(seller.actor(), name="深沟球轴承 6206 私有", sku="SGQZ-6206", is_public=False)
    make_product(
        seller.actor(),
        name="深沟球轴承 6207 停产",
        sku="SGQZ-6207",
        status=Product.Status.DISCONTINUED,
    )
    trashed = make_product(seller.actor(), name="深沟球轴承 6208 删除", sku="SGQZ-6208")
    catalog.product_delete(actor=seller.actor(), product=trashed)
    unlisted = companies["甲轴承有限公司"]
    make_product(unlisted.actor(), name="深沟球轴承 6209 未公开公司", sku="SGQZ-6209")
    services.profile_update(actor=unlisted.actor(), data={"is_public": False})
    off = companies["乙轴承有限公司"]
    make_product(off.actor(), name="深沟球轴承 6210 停用公司", sku="SGQZ-6210")
    Company.objects.filter(pk=off.company.pk).update(is_active=False)

    for q in ("", "轴承", "shengou", "sgqz", "SGQZ-62", "6205"):
        found = list(selectors.directory_products(actor=buyer.actor(), q=q))
        assert [p.pk for p in found] == [shown.pk], q
        assert found[0].company.name == "丙轴承有限公司" and found[0].category is None
    body = buyer.api().get("/api/v1/directory/products", {"q": "SGQZ-62"}).json()
    assert [item["sku"] for item in body["items"]] == ["SGQZ-6205-2RS"] and body["count"] == 1


def test_directory_products_read_companies_and_categories_after_the_page(companies, buyer):
    sql = str(selectors.directory_products(actor=buyer.actor(), q="shengou").query)
    assert "JOIN" not in sql and '"catalog_product"."id" DESC' in sql


# --- bounded counts -----------------------------------------------------------------------------
def test_directory_count_stops_at_the_cap(companies, buyer, monkeypatch):
    """A common word matches tens of thousands of companies: the count stops at a cap."""
    monkeypatch.setattr(selectors, "DIRECTORY_COUNT_CAP", 2)
    body = buyer.api().get("/api/v1/directory", {"q": "轴承", "limit": 1}).json()
    assert body["count_is_exact"] is False and body["count"] == 3
    assert len(body["items"]) == 1 and body["next"]
    body = buyer.api().get("/api/v1/directory", {"q": "甲轴承"}).json()
    assert body["count_is_exact"] is True and body["count"] == 1


def test_products_are_newest_first_whether_all_matches_were_counted_or_not(
    companies, buyer, monkeypatch
):
    """Up to the cap the matches are sorted once they are counted (`matches_page`); past it,
    the newest-first index gives the page. Both say the same order."""
    seller = companies["丙轴承有限公司"]
    made = [make_product(seller.actor(), name=f"调心轴承 {n}", sku=f"TX-{n}") for n in range(3)]
    newest_first = [p.pk for p in reversed(made)]
    body = buyer.api().get("/api/v1/directory/products", {"q": "调心", "limit": 2}).json()
    assert [item["id"] for item in body["items"]] == newest_first[:2]
    assert body["count"] == 3 and body["count_is_exact"] is True
    second = buyer.api().get(body["next"]).json()
    assert [item["id"] for item in second["items"]] == newest_first[2:]
    monkeypatch.setattr(selectors, "PRODUCT_COUNT_CAP", 2)
    body = buyer.api().get("/api/v1/directory/products", {"q": "调心", "limit": 1}).json()
    assert [item["id"] for item in body["items"]] == newest_first[:1]
    assert body["count"] == 3 and body["count_is_exact"] is False
