import pytest

from shangyou.contacts import dedup, services, timeline
from shangyou.contacts.models import Contact, Customer, TimelineEntry
from shangyou.core.errors import Conflict
from shangyou.core.models import AuditEntry


def test_dedup_keys_fold_phone_email_and_company_suffix():
    a = dedup.dedup_keys(name="上海恒通五金有限公司", phone="+86 138-0013-8000", email="A@X.CN")
    b = dedup.dedup_keys(name="上海恒通五金", phone="13800138000", email="a@x.cn")
    assert a == b
    assert dedup.dedup_name("Acme Trading Co., Ltd.") == dedup.dedup_name("ACME TRADING")
    assert dedup.dedup_name("ＡＣＭＥ Trading") == dedup.dedup_name("acme trading")


def test_create_refuses_a_duplicate_and_names_its_owner(tenant):
    services.customer_create(
        actor=tenant.actor("sales"), data={"name": "上海恒通五金有限公司", "phone": "021-6888 1234"}
    )
    with pytest.raises(services.DuplicateFound) as exc:
        services.customer_create(actor=tenant.actor("sales_b"), data={"name": "上海恒通五金"})
    assert exc.value.extra["duplicates"][0]["owner"] == tenant.user("sales").display_name
    assert "same name" in exc.value.extra["duplicates"][0]["reasons"]
    forced = services.customer_create(
        actor=tenant.actor("sales_b"), data={"name": "上海恒通五金"}, allow_duplicate=True
    )
    assert forced.pk


def test_duplicates_are_found_by_phone_in_any_format(tenant):
    services.customer_create(
        actor=tenant.actor(), data={"name": "张伟", "phone": "+86 138 0013 8000"}
    )
    found = dedup.duplicate_candidates(actor=tenant.actor(), name="Zhang W", phone="138-0013-8000")
    assert [c.customer.name for c in found] == ["张伟"]
    assert found[0].reasons == ["same phone"]


def test_duplicates_never_cross_companies(tenant, other_tenant):
    services.customer_create(actor=tenant.actor(), data={"name": "张伟", "phone": "13800138000"})
    assert dedup.duplicate_candidates(actor=other_tenant.actor(), name="张伟") == []
    services.customer_create(actor=other_tenant.actor(), data={"name": "张伟"})  # no conflict


def test_merge_moves_history_and_can_be_undone(tenant):
    actor = tenant.actor()
    survivor = services.customer_create(actor=actor, data={"name": "恒通五金", "phone": ""})
    merged = services.customer_create(
        actor=actor,
        data={"name": "恒通五金厂", "phone": "13912345678", "city": "上海"},
        allow_duplicate=True,
    )
    contact = services.contact_create(actor=actor, customer=merged, data={"name": "王经理"})
    note = timeline.timeline_log(actor=actor, customer=merged, kind="note", body="首次拜访")
    record = dedup.customer_merge(
        actor=actor, survivor=survivor, merged=merged, choices={"name": "survivor"}
    )
    survivor.refresh_from_db()
    assert survivor.phone == "13912345678" and survivor.city == "上海"  # empty fields filled
    assert survivor.name == "恒通五金"
    assert Contact.objects.get(pk=contact.pk).customer_id == survivor.pk
    assert TimelineEntry.objects.get(pk=note.pk).customer_id == survivor.pk
    assert not Customer.objects.filter(pk=merged.pk).exists()  # in the trash
    assert AuditEntry.objects.filter(object_id=str(survivor.pk), action="merge").exists()

    restored = dedup.customer_merge_undo(actor=actor, merge_id=record.pk)
    survivor.refresh_from_db()
    assert restored.pk == merged.pk and Customer.objects.filter(pk=merged.pk).exists()
    assert survivor.phone == "" and survivor.city == ""
    assert Contact.objects.get(pk=contact.pk).customer_id == merged.pk
    assert TimelineEntry.objects.get(pk=note.pk).customer_id == merged.pk
    with pytest.raises(Conflict):
        dedup.customer_merge_undo(actor=actor, merge_id=record.pk)


def test_merge_through_the_api_and_undo(tenant):
    api = tenant.api()
    a = api.post("/api/v1/customers", {"name": "李娜"}, content_type="application/json").json()
    b = api.post(
        "/api/v1/customers?allow_duplicate=true",
        {"name": "李娜", "email": "lina@example.cn"},
        content_type="application/json",
    ).json()
    response = api.post(
        "/api/v1/customers/merge",
        {"survivor_id": a["id"], "merged_id": b["id"], "choices": {"email": "merged"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert api.get(f"/api/v1/customers/{a['id']}").json()["email"] == "lina@example.cn"
    assert api.get(f"/api/v1/customers/{b['id']}").status_code == 404
    undo = api.post(f"/api/v1/merges/{response.json()['id']}/undo")
    assert undo.status_code == 200 and undo.json()["id"] == b["id"]
    assert api.get(f"/api/v1/customers/{a['id']}").json()["email"] == ""


def test_two_people_with_the_same_name_are_not_blocked(tenant):
    actor = tenant.actor()
    services.customer_create(
        actor=actor, data={"name": "张伟", "kind": "person", "phone": "13800138000"}
    )
    other = services.customer_create(
        actor=actor, data={"name": "张伟", "kind": "person", "phone": "13911112222"}
    )
    assert other.pk  # shown as a possible duplicate, not refused
    assert [c.reasons for c in dedup.duplicate_candidates(actor=actor, name="张伟")] == [
        ["same name"],
        ["same name"],
    ]
    with pytest.raises(services.DuplicateFound):  # the same phone is the same person
        services.customer_create(
            actor=actor, data={"name": "张伟", "kind": "person", "phone": "+86 139 1111 2222"}
        )
