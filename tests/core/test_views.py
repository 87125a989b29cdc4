from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_delete
from shangyou.core.models import TrashItem
from tests.contacts.factories import CustomerFactory


def _trash(tenant, n, key="sales"):
    items = []
    for i in range(n):
        customer = CustomerFactory(actor=tenant.actor(key), name=f"客户{i:02d}")
        customer_delete(actor=tenant.actor(key), customer=customer)
        items.append(customer)
    return items


def test_trash_page_lists_deleted_records_without_n_plus_1(tenant, django_assert_max_num_queries):
    _trash(tenant, 30)
    client = tenant.client("admin")
    client.get("/trash/")  # warm per-process caches (content types, session)
    with django_assert_max_num_queries(12):
        response = client.get("/trash/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('action="/trash/') == 60  # restore + purge per row
    assert "客户29" in html


def test_trash_page_offers_purge_to_admins_only(tenant):
    _trash(tenant, 1)
    assert "/purge/" in tenant.client("admin").get("/trash/").content.decode()
    assert "/purge/" not in tenant.client("sales").get("/trash/").content.decode()


def test_delete_then_restore_in_the_ui(tenant):
    customer = CustomerFactory(actor=tenant.actor("sales"), name="张伟")
    client = tenant.client("sales")

    deleted = client.post(f"/customers/{customer.pk}/delete/", follow=True)
    assert "moved to the trash" in deleted.content.decode()
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    item = TrashItem.objects.get(object_id=customer.pk)

    restored = client.post(f"/trash/{item.pk}/restore/", follow=True)

    assert "was restored" in restored.content.decode()
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    history = client.get(f"/customers/{customer.pk}/history/").content.decode()
    assert "Restored" in history and "Moved to trash" in history


def test_purge_in_the_ui_is_refused_for_members_with_a_message(tenant):
    (customer,) = _trash(tenant, 1)
    item = TrashItem.objects.get()
    client = tenant.client("sales")

    response = client.post(
        f"/trash/{item.pk}/purge/", follow=True, headers={"referer": "http://testserver/trash/"}
    )

    assert response.status_code == 200
    assert "Only the company&#x27;s owner or administrators" in response.content.decode()
    assert Customer.all_objects.filter(pk=customer.pk).exists()


def test_purge_in_the_ui_by_admin_deletes_for_good(tenant):
    (customer,) = _trash(tenant, 1)
    item = TrashItem.objects.get()
    response = tenant.client("admin").post(f"/trash/{item.pk}/purge/", follow=True)
    assert "Deleted permanently" in response.content.decode()
    assert not Customer.all_objects.filter(pk=customer.pk).exists()


def test_home_requires_sign_in(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_healthz(db, client):
    assert client.get("/healthz").content == b"ok"
