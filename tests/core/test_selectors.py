import pytest

from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_delete
from shangyou.core.errors import NotFound, PermissionDenied
from shangyou.core.progress import progress_start
from shangyou.core.selectors import (
    audit_list,
    count_many,
    history_for,
    outbox_list,
    scope_records,
    task_progress_get,
    trash_list,
)
from tests.contacts.factories import CustomerFactory


def test_count_many_counts_each_queryset_in_one_statement(
    tenant, other_tenant, django_assert_num_queries
):
    for name in ("甲", "乙", "丙"):
        CustomerFactory(actor=tenant.actor("sales"), name=name)
    CustomerFactory(actor=other_tenant.actor("owner"), name="甲")
    mine = Customer.objects.filter(company=tenant.company)
    with django_assert_num_queries(1):
        counts = count_many(
            mine=mine.order_by("name"),
            named=mine.filter(name__in=["甲", "乙"]),
            everyone=Customer.objects.all(),
            none=mine.filter(name="丁"),
            any_mine=mine.order_by("-id")[:1],
        )
    assert counts == {"mine": 3, "named": 2, "everyone": 4, "none": 0, "any_mine": 1}
    assert count_many() == {}


def test_scope_records_applies_company_and_role(tenant, other_tenant):
    for key in ("sales", "sales_b", "manager"):
        CustomerFactory(actor=tenant.actor(key), name=key)
    CustomerFactory(actor=other_tenant.actor("owner"), name="other")

    def names(actor):
        return {c.name for c in scope_records(Customer.objects.all(), actor=actor)}

    assert names(tenant.actor("sales")) == {"sales"}
    assert names(tenant.actor("service")) == set()
    assert names(tenant.actor("manager")) == {"sales", "manager"}
    assert names(tenant.actor("readonly")) == {"sales", "sales_b", "manager"}
    assert names(other_tenant.actor("owner")) == {"other"}


def test_trash_list_shows_members_only_what_they_deleted(tenant):
    for key in ("sales", "sales_b"):
        customer = CustomerFactory(actor=tenant.actor(key), name=key)
        customer_delete(actor=tenant.actor(key), customer=customer)
    assert [i.object_repr for i in trash_list(actor=tenant.actor("sales"))] == ["sales"]
    assert {i.object_repr for i in trash_list(actor=tenant.actor("admin"))} == {"sales", "sales_b"}


def test_history_for_another_company_record_is_not_found(tenant, other_tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"))
    with pytest.raises(NotFound):
        history_for(actor=other_tenant.actor("owner"), instance=customer)


def test_audit_log_is_for_admins(tenant):
    CustomerFactory(actor=tenant.actor("sales"))
    assert audit_list(actor=tenant.actor("admin")).count() == 1
    with pytest.raises(PermissionDenied):
        audit_list(actor=tenant.actor("manager"))


def test_outbox_is_for_owners_and_admins(tenant):
    assert outbox_list(actor=tenant.actor("owner")).count() == 0
    with pytest.raises(PermissionDenied):
        outbox_list(actor=tenant.actor("sales"))


def test_task_progress_of_another_company_is_not_found(tenant, other_tenant):
    progress = progress_start(name="job", company=tenant.company)
    assert task_progress_get(actor=tenant.actor("sales"), id=progress.pk) == progress
    with pytest.raises(NotFound):
        task_progress_get(actor=other_tenant.actor("owner"), id=progress.pk)


def test_choice_labels_are_kept_per_field_and_follow_the_language():
    from django.utils import translation

    from shangyou.contacts.models import Customer, TimelineEntry

    customer = Customer(stage=Customer.Stage.PROSPECT)
    with translation.override("en"):
        assert customer.get_stage_display() == "Prospect"
    with translation.override("zh-hans"):
        assert customer.get_stage_display() == str(Customer.Stage.PROSPECT.label)
        assert customer.get_stage_display() != "Prospect"
    assert Customer(stage="unknown").get_stage_display() == "unknown"  # as Django: the value
    entry = TimelineEntry(kind=TimelineEntry.Kind.CALL)
    with translation.override("en"):
        assert entry.get_kind_display() == str(TimelineEntry.Kind.CALL.label)
