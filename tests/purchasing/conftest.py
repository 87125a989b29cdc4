import pytest

from .factories import external_supplier, platform_supplier


@pytest.fixture
def supplier_co(tenant_factory):
    return tenant_factory("华东五金")


@pytest.fixture
def supplier_co2(tenant_factory):
    return tenant_factory("深圳包装")


@pytest.fixture
def rec_a(tenant, supplier_co):
    return platform_supplier(tenant, supplier_co)


@pytest.fixture
def rec_b(tenant, supplier_co2):
    return platform_supplier(tenant, supplier_co2)


@pytest.fixture
def rec_x(tenant):
    return external_supplier(tenant)
