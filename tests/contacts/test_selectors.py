import pytest
from django.db import connection

from shangyou.contacts.models import Customer
from shangyou.contacts.selectors import customer_get, customer_list
from shangyou.contacts.services import customer_delete, customer_update
from shangyou.core.errors import NotFound

from .factories import CustomerFactory


@pytest.fixture
def book(tenant):
    """One customer per owner: sales (team A), sales_b (team B), manager (team A), owner."""
    return {
        key: CustomerFactory(actor=tenant.actor(key), name=f"{key}的客户")
        for key in ("sales", "sales_b", "manager", "owner")
    }


def _names(actor, **kw):
    return {c.name for c in customer_list(actor=actor, **kw)}


# --- record rules ---------------------------------------------------------------------------------
def test_sales_sees_only_own_customers(tenant, book):
    assert _names(tenant.actor("sales")) == {"sales的客户"}


def test_sales_gets_not_found_for_a_colleagues_customer(tenant, book):
    with pytest.raises(NotFound):
        customer_get(actor=tenant.actor("sales"), id=book["sales_b"].pk)


def test_manager_sees_the_teams_customers(tenant, book):
    assert _names(tenant.actor("manager")) == {"sales的客户", "manager的客户"}
    with pytest.raises(NotFound):
        customer_get(actor=tenant.actor("manager"), id=book["sales_b"].pk)


@pytest.mark.parametrize("role", ["owner", "admin", "readonly"])
def test_owner_admin_and_readonly_see_all_customers(tenant, book, role):
    assert _names(tenant.actor(role)) == {c.name for c in book.values()}


def test_other_company_customers_are_not_found(tenant, other_tenant, book):
    assert _names(other_tenant.actor("owner")) == set()
    with pytest.raises(NotFound):
        customer_get(actor=other_tenant.actor("owner"), id=book["owner"].pk)


def test_deleted_customers_are_not_listed(tenant, book):
    customer_delete(actor=tenant.actor("owner"), customer=book["owner"])
    assert "owner的客户" not in _names(tenant.actor("owner"))


def test_list_filters_by_stage_and_sorts_by_name(tenant):
    for name, stage in [("b", "lead"), ("a", "lead"), ("c", "customer")]:
        CustomerFactory(actor=tenant.actor("owner"), name=name, stage=stage)
    names = [c.name for c in customer_list(actor=tenant.actor("owner"), stage="lead", sort="name")]
    assert names == ["a", "b"]


# --- search ---------------------------------------------------------------------------------------
ZHANG_WEI = {"name": "张伟", "phone": "+86 138 0013 8000", "email": "zhang.wei@example.cn"}
FINDS_ZHANG_WEI = [
    "张伟",
    "伟",
    "zhangwei",
    "zhang wei",
    "zw",
    "1380013",
    "138 0013 8000",
    "+86 138-0013-8000",
    "13800138000",
    "ZhangWei",
    "ｚｈａｎｇｗｅｉ",
    "zhang.wei@exa",
    "example.cn",
]
FINDS_NOTHING = ["李四", "张三", "伟大", "zz", "lisi", "1390013", "+1 415 555", "nobody@"]


@pytest.fixture
def zhang_wei(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), **ZHANG_WEI)
    CustomerFactory(actor=tenant.actor("sales"), name="王芳", phone="13912345678")
    CustomerFactory(actor=tenant.actor("sales"), name="Acme Trading Co., Ltd.")
    return customer


@pytest.mark.parametrize("q", FINDS_ZHANG_WEI)
def test_search_finds_zhang_wei(tenant, zhang_wei, q):
    assert [c.name for c in customer_list(actor=tenant.actor("sales"), q=q)] == ["张伟"]


@pytest.mark.parametrize("q", FINDS_NOTHING)
def test_search_without_a_match_finds_nothing(tenant, zhang_wei, q):
    assert list(customer_list(actor=tenant.actor("sales"), q=q)) == []


def test_search_requires_every_term(tenant, zhang_wei):
    assert _names(tenant.actor("sales"), q="张伟 1380013") == {"张伟"}
    assert _names(tenant.actor("sales"), q="张伟 1390013") == set()


def test_search_after_rename_finds_new_name_only(tenant, zhang_wei):
    customer_update(
        actor=tenant.actor("sales"), customer=zhang_wei, data={"name": "李娜"}, version=1
    )
    assert _names(tenant.actor("sales"), q="张伟") == set()
    assert _names(tenant.actor("sales"), q="zw") == set()
    assert _names(tenant.actor("sales"), q="lina") == {"李娜"}
    assert _names(tenant.actor("sales"), q="1380013") == {"李娜"}


def test_search_after_phone_change_finds_new_phone_only(tenant, zhang_wei):
    customer_update(
        actor=tenant.actor("sales"), customer=zhang_wei, data={"phone": "021-6888 1234"}, version=1
    )
    assert _names(tenant.actor("sales"), q="1380013") == set()
    assert _names(tenant.actor("sales"), q="68881234") == {"张伟"}


def test_search_skips_deleted_and_purged_customers(tenant, zhang_wei):
    customer_delete(actor=tenant.actor("sales"), customer=zhang_wei)
    assert _names(tenant.actor("owner"), q="张伟") == set()
    Customer.all_objects.filter(pk=zhang_wei.pk).delete()
    CustomerFactory(actor=tenant.actor("sales"), name="张伟明")
    assert _names(tenant.actor("owner"), q="张伟") == {"张伟明"}


def test_search_respects_company_scope(tenant, other_tenant, zhang_wei):
    assert _names(other_tenant.actor("owner"), q="张伟") == set()
    assert _names(other_tenant.actor("owner"), q="1380013") == set()


def test_search_respects_record_rules(tenant, zhang_wei):
    CustomerFactory(actor=tenant.actor("sales_b"), name="张伟", phone="13800138000")
    assert len(customer_list(actor=tenant.actor("sales"), q="张伟")) == 1
    assert len(customer_list(actor=tenant.actor("sales_b"), q="1380013")) == 1
    assert len(customer_list(actor=tenant.actor("admin"), q="zw")) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL GIN index")
@pytest.mark.postgres
def test_two_character_chinese_query_uses_the_grams_gin_index(tenant, zhang_wei):
    from shangyou.core.search import search_filter

    with connection.cursor() as cursor:  # a tiny table: make the planner use an index at all
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_filter(Customer.all_objects.order_by(), "张伟").explain()
    assert "contacts_customer_search_grams" in plan, plan
