from shangyou.contacts.selectors import customer_list
from shangyou.contacts.services import customer_create


def test_sales_sees_only_own_customers(tenant):
    customer_create(
        actor=tenant.actor("sales"), data={"name": "张伟", "phone": "+86 138 0013 8000"}
    )
    customer_create(actor=tenant.actor("sales_b"), data={"name": "李娜"})
    assert [c.name for c in customer_list(actor=tenant.actor("sales"))] == ["张伟"]
    assert {c.name for c in customer_list(actor=tenant.actor("owner"))} == {"张伟", "李娜"}


def test_smtp_fixture_receives_mail(db, smtp_server):
    from django.core.mail import send_mail

    send_mail("hi", "body 你好", None, ["a@example.com"])
    assert smtp_server.bodies()[0].strip() == "body 你好"
