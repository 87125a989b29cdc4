from shangyou.collab import services
from shangyou.collab.models import Notification
from shangyou.contacts.services import customer_create


def test_mention_notifies_in_app_and_by_email(
    tenant, smtp_server, django_capture_on_commit_callbacks, english
):
    customer = customer_create(actor=tenant.actor("sales"), data={"name": "张伟"})
    manager = tenant.user("manager")
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(
            actor=tenant.actor("sales"),
            target=customer,
            body=f"@{manager.email.split('@')[0]} 请帮忙跟进这个报价",
        )
    assert list(comment.mentions.all()) == [manager]
    note = Notification.objects.get(user=manager)
    assert "mentioned you" in note.text
    assert note.url.endswith(f"/customers/{customer.pk}/")
    assert smtp_server.messages[0]["To"] == manager.email
    assert "请帮忙跟进这个报价" in smtp_server.bodies()[0]
    # the manager now follows; the salesperson hears about the reply
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(actor=tenant.actor("manager"), target=customer, body="好的，我来处理")
    assert Notification.objects.filter(user=tenant.user("sales")).count() == 1


def test_comments_api_respects_record_rules(tenant, other_tenant):
    customer = customer_create(actor=tenant.actor("sales"), data={"name": "李娜"})
    body = {"kind": "contacts.customer", "object_id": customer.pk, "body": "内部备注"}
    assert (
        tenant.api("sales")
        .post("/api/v1/comments", body, content_type="application/json")
        .status_code
        == 201
    )
    # a colleague who may not see the customer, and another company, get 404
    assert (
        tenant.api("sales_b")
        .post("/api/v1/comments", body, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        other_tenant.api()
        .get(f"/api/v1/comments?kind=contacts.customer&object_id={customer.pk}")
        .status_code
        == 404
    )
    listed = tenant.api("owner").get(
        f"/api/v1/comments?kind=contacts.customer&object_id={customer.pk}"
    )
    assert [c["body"] for c in listed.json()["items"]] == ["内部备注"]
    assert tenant.api().get("/api/v1/comments?kind=accounts.user&object_id=1").status_code == 404
