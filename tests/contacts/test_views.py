from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_update
from shangyou.core.models import AuditEntry

from .factories import CustomerFactory


def _edit_data(customer, **changes):
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "stage": customer.stage,
        "phone": customer.phone,
        "email": customer.email,
        "owner_id": customer.owner_id or "",
        "notes": customer.notes,
        "version": customer.version,
    }
    return {**data, **changes}


def test_customer_list_without_n_plus_1(tenant, django_assert_max_num_queries):
    for i in range(30):
        owner = ("sales", "sales_b", "manager")[i % 3]
        CustomerFactory(actor=tenant.actor(owner), name=f"客户{i:02d}")
    client = tenant.client("owner")
    client.get("/customers/")
    with django_assert_max_num_queries(15):
        response = client.get("/customers/")
    html = response.content.decode()
    assert response.status_code == 200
    assert sum(f"客户{i:02d}" in html for i in range(30)) == 25  # one page


def test_customer_list_searches(tenant):
    CustomerFactory(actor=tenant.actor("sales"), name="张伟", phone="+86 138 0013 8000")
    CustomerFactory(actor=tenant.actor("sales"), name="王芳")
    html = tenant.client("sales").get("/customers/", {"q": "zw"}).content.decode()
    assert "张伟" in html and "王芳" not in html


def test_sales_gets_404_for_a_colleagues_customer_page(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales_b"), name="李娜")
    client = tenant.client("sales")
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    assert client.post(f"/customers/{customer.pk}/edit/", _edit_data(customer)).status_code == 404
    assert tenant.client("manager").get(f"/customers/{customer.pk}/").status_code == 404
    assert tenant.client("admin").get(f"/customers/{customer.pk}/").status_code == 200


def test_edit_form_with_a_stale_version_names_who_changed_it(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    stale = _edit_data(customer, notes="mine")
    customer_update(
        actor=tenant.actor("manager"), customer=customer, data={"notes": "theirs"}, version=1
    )

    response = tenant.client("sales").post(f"/customers/{customer.pk}/edit/", stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert tenant.user("manager").full_name in html
    assert "Reload it to see their changes" in html
    assert Customer.objects.get(pk=customer.pk).notes == "theirs"


def test_edit_form_saves_and_history_tab_shows_old_and_new(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    client = tenant.client("sales")

    response = client.post(f"/customers/{customer.pk}/edit/", _edit_data(customer, name="张伟强"))

    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_id=str(customer.pk), action="update")
    assert entry.changes["name"] == ["张伟", "张伟强"]
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'hx-get="/customers/{customer.pk}/history/"' in page  # the tab loads when shown
    history = client.get(f"/customers/{customer.pk}/history/").content.decode()
    assert 'id="history"' in history and "<html" not in history
    assert "张伟 → 张伟强" in history or ("张伟" in history and "张伟强" in history)
    assert tenant.user("sales").full_name in history
    assert "Updated" in history and "Created" in history


def test_readonly_member_cannot_edit_in_the_ui(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="张伟")
    response = tenant.client("readonly").post(
        f"/customers/{customer.pk}/edit/", _edit_data(customer, name="x")
    )
    assert "Your role is read-only in this company." in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).name == "张伟"


def test_readonly_member_cannot_delete_in_the_ui(tenant):
    customer = CustomerFactory(actor=tenant.actor("owner"), name="张伟")
    response = tenant.client("readonly").post(
        f"/customers/{customer.pk}/delete/",
        follow=True,
        headers={"referer": f"http://testserver/customers/{customer.pk}/"},
    )
    assert response.status_code == 200
    assert "Your role is read-only in this company." in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
