import pytest

from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_create, customer_delete, customer_update
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry, TrashItem
from shangyou.core.services import trash_restore

from .factories import CustomerFactory


def _audit(customer, action):
    return AuditEntry.objects.filter(object_id=str(customer.pk), action=action)


def test_create_sets_company_owner_team_and_audits(tenant):
    customer = customer_create(actor=tenant.actor("sales"), data={"name": "张伟", "stage": "lead"})
    assert customer.company == tenant.company
    assert customer.owner == tenant.user("sales")
    assert customer.team == tenant.team_a
    entry = _audit(customer, AuditEntry.Action.CREATE).get()
    assert entry.user == tenant.user("sales")
    assert entry.changes["name"] == [None, "张伟"]


def test_update_audits_old_and_new_values(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    customer_update(
        actor=tenant.actor("manager"),
        customer=customer,
        data={"name": "张伟强", "stage": "prospect"},
        version=customer.version,
    )
    entry = _audit(customer, AuditEntry.Action.UPDATE).get()
    assert entry.user == tenant.user("manager")
    assert entry.changes == {"name": ["张伟", "张伟强"], "stage": ["lead", "prospect"]}
    customer.refresh_from_db()
    assert customer.version == 2
    assert customer.updated_by == tenant.user("manager")


def test_update_without_changes_writes_no_audit_entry(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    customer_update(
        actor=tenant.actor("sales"), customer=customer, data={"name": "张伟"}, version=1
    )
    assert not _audit(customer, AuditEntry.Action.UPDATE).exists()


def test_stale_update_is_refused_naming_who_changed_it(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    stale = Customer.objects.get(pk=customer.pk)
    customer_update(
        actor=tenant.actor("manager"), customer=customer, data={"notes": "x"}, version=1
    )
    with pytest.raises(Conflict) as exc:
        customer_update(actor=tenant.actor("sales"), customer=stale, data={"notes": "y"}, version=1)
    assert tenant.user("manager").full_name in str(exc.value.message)
    assert exc.value.extra["current_version"] == 2
    assert Customer.objects.get(pk=customer.pk).notes == "x"


def test_update_without_version_is_refused(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"))
    with pytest.raises(ValidationFailed) as exc:
        customer_update(
            actor=tenant.actor("sales"), customer=customer, data={"notes": "y"}, version=None
        )
    assert "version" in exc.value.errors


def test_invalid_email_is_refused(tenant):
    with pytest.raises(ValidationFailed) as exc:
        customer_create(actor=tenant.actor("sales"), data={"name": "A", "email": "not-an-email"})
    assert "email" in exc.value.errors


def test_owner_must_be_a_member_of_the_company(tenant, other_tenant):
    with pytest.raises(ValidationFailed):
        customer_create(
            actor=tenant.actor("owner"),
            data={"name": "A", "owner_id": other_tenant.user("sales").pk},
        )


def test_changing_owner_moves_the_record_to_their_team(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"))
    customer = customer_update(
        actor=tenant.actor("admin"),
        customer=customer,
        data={"owner_id": tenant.user("sales_b").pk},
        version=1,
    )
    assert customer.owner == tenant.user("sales_b")
    assert customer.team == tenant.team_b


@pytest.mark.parametrize("write", ["create", "update", "delete"])
def test_readonly_member_cannot_write(tenant, write):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="张伟")
    readonly = tenant.actor("readonly")
    with pytest.raises(PermissionDenied) as exc:
        if write == "create":
            customer_create(actor=readonly, data={"name": "李娜"})
        elif write == "update":
            customer_update(actor=readonly, customer=customer, data={"name": "x"}, version=1)
        else:
            customer_delete(actor=readonly, customer=customer)
    assert "read-only" in str(exc.value.message)
    assert list(Customer.objects.values_list("name", flat=True)) == ["张伟"]


def test_delete_moves_to_trash_and_restore_brings_it_back(tenant):
    actor = tenant.actor("sales")
    customer = CustomerFactory(actor=actor, name="张伟")
    customer_delete(actor=actor, customer=customer)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    item = TrashItem.objects.get(object_id=customer.pk)
    assert item.deleted_by == tenant.user("sales")

    restored = trash_restore(actor=actor, item_id=item.pk)

    assert restored.pk == customer.pk
    assert Customer.objects.get(pk=customer.pk).deleted_at is None
    assert not TrashItem.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(customer.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "delete", "restore"]


def test_update_of_a_deleted_customer_is_not_found(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"))
    customer_delete(actor=tenant.actor("sales"), customer=customer)
    with pytest.raises(NotFound):
        customer_update(
            actor=tenant.actor("sales"), customer=customer, data={"notes": "x"}, version=2
        )
