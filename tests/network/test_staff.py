"""Platform staff give and withdraw the verified badge (M3); for everyone else the page does
not exist."""

import pytest
from django.urls import reverse

from shangyou.core.models import AuditEntry


@pytest.fixture
def staff_client(tenant):
    user = tenant.user("owner")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return tenant.client("owner")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_see_every_company_with_its_badge(staff_client, other_tenant, language):
    staff_client.cookies["django_language"] = language
    html = staff_client.get(reverse("network:staff_companies")).content.decode()
    assert other_tenant.company.name in html
    assert ("企业认证" if language == "zh-hans" else "Company verification") in html
    assert 'id="nav-staff-companies"' in html


def test_staff_verify_and_withdraw_is_audited_and_shown(staff_client, tenant, other_tenant):
    company = other_tenant.company
    url = reverse("network:staff_company_verify", args=[company.pk])
    response = staff_client.post(url, {"verified": "1"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.is_verified
    verified_only = staff_client.get(reverse("network:staff_companies") + "?verified=yes")
    assert f'data-company-id="{company.pk}"' in verified_only.content.decode()
    assert f'data-company-id="{tenant.company.pk}"' not in verified_only.content.decode()

    staff_client.post(url, {"verified": "0"})
    company.refresh_from_db()
    assert not company.is_verified
    notes = list(
        AuditEntry.objects.filter(company=company, object_id=str(company.pk))
        .order_by("at", "id")
        .values_list("note", flat=True)
    )
    assert len(notes) == 2


def test_search_narrows_the_list(staff_client, tenant_factory):
    wanted = tenant_factory("恒通五金")
    other = tenant_factory("Acme Trading")
    html = staff_client.get(reverse("network:staff_companies") + "?q=恒通").content.decode()
    assert f'data-company-id="{wanted.company.pk}"' in html
    assert f'data-company-id="{other.company.pk}"' not in html


@pytest.mark.parametrize("role", ["owner", "admin", "sales", "readonly"])
def test_members_who_are_not_staff_get_not_found(tenant, other_tenant, role):
    client = tenant.client(role)
    assert client.get(reverse("network:staff_companies")).status_code == 404
    url = reverse("network:staff_company_verify", args=[other_tenant.company.pk])
    assert client.post(url, {"verified": "1"}).status_code == 404
    other_tenant.company.refresh_from_db()
    assert not other_tenant.company.is_verified
    assert 'id="nav-staff-companies"' not in client.get(reverse("core:home")).content.decode()
