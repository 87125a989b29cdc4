from decimal import Decimal

import pytest

from shangyou.contacts import grading, segments, selectors, services
from shangyou.contacts.models import Customer
from shangyou.core.errors import PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry


@pytest.fixture
def grades(tenant):
    actor = tenant.actor("admin")
    return {
        code: grading.grade_create(actor=actor, data=data)
        for code, data in {
            "VIP": {"code": "VIP", "name": "VIP", "rank": 1, "min_spend": Decimal("100000")},
            "A": {"code": "A", "name": "A", "rank": 2, "min_orders": 5},
            "C": {"code": "C", "name": "C", "rank": 9},
        }.items()
    }


def test_regrading_uses_spend_and_orders_and_keeps_manual_grades(tenant, grades, monkeypatch):
    actor = tenant.actor("admin")
    big = services.customer_create(actor=actor, data={"name": "大客户"})
    regular = services.customer_create(actor=actor, data={"name": "常客"})
    small = services.customer_create(actor=actor, data={"name": "小客户"})
    manual = services.customer_create(
        actor=actor, data={"name": "手工定级", "grade_id": grades["VIP"].pk}
    )
    assert manual.grade_locked

    def provider(company_id, since):
        return {big.pk: (Decimal("250000"), 3), regular.pk: (Decimal("9000"), 7)}

    monkeypatch.setattr(grading, "METRICS_PROVIDERS", [provider])
    assert grading.regrade_company(company=tenant.company) == 3
    grade_of = dict(Customer.objects.values_list("name", "grade__code"))
    assert grade_of == {"大客户": "VIP", "常客": "A", "小客户": "C", "手工定级": "VIP"}
    assert AuditEntry.objects.filter(object_id=str(small.pk), note__contains="Grade").exists()
    assert grading.regrade_company(company=tenant.company) == 0


def test_only_admins_define_grades(tenant):
    with pytest.raises(PermissionDenied):
        grading.grade_create(actor=tenant.actor("sales"), data={"code": "X", "name": "X"})


def test_segments_are_saved_filters(tenant):
    actor = tenant.actor("admin")
    tag = services.tag_get_or_create(actor=actor, name="重点客户")
    services.customer_create(
        actor=actor, data={"name": "上海甲", "province": "上海", "tag_ids": [tag.pk]}
    )
    services.customer_create(actor=actor, data={"name": "上海乙", "province": "上海"})
    services.customer_create(
        actor=actor, data={"name": "北京丙", "province": "北京", "tag_ids": [tag.pk]}
    )
    segment = segments.segment_create(
        actor=actor, name="上海重点", filters={"province": "上海", "tag": tag.pk}
    )
    names = [c.name for c in selectors.segment_customers(actor=actor, segment=segment)]
    assert names == ["上海甲"]
    # the segment respects the viewer's record rules
    assert list(selectors.segment_customers(actor=tenant.actor("sales"), segment=segment)) == []
    with pytest.raises(ValidationFailed):
        segments.segment_create(actor=actor, name="坏", filters={"salary": 1})


def test_segment_api_lists_its_customers(tenant):
    api = tenant.api("admin")
    api.post(
        "/api/v1/customers", {"name": "杭州客户", "city": "杭州"}, content_type="application/json"
    )
    api.post(
        "/api/v1/customers", {"name": "苏州客户", "city": "苏州"}, content_type="application/json"
    )
    seg = api.post(
        "/api/v1/segments",
        {"name": "杭州", "filters": {"city": "杭州"}},
        content_type="application/json",
    ).json()
    listed = api.get(f"/api/v1/segments/{seg['id']}/customers").json()
    assert [c["name"] for c in listed["items"]] == ["杭州客户"] and listed["count"] == 1
    assert api.get(f"/api/v1/customers?segment={seg['id']}").json()["count"] == 1
