from datetime import timedelta

import pytest
from django.utils import timezone

from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_delete
from shangyou.core import tasks
from shangyou.core.errors import NotFound, PermissionDenied
from shangyou.core.models import AuditEntry, TrashItem
from shangyou.core.services import trash_purge, trash_purge_expired, trash_restore
from tests.contacts.factories import CustomerFactory


def _deleted(tenant, name, *, key="sales", days_ago=0):
    customer = CustomerFactory(actor=tenant.actor(key), name=name)
    customer_delete(actor=tenant.actor(key), customer=customer)
    if days_ago:
        when = timezone.now() - timedelta(days=days_ago)
        TrashItem.objects.filter(object_id=customer.pk).update(deleted_at=when)
        Customer.all_objects.filter(pk=customer.pk).update(deleted_at=when)
    return customer, TrashItem.objects.get(object_id=customer.pk)


def test_restore_writes_a_restore_audit_entry(tenant):
    customer, item = _deleted(tenant, "张伟")
    trash_restore(actor=tenant.actor("sales"), item_id=item.pk)
    entry = AuditEntry.objects.filter(object_id=str(customer.pk)).first()
    assert (entry.action, entry.user) == ("restore", tenant.user("sales"))


def test_member_cannot_restore_what_a_colleague_deleted(tenant):
    _customer, item = _deleted(tenant, "张伟", key="sales_b")
    with pytest.raises(NotFound):
        trash_restore(actor=tenant.actor("sales"), item_id=item.pk)
    assert TrashItem.objects.filter(pk=item.pk).exists()


def test_admin_can_restore_anything_in_the_company_trash(tenant):
    customer, item = _deleted(tenant, "张伟", key="sales_b")
    trash_restore(actor=tenant.actor("admin"), item_id=item.pk)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_readonly_cannot_restore(tenant):
    _customer, item = _deleted(tenant, "张伟", key="owner")
    with pytest.raises(PermissionDenied):
        trash_restore(actor=tenant.actor("readonly"), item_id=item.pk)


def test_purge_is_for_admins_only(tenant):
    customer, item = _deleted(tenant, "张伟")
    with pytest.raises(PermissionDenied) as exc:
        trash_purge(actor=tenant.actor("sales"), item_id=item.pk)
    assert "administrators" in str(exc.value.message)
    trash_purge(actor=tenant.actor("admin"), item_id=item.pk)
    assert not Customer.all_objects.filter(pk=customer.pk).exists()
    assert not TrashItem.objects.exists()


def test_purge_of_other_company_item_is_not_found(tenant, other_tenant):
    _customer, item = _deleted(tenant, "张伟")
    with pytest.raises(NotFound):
        trash_purge(actor=other_tenant.actor("owner"), item_id=item.pk)


def test_periodic_purge_removes_only_items_past_retention(tenant, settings):
    settings.TRASH_RETENTION_DAYS = 30
    old, _ = _deleted(tenant, "旧客户", days_ago=31)
    recent, _ = _deleted(tenant, "新客户", days_ago=29)

    assert trash_purge_expired() == 1

    assert not Customer.all_objects.filter(pk=old.pk).exists()
    assert Customer.all_objects.filter(pk=recent.pk).exists()
    assert list(TrashItem.objects.values_list("object_id", flat=True)) == [recent.pk]
    purge = AuditEntry.objects.get(action="purge")
    assert (purge.object_id, purge.user, purge.company) == (str(old.pk), None, tenant.company)


def test_purge_task_runs_the_periodic_purge(tenant, settings):
    settings.TRASH_RETENTION_DAYS = 7
    old, _ = _deleted(tenant, "旧客户", days_ago=8)
    recent, _ = _deleted(tenant, "新客户", days_ago=1)

    result = tasks.trash_purge_expired.enqueue()

    assert result.return_value == 1
    assert not Customer.all_objects.filter(pk=old.pk).exists()
    assert Customer.all_objects.filter(pk=recent.pk).exists()


def test_audit_entry_records_actor_action_and_values(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟", phone="13800138000")
    entry = AuditEntry.objects.get(object_id=str(customer.pk), action="create")
    assert entry.user == tenant.user("sales")
    assert entry.company == tenant.company
    assert entry.object_repr == "张伟"
    assert entry.changes["phone"] == [None, "13800138000"]
    assert "search_text" not in entry.changes and "version" not in entry.changes
