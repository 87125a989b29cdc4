"""`shangyou search_reindex`: old rows brought to the current search rules, per company."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shangyou.contacts import services
from shangyou.contacts.models import Customer


def test_rows_written_by_older_rules_are_recomputed_company_by_company(tenant, other_tenant):
    ours = services.customer_create(actor=tenant.actor(), data={"name": "张伟"})
    theirs = services.customer_create(actor=other_tenant.actor(), data={"name": "王芳"})
    current = Customer.objects.get(pk=ours.pk).search_text
    # as an earlier version wrote them: the spaced syllables in the text
    Customer.all_objects.filter(pk=ours.pk).update(search_text="张伟 | zhang wei | zhangwei | zw")
    Customer.all_objects.filter(pk=theirs.pk).update(search_text="stale")

    out = StringIO()
    call_command(
        "search_reindex",
        "--company",
        tenant.company.slug,
        "--model",
        "contacts.Customer",
        "--now",
        stdout=out,
    )
    assert f"{tenant.company.slug} contacts.Customer: 1 of 1 rows changed" in out.getvalue()
    assert Customer.objects.get(pk=ours.pk).search_text == current == "张伟 | zhangwei | zw"
    assert Customer.all_objects.get(pk=theirs.pk).search_text == "stale"  # not that company

    queued = StringIO()
    call_command("search_reindex", "--model", "contacts.Customer", stdout=queued)
    assert "queued" in queued.getvalue()
    assert Customer.all_objects.get(pk=theirs.pk).search_text.startswith("王芳 | wangfang")


def test_unknown_models_and_companies_are_refused(tenant):
    with pytest.raises(CommandError, match="not searchable models: accounts.Company"):
        call_command("search_reindex", "--model", "accounts.Company")
    with pytest.raises(CommandError, match="no company with slug nope"):
        call_command("search_reindex", "--company", "nope")
