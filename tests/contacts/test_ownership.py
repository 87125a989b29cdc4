import pytest

from shangyou.contacts import services
from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.core.errors import Conflict, PermissionDenied, ValidationFailed


def test_claiming_a_colleagues_customer_is_refused_with_their_name(tenant):
    customer = services.customer_create(actor=tenant.actor("sales"), data={"name": "客户甲"})
    with pytest.raises(Conflict) as exc:
        services.customer_claim(actor=tenant.actor("sales_b"), customer_id=customer.pk)
    assert tenant.user("sales").display_name in str(exc.value.message)


def test_an_unowned_customer_can_be_claimed(tenant):
    customer = services.customer_create(
        actor=tenant.actor("admin"), data={"name": "公海客户", "owner_id": None}
    )
    assert customer.owner_id is None
    claimed = services.customer_claim(actor=tenant.actor("sales_b"), customer_id=customer.pk)
    assert claimed.owner_id == tenant.user("sales_b").pk
    assert claimed.team_id == tenant.team_b.pk


def test_only_managers_reassign(tenant):
    customer = services.customer_create(actor=tenant.actor("sales"), data={"name": "客户乙"})
    with pytest.raises(PermissionDenied):
        services.customer_update(
            actor=tenant.actor("sales"),
            customer=customer,
            data={"owner_id": tenant.user("sales_b").pk},
            version=customer.version,
        )
    assert (
        services.customer_assign(
            actor=tenant.actor("admin"),
            customer_ids=[customer.pk],
            owner_id=tenant.user("sales_b").pk,
        )
        == 1
    )
    assert Customer.objects.get(pk=customer.pk).owner_id == tenant.user("sales_b").pk


def test_lead_conversion_keeps_history_and_sets_owner(tenant):
    lead = services.customer_create(actor=tenant.actor("admin"), data={"name": "新线索"})
    converted = services.customer_convert(
        actor=tenant.actor("admin"), customer=lead, owner_id=tenant.user("sales").pk
    )
    assert converted.stage == Customer.Stage.CUSTOMER and converted.converted_at
    assert converted.owner_id == tenant.user("sales").pk
    assert TimelineEntry.objects.filter(customer=lead, kind="system").exists()
    with pytest.raises(Conflict):
        services.customer_convert(actor=tenant.actor("admin"), customer=converted)


def test_blacklist_needs_a_reason_and_blocks_selling(tenant):
    customer = services.customer_create(actor=tenant.actor("admin"), data={"name": "赖账公司"})
    with pytest.raises(ValidationFailed):
        services.customer_blacklist(
            actor=tenant.actor("admin"), customer=customer, blacklisted=True
        )
    with pytest.raises(PermissionDenied):
        services.customer_blacklist(
            actor=tenant.actor("sales"), customer=customer, blacklisted=True, reason="x"
        )
    customer = services.customer_blacklist(
        actor=tenant.actor("admin"), customer=customer, blacklisted=True, reason="长期拖欠货款"
    )
    with pytest.raises(PermissionDenied) as exc:
        services.ensure_can_sell(customer)
    assert "长期拖欠货款" in str(exc.value.message)


def test_custom_fields_are_typed(tenant):
    from shangyou.contacts.segments import custom_field_create

    custom_field_create(
        actor=tenant.actor(), data={"key": "capacity", "label": "产能", "type": "number"}
    )
    customer = services.customer_create(
        actor=tenant.actor(), data={"name": "工厂", "custom_fields": {"capacity": "1200.5"}}
    )
    assert customer.custom_fields == {"capacity": "1200.5"}
    with pytest.raises(ValidationFailed) as exc:
        services.customer_update(
            actor=tenant.actor(),
            customer=customer,
            data={"custom_fields": {"capacity": "很多"}},
            version=customer.version,
        )
    assert "custom_fields.capacity" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.customer_update(
            actor=tenant.actor(),
            customer=customer,
            data={"custom_fields": {"nope": 1}},
            version=customer.version,
        )
