from datetime import timedelta

from django.utils import timezone

from shangyou.purchasing.models import RfqInvitation

from .factories import rate


def test_rfq_lifecycle_over_the_api(tenant, rec_a, rec_x, supplier_co, supplier_co2):
    buyer = tenant.api()
    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    created = buyer.post(
        "/api/v1/purchasing/rfqs",
        {
            "title": "API 询价",
            "notes": "机密",
            "deadline": deadline,
            "lines": [
                {"description": "螺丝", "quantity": "100", "unit": "个"},
                {"description": "纸箱", "quantity": "10"},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rfq = created.json()
    assert rfq["number"].startswith("RFQ-") and len(rfq["lines"]) == 2
    invited = buyer.post(
        f"/api/v1/purchasing/rfqs/{rfq['id']}/invitations",
        {"supplier_ids": [rec_a.pk, rec_x.pk]},
        content_type="application/json",
    )
    assert invited.status_code == 201 and len(invited.json()) == 2
    stale = buyer.patch(
        f"/api/v1/purchasing/rfqs/{rfq['id']}",
        {"title": "新标题", "version": rfq["version"] + 5},
        content_type="application/json",
    )
    assert stale.status_code == 409
    sent = buyer.post(f"/api/v1/purchasing/rfqs/{rfq['id']}/send")
    assert sent.status_code == 200 and sent.json()["status"] == "open"

    # the platform supplier finds and answers it
    supplier = supplier_co.api()
    incoming = supplier.get("/api/v1/purchasing/incoming-rfqs").json()
    assert incoming["count"] == 1
    invite_id = incoming["items"][0]["id"]
    detail = supplier.get(f"/api/v1/purchasing/incoming-rfqs/{invite_id}").json()
    assert "notes" not in detail and detail["lines"][0]["description"] == "螺丝"
    answer = supplier.post(
        f"/api/v1/purchasing/incoming-rfqs/{invite_id}/answer",
        {
            "currency": "USD",
            "lines": [
                {
                    "rfq_line_id": detail["lines"][0]["id"],
                    "unit_price": "0.10",
                    "lead_time_days": 7,
                },
                {"rfq_line_id": detail["lines"][1]["id"], "unit_price": None},
            ],
        },
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["lines"]) == 1
    # another company does not see it
    assert (
        supplier_co2.api().get(f"/api/v1/purchasing/incoming-rfqs/{invite_id}").status_code == 404
    )

    rate(tenant, "USD", "7")
    answers = buyer.get(f"/api/v1/purchasing/rfqs/{rfq['id']}/answers").json()
    assert [a["supplier_id"] for a in answers] == [rec_a.pk]
    comparison = buyer.get(f"/api/v1/purchasing/rfqs/{rfq['id']}/comparison").json()
    assert comparison["lines"][0]["best_unit_price_cny"] == "0.7000"
    award = buyer.post(
        f"/api/v1/purchasing/rfqs/{rfq['id']}/award",
        {"invitation_id": answers[0]["invitation_id"]},
        content_type="application/json",
    )
    assert award.status_code == 201, award.content
    [po] = award.json()
    assert po["status"] == "sent" and po["sales_order_number"].startswith("SO-")
    got = buyer.get(f"/api/v1/purchasing/purchase-orders/{po['id']}").json()
    receipt = buyer.post(
        f"/api/v1/purchasing/purchase-orders/{po['id']}/receipts",
        {"lines": [{"line_id": got["lines"][0]["id"], "quantity": "40"}]},
        content_type="application/json",
    )
    assert receipt.status_code == 201
    rest = buyer.post(
        f"/api/v1/purchasing/purchase-orders/{po['id']}/receipts",
        {"all": True},
        content_type="application/json",
    )
    assert rest.status_code == 201
    closed = buyer.get(f"/api/v1/purchasing/purchase-orders/{po['id']}").json()
    assert closed["status"] == "received" and len(closed["receipts"]) == 2
    listed = buyer.get("/api/v1/purchasing/purchase-orders?status=received").json()
    assert listed["count"] == 1


def test_late_answer_over_the_api_is_409(tenant, rec_a, supplier_co):
    from .factories import open_rfq

    rfq = open_rfq(tenant, [rec_a])
    invitation = RfqInvitation.objects.get(rfq=rfq)
    from shangyou.purchasing.models import Rfq

    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    line = rfq.lines.first()
    response = supplier_co.api().post(
        f"/api/v1/purchasing/incoming-rfqs/{invitation.pk}/answer",
        {"lines": [{"rfq_line_id": line.pk, "unit_price": "1"}]},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_supplier_list_and_scorecard_adjustment(tenant, rec_a, rec_x):
    api = tenant.api()
    listed = api.get("/api/v1/purchasing/suppliers").json()
    assert {s["id"] for s in listed["items"]} == {rec_a.pk, rec_x.pk}
    adjusted = api.post(
        f"/api/v1/purchasing/suppliers/{rec_x.pk}/scorecard",
        {"adjustment": 0, "grade": "A"},
        content_type="application/json",
    )
    assert adjusted.status_code == 200 and adjusted.json()["grade"] == "A"
    good = api.get("/api/v1/purchasing/suppliers?good_only=true").json()
    assert [s["id"] for s in good["items"]] == [rec_x.pk]
    assert tenant.api("sales").post(
        f"/api/v1/purchasing/suppliers/{rec_x.pk}/scorecard",
        {"adjustment": 5, "reason": "x"},
        content_type="application/json",
    ).status_code in (403, 404)
