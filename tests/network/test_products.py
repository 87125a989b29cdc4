"""Public products on the platform (issue 4: M4, M5, M6): the directory's products mode, the
public product page and its images, product visits, quoting a product in a message, the
products on a company's profile — in selectors, services, pages and the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shangyou.catalog import services as catalog
from shangyou.catalog.models import Product
from shangyou.contacts.models import TimelineEntry
from shangyou.core.errors import NotFound, ValidationFailed
from shangyou.network import selectors, services
from shangyou.network.models import Audience, Message, Visit
from tests.catalog.factories import PNG, make_attribute, make_category, make_product

HTMX = {"HX-Request": "true", "HX-Target": "directory-results"}


@pytest.fixture
def supplier(tenant_factory):
    t = tenant_factory("华东精密机械有限公司", member_type="supplier")
    services.profile_update(actor=t.actor(), data={"province": "江苏", "city": "苏州"})
    return t


@pytest.fixture
def buyer(tenant_factory):
    return tenant_factory("北京优采贸易有限公司", member_type="buyer")


@pytest.fixture
def bearing(supplier):
    """A public product with a category, a typed specification and an image."""
    actor = supplier.actor()
    category = make_category(actor, name="轴承")
    make_attribute(actor, category, "bore", type="number", unit="mm")
    product = make_product(
        actor,
        name="深沟球轴承",
        sku="BRG-6204",
        name_en="Deep groove ball bearing",
        category_id=category.pk,
        specifications={"bore": 20},
        description="高速低噪音",
        unit="套",
        min_order_quantity=Decimal(100),
        price=Decimal("98765.43"),
    )
    catalog.product_image_add(
        actor=actor, product=product, upload=SimpleUploadedFile("b.png", PNG), caption="正面"
    )
    return product


@pytest.fixture
def secret(supplier):
    """A private product of the supplier."""
    return make_product(
        supplier.actor(), name="深沟球轴承特制款", sku="BRG-SECRET", is_public=False
    )


def make_private(tenant, product) -> None:
    product.refresh_from_db()
    catalog.product_update(
        actor=tenant.actor(), product=product, data={"is_public": False}, version=product.version
    )


def names(products) -> list[str]:
    return [p.name for p in products]


def search(client, **params) -> str:
    response = client.get(
        reverse("network:directory"), {"mode": "products", **params}, headers=HTMX
    )
    assert response.status_code == 200
    return response.content.decode()


# --- the directory's products mode ------------------------------------------------------------
@pytest.mark.parametrize(
    "q", ["深沟", "球轴承", "shengou", "sgqzc", "BRG-6204", "brg", "deep groove"]
)
def test_directory_products_find_by_hanzi_pinyin_initials_sku_and_english(q, bearing, buyer):
    found = selectors.directory_products(actor=buyer.actor(), q=q)
    assert names(found) == ["深沟球轴承"]
    assert found[0].company.name == "华东精密机械有限公司"


def test_directory_products_never_list_private_products_even_granted(
    bearing, secret, supplier, buyer
):
    record = services.crm_record_for(company=supplier.company, other=buyer.company)
    catalog.product_grant_create(actor=supplier.actor(), product=secret, customer=record)
    for q in ("", "特制", "BRG-SECRET", "tezhi"):
        assert "深沟球轴承特制款" not in names(
            selectors.directory_products(actor=buyer.actor(), q=q)
        )
    html = search(buyer.client(), q="BRG")
    assert "深沟球轴承" in html and "BRG-SECRET" not in html
    body = buyer.api().get("/api/v1/directory/products", {"q": "BRG"}).json()
    assert [item["sku"] for item in body["items"]] == ["BRG-6204"]


def test_directory_products_hide_discontinued_and_trashed(bearing, supplier, buyer):
    old = make_product(supplier.actor(), name="旧款轴承", status=Product.Status.DISCONTINUED)
    gone = make_product(supplier.actor(), name="已删除轴承")
    catalog.product_delete(actor=supplier.actor(), product=gone)
    found = names(selectors.directory_products(actor=buyer.actor(), q="轴承"))
    assert found == ["深沟球轴承"]
    for product in (old, gone):
        with pytest.raises(NotFound):
            selectors.public_product_get(actor=buyer.actor(), id=product.pk)


def test_directory_products_hide_unlisted_blocking_and_inactive_companies(bearing, supplier, buyer):
    services.profile_update(actor=supplier.actor(), data={"is_public": False})
    assert not selectors.directory_products(actor=buyer.actor(), q="轴承").exists()
    with pytest.raises(NotFound):
        selectors.public_product_get(actor=buyer.actor(), id=bearing.pk)
    # the company itself still opens its own product
    assert selectors.public_product_get(actor=supplier.actor(), id=bearing.pk) == bearing

    services.profile_update(actor=supplier.actor(), data={"is_public": True})
    services.block(actor=supplier.actor(), company_id=buyer.company.pk)
    assert not selectors.directory_products(actor=buyer.actor(), q="轴承").exists()
    with pytest.raises(NotFound):
        selectors.public_product_get(actor=buyer.actor(), id=bearing.pk)

    services.block(actor=supplier.actor(), company_id=buyer.company.pk, blocked=False)
    supplier.company.is_active = False
    supplier.company.save()
    assert not selectors.directory_products(actor=buyer.actor()).exists()


def test_a_company_without_a_profile_row_shows_its_public_products(tenant_factory, buyer):
    """A company that never edited its profile has the default one, which is public."""
    maker = tenant_factory("无档案工厂")
    make_product(maker.actor(), name="螺丝刀", sku="SD-1")
    assert names(selectors.directory_products(actor=buyer.actor(), q="螺丝刀")) == ["螺丝刀"]


def test_directory_products_filter_by_company_and_verified(
    bearing, supplier, buyer, tenant_factory
):
    other = tenant_factory("南方轴承厂")
    make_product(other.actor(), name="圆锥滚子轴承")
    assert names(selectors.directory_products(actor=buyer.actor(), q="轴承")) == [
        "圆锥滚子轴承",
        "深沟球轴承",
    ]  # newest first
    only = selectors.directory_products(actor=buyer.actor(), company_id=supplier.company.pk)
    assert names(only) == ["深沟球轴承"]
    assert not selectors.directory_products(actor=buyer.actor(), verified=True).exists()
    services.company_verify(staff_user=None, company=supplier.company)
    assert names(selectors.directory_products(actor=buyer.actor(), verified=True)) == ["深沟球轴承"]


def test_directory_products_search_is_served_by_the_search_index(bearing, buyer):
    sql = str(selectors.directory_products(actor=buyer.actor(), q="shengou").query)
    assert "catalog_product_fts" in sql or "search_text" in sql
    assert "ORDER BY" in sql and '"catalog_product"."id" DESC' in sql


def test_directory_page_has_a_products_mode_with_live_search(bearing, buyer):
    client = buyer.client()
    page = client.get(reverse("network:directory"), {"mode": "products"}).content.decode()
    assert 'id="mode-products"' in page and 'name="mode" value="products"' in page
    assert "深沟球轴承" in page
    html = search(client, q="sgqzc")
    assert "<html" not in html
    assert "深沟球轴承" in html and "华东精密机械有限公司" in html
    assert reverse("network:public_product", args=[bearing.pk]) in html
    assert "98765" not in html and "98,765" not in html  # no price
    image = bearing.images.get()
    assert reverse("network:public_product_image", args=[image.pk]) in html
    assert "深沟球轴承" not in search(client, q="nothing-like-this")


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "产品"), ("en", "Products")])
def test_directory_products_mode_renders_in_both_languages(bearing, buyer, language, words):
    client = buyer.client()
    client.cookies["django_language"] = language
    response = client.get(reverse("network:directory"), {"mode": "products"})
    assert response.status_code == 200
    assert words in response.content.decode()


def test_directory_products_company_filter_names_the_company(bearing, supplier, buyer):
    response = buyer.client().get(
        reverse("network:directory"), {"mode": "products", "company": supplier.company.pk}
    )
    html = response.content.decode()
    assert 'id="directory-company"' in html and "华东精密机械有限公司" in html


def test_directory_products_page_queries_do_not_grow_with_results(
    supplier, buyer, tenant_factory, django_assert_max_num_queries
):
    for n in range(25):
        product = make_product(supplier.actor(), name=f"齿轮{n}", sku=f"GEAR-{n}")
        catalog.product_image_add(
            actor=supplier.actor(), product=product, upload=SimpleUploadedFile("g.png", PNG)
        )
        catalog.product_image_add(
            actor=supplier.actor(), product=product, upload=SimpleUploadedFile("h.png", PNG)
        )
    client = buyer.client()
    client.get(reverse("network:directory"))  # session and caches warm
    with django_assert_max_num_queries(10):
        html = search(client, q="chilun")
    assert html.count("sy-product-card") == 20
    with django_assert_max_num_queries(12):
        client.get(reverse("network:directory"), {"mode": "products", "q": "齿轮", "page": 2})
    api = buyer.api()
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/directory/products", {"q": "gear"}).json()
    assert len(body["items"]) == 20 and body["count"] == 25
    assert all(item["image_url"] for item in body["items"])


def test_a_capped_products_page_reads_ids_then_rows_with_their_companies(
    supplier, buyer, monkeypatch, django_assert_num_queries
):
    """More matches than the count's cap: the page is read ids first, then the rows joined to
    their company and category (not one query per relation), newest first."""
    category = make_category(supplier.actor(), name="齿轮")
    for n in range(6):
        make_product(supplier.actor(), name=f"齿轮{n}", sku=f"GEAR-{n}", category_id=category.pk)
    monkeypatch.setattr(selectors, "PRODUCT_COUNT_CAP", 3)
    api = buyer.api()
    api.get("/api/v1/directory/products", {"q": "gear", "limit": 4})  # token stamp, caches
    # token, count (capped), ids, rows with company and category, first images
    with django_assert_num_queries(5):
        body = api.get("/api/v1/directory/products", {"q": "gear", "limit": 4}).json()
    assert body["count"] == 6 and body["count_is_exact"] is False  # "more than 5"
    assert [item["name"] for item in body["items"]] == ["齿轮5", "齿轮4", "齿轮3", "齿轮2"]
    assert {item["company_name"] for item in body["items"]} == {"华东精密机械有限公司"}
    assert {item["category"] for item in body["items"]} == {"齿轮"}


# --- the public product page ------------------------------------------------------------------
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_product_page_shows_the_product_without_a_price(bearing, buyer, language):
    client = buyer.client()
    client.cookies["django_language"] = language
    response = client.get(reverse("network:public_product", args=[bearing.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("深沟球轴承", "BRG-6204", "华东精密机械有限公司", "高速低噪音", "套", "100"):
        assert text in html, text
    assert "bore" not in html and ("孔径" in html or "Bore" in html)  # the attribute's label
    assert "98765" not in html and "98,765" not in html
    assert 'id="message-about-product"' in html
    button = "Message the company about this product" if language == "en" else 'id="message-about'
    assert button in html
    image = bearing.images.get()
    assert reverse("network:public_product_image", args=[image.pk]) in html


def test_a_public_product_is_visible_to_every_other_company(bearing, tenant_factory):
    """The complement of the isolation harness (which tries a private product)."""
    stranger = tenant_factory("随便一家公司")
    assert (
        stranger.client().get(reverse("network:public_product", args=[bearing.pk])).status_code
        == 200
    )
    assert stranger.api().get(f"/api/v1/directory/products/{bearing.pk}").status_code == 200


def test_private_product_page_is_404_for_other_companies(secret, buyer):
    assert (
        buyer.client().get(reverse("network:public_product", args=[secret.pk])).status_code == 404
    )
    response = buyer.api().get(f"/api/v1/directory/products/{secret.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_readonly_members_see_the_page_without_the_message_button(bearing, buyer):
    html = buyer.client("readonly").get(reverse("network:public_product", args=[bearing.pk]))
    assert html.status_code == 200
    assert 'id="message-about-product"' not in html.content.decode()


def test_own_product_page_links_to_our_catalogue(bearing, supplier):
    html = supplier.client().get(reverse("network:public_product", args=[bearing.pk])).content
    assert reverse("catalog:product_detail", args=[bearing.pk]) in html.decode()


def test_public_product_images_are_served_only_while_the_product_is_public(
    bearing, supplier, buyer
):
    image = bearing.images.get()
    client = buyer.client()
    response = client.get(reverse("network:public_product_image", args=[image.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    api_url = f"/api/v1/directory/product-images/{image.pk}/file"
    assert buyer.api().get(api_url).status_code == 200
    # the catalogue's own image route stays members-only
    assert client.get(reverse("catalog:product_image", args=[image.pk])).status_code == 404
    make_private(supplier, bearing)
    assert client.get(reverse("network:public_product_image", args=[image.pk])).status_code == 404
    assert buyer.api().get(api_url).status_code == 404


# --- visits -------------------------------------------------------------------------------------
def test_viewing_a_product_records_a_product_visit_folded_per_day(bearing, supplier, buyer):
    client = buyer.client()
    for _ in range(3):
        assert client.get(reverse("network:public_product", args=[bearing.pk])).status_code == 200
    visit = Visit.objects.get(target_company=supplier.company)
    assert (visit.target_kind, visit.target_id, visit.count) == ("product", bearing.pk, 3)
    assert visit.viewer_company == buyer.company
    buyer.api().get(f"/api/v1/directory/products/{bearing.pk}")
    visit.refresh_from_db()
    assert visit.count == 4


def test_anonymous_browsing_counts_a_product_view_without_a_name(bearing, supplier, buyer):
    client = buyer.client()
    client.post(reverse("network:anonymous_toggle"), {"anonymous": "1"})
    client.get(reverse("network:public_product", args=[bearing.pk]))
    buyer.api().get(f"/api/v1/directory/products/{bearing.pk}", {"anonymous": "true"})
    visit = Visit.objects.get(target_company=supplier.company, target_kind="product")
    assert visit.viewer_company is None and visit.viewer_user is None and visit.count == 2


def test_our_own_product_views_are_not_visits(bearing, supplier):
    supplier.client().get(reverse("network:public_product", args=[bearing.pk]))
    assert not Visit.objects.exists()


def test_visitor_pages_name_the_product_that_was_viewed(bearing, supplier, buyer):
    buyer.client().get(reverse("network:public_product", args=[bearing.pk]))
    ours = supplier.client().get(reverse("network:visitors")).content.decode()
    assert "北京优采贸易有限公司" in ours and "深沟球轴承" in ours
    theirs = buyer.client().get(reverse("network:visitors"), {"tab": "visited"}).content.decode()
    assert "华东精密机械有限公司" in theirs and "深沟球轴承" in theirs
    assert reverse("network:public_product", args=[bearing.pk]) in theirs
    visitors = supplier.api().get("/api/v1/visitors").json()["items"]
    assert [(v["target_kind"], v["product_name"]) for v in visitors] == [("product", "深沟球轴承")]
    visited = buyer.api().get("/api/v1/visited").json()["items"]
    assert visited[0]["product_name"] == "深沟球轴承"


def test_who_we_viewed_hides_the_name_of_a_product_made_private(bearing, supplier, buyer):
    buyer.client().get(reverse("network:public_product", args=[bearing.pk]))
    make_private(supplier, bearing)
    theirs = buyer.client().get(reverse("network:visitors"), {"tab": "visited"}).content.decode()
    assert "深沟球轴承" not in theirs
    assert buyer.api().get("/api/v1/visited").json()["items"][0]["product_name"] is None
    # the owner still sees which of its products was viewed
    assert "深沟球轴承" in supplier.client().get(reverse("network:visitors")).content.decode()


def test_visitors_page_queries_do_not_grow_with_product_visits(
    supplier, tenant_factory, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(15):
        product = make_product(supplier.actor(), name=f"阀门{n}")
        viewer = tenant_factory(f"访客{n}")
        Visit.objects.create(
            target_company=supplier.company, target_kind="product", target_id=product.pk,
            viewer_company=viewer.company, viewer_key=viewer.company.pk,
            day=timezone.localdate(), first_at=now - timedelta(minutes=n), last_at=now,
        )  # fmt: skip
    client = supplier.client()
    client.get(reverse("network:visitors"))
    with django_assert_max_num_queries(10):
        html = client.get(reverse("network:visitors")).content.decode()
    assert html.count("sy-visit-product") == 15


# --- quoting a product in a message (M6) ------------------------------------------------------
def test_a_message_quotes_a_public_product_of_the_recipient(bearing, supplier, buyer):
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="询价", body="请报价",
        product_id=bearing.pk,
    )  # fmt: skip
    message = conversation.messages.get()
    assert message.product == bearing
    assert (message.quoted_kind, message.quoted_id) == ("catalog.product", bearing.pk)
    html = buyer.client().get(reverse("network:conversation", args=[conversation.pk]))
    html = html.content.decode()
    assert "sy-quoted-product" in html and "华东精密机械有限公司" in html
    assert reverse("network:public_product", args=[bearing.pk]) in html


def test_a_message_quotes_a_public_product_of_the_sender(supplier, buyer):
    ours = make_product(buyer.actor(), name="采购需求样品", sku="REQ-1")
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="看看这个"
    )
    message = services.message_send(
        actor=supplier.actor(), conversation=conversation, body="", product_id=ours.pk
    )
    assert message.product == ours  # a product of the other side, quoted without a body


@pytest.mark.usefixtures("english")
def test_quoting_a_private_or_third_company_product_is_refused(
    bearing, secret, supplier, buyer, tenant_factory
):
    third = tenant_factory("第三方公司")
    theirs = make_product(third.actor(), name="别家产品")
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="你好"
    )
    for product_id in (secret.pk, theirs.pk, 999999):
        with pytest.raises(ValidationFailed) as exc:
            services.message_send(
                actor=buyer.actor(), conversation=conversation, body="看", product_id=product_id
            )
        assert "public product of your company or of 华东精密机械有限公司" in str(exc.value.message)
        assert "product_id" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.conversation_start(
            actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="看",
            product_id=secret.pk,
        )  # fmt: skip
    assert Message.objects.filter(product__isnull=False).count() == 0
    assert conversation.messages.count() == 1


def test_quoted_product_made_private_later_shows_without_a_link(bearing, supplier, buyer):
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="这个",
        product_id=bearing.pk,
    )  # fmt: skip
    make_private(supplier, bearing)
    html = buyer.client().get(reverse("network:conversation", args=[conversation.pk]))
    html = html.content.decode()
    assert "深沟球轴承" in html
    assert reverse("network:public_product", args=[bearing.pk]) not in html
    item = buyer.api().get(f"/api/v1/conversations/{conversation.pk}/messages").json()["items"][0]
    assert item["product"]["public"] is False and item["product"]["name"] == "深沟球轴承"


def test_quoted_product_reaches_the_recipients_timeline(bearing, supplier, buyer):
    record = services.crm_record_for(company=supplier.company, other=buyer.company)
    services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="询价", body="请报价",
        product_id=bearing.pk,
    )  # fmt: skip
    entry = TimelineEntry.objects.get(customer=record, kind=TimelineEntry.Kind.MESSAGE)
    assert entry.data["product_id"] == bearing.pk


def test_message_the_company_about_this_product_prefills_the_form(bearing, supplier, buyer):
    client = buyer.client()
    url = (
        reverse("network:conversation_new") + f"?company={supplier.company.pk}&product={bearing.pk}"
    )
    html = client.get(url).content.decode()
    assert 'id="quoted-product"' in html
    assert f'<option value="{bearing.pk}" selected>' in html
    response = client.post(
        url, {"company_id": supplier.company.pk, "subject": "深沟球轴承", "body": "请报价",
              "product_id": bearing.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Message.objects.get().product == bearing


def test_new_conversation_form_ignores_a_private_product_in_the_link(secret, supplier, buyer):
    url = (
        reverse("network:conversation_new") + f"?company={supplier.company.pk}&product={secret.pk}"
    )
    html = buyer.client().get(url).content.decode()
    assert 'id="quoted-product"' not in html and "深沟球轴承特制款" not in html


@pytest.mark.usefixtures("english")
def test_posting_a_private_product_in_the_form_shows_the_reason(secret, supplier, buyer):
    url = reverse("network:conversation_new") + f"?company={supplier.company.pk}"
    response = buyer.client().post(
        url, {"company_id": supplier.company.pk, "body": "请报价", "product_id": secret.pk}
    )
    assert response.status_code == 200
    assert "You can quote only a public product" in response.content.decode()
    assert not Message.objects.exists()


def test_conversation_page_offers_both_companies_public_products(bearing, secret, supplier, buyer):
    ours = make_product(buyer.actor(), name="我方公开产品")
    make_product(buyer.actor(), name="我方私有产品", is_public=False)
    conversation = services.conversation_start(
        actor=buyer.actor(), company_id=supplier.company.pk, subject="", body="你好"
    )
    client = buyer.client()
    html = client.get(reverse("network:conversation", args=[conversation.pk])).content.decode()
    assert "深沟球轴承" in html and "我方公开产品" in html
    assert "深沟球轴承特制款" not in html and "我方私有产品" not in html
    response = client.post(
        reverse("network:message_send", args=[conversation.pk]),
        {"body": "这个呢", "product_id": ours.pk, "after": 0},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "sy-quoted-product" in response.content.decode()


# --- API ----------------------------------------------------------------------------------------
def test_api_directory_products_envelope_and_detail(bearing, supplier, buyer):
    api = buyer.api()
    body = api.get("/api/v1/directory/products", {"q": "shengou"}).json()
    assert set(body) >= {"items", "count", "next", "previous"}
    item = body["items"][0]
    assert item["name"] == "深沟球轴承" and item["company_name"] == "华东精密机械有限公司"
    assert item["category"] == "轴承" and item["unit"] == "套"
    assert "price" not in item
    detail = api.get(f"/api/v1/directory/products/{bearing.pk}").json()
    assert detail["description"] == "高速低噪音"
    assert detail["specifications"] == [{"label": "Bore", "value": "20", "unit": "mm"}]
    assert len(detail["images"]) == 1 and detail["images"][0]["caption"] == "正面"
    assert api.get(detail["images"][0]["url"]).status_code == 200
    assert "price" not in detail


def test_api_directory_products_paginates(supplier, buyer):
    for n in range(5):
        make_product(supplier.actor(), name=f"法兰{n}")
    body = buyer.api().get("/api/v1/directory/products", {"q": "法兰", "limit": 2}).json()
    assert body["count"] == 5 and len(body["items"]) == 2 and body["next"]
    assert [i["name"] for i in body["items"]] == ["法兰4", "法兰3"]


def test_api_message_create_with_a_product(bearing, secret, supplier, buyer):
    api = buyer.api()
    response = api.post(
        "/api/v1/conversations",
        {"company_id": supplier.company.pk, "body": "请报价", "product_id": bearing.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    conversation_id = response.json()["id"]
    items = api.get(f"/api/v1/conversations/{conversation_id}/messages").json()["items"]
    assert items[0]["product"]["id"] == bearing.pk
    assert items[0]["product"]["company_name"] == "华东精密机械有限公司"
    refused = api.post(
        "/api/v1/conversations",
        {"company_id": supplier.company.pk, "body": "请报价", "product_id": secret.pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "product_id" in refused.json()["errors"]
    sent = api.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "还有这个", "product_id": bearing.pk},
    )
    assert sent.status_code == 201 and sent.json()["product"]["id"] == bearing.pk
    refused = api.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "还有这个", "product_id": secret.pk},
    )
    assert refused.status_code == 422


# --- profiles list their public products ------------------------------------------------------
def test_profile_lists_up_to_twelve_public_products(supplier, buyer):
    for n in range(14):
        make_product(supplier.actor(), name=f"产品{n:02d}")
    make_product(supplier.actor(), name="私有产品", is_public=False)
    html = buyer.client().get(reverse("network:profile", args=[supplier.company.pk]))
    html = html.content.decode()
    assert html.count("sy-product-card") == 12
    assert "产品13" in html and "产品01" not in html and "私有产品" not in html
    link = reverse("network:directory") + f"?mode=products&amp;company={supplier.company.pk}"
    assert link in html


def test_profile_without_products_says_so(supplier, buyer):
    html = buyer.client().get(reverse("network:profile", args=[supplier.company.pk]))
    assert 'id="profile-public-products"' in html.content.decode()
    assert "sy-product-card" not in html.content.decode()


def test_profile_products_hidden_from_blocked_companies(bearing, supplier, buyer):
    services.profile_update(actor=supplier.actor(), data={"contact_visibility": Audience.EVERYONE})
    services.block(actor=supplier.actor(), company_id=buyer.company.pk)
    assert not selectors.company_public_products(
        actor=buyer.actor(), company_id=supplier.company.pk
    ).exists()


def test_api_directory_products_stop_counting_at_the_cap(supplier, buyer, monkeypatch):
    """A common word matches tens of thousands of products: the count stops at a cap."""
    monkeypatch.setattr(selectors, "PRODUCT_COUNT_CAP", 3)
    for n in range(5):
        make_product(supplier.actor(), name=f"螺栓{n}")
    body = buyer.api().get("/api/v1/directory/products", {"q": "螺栓", "limit": 2}).json()
    assert body["count_is_exact"] is False and body["count"] == 4
    assert len(body["items"]) == 2 and body["next"]


def test_a_product_thumbnail_is_its_first_image(supplier, buyer):
    """The list reads every image of the page's products in one plain query and shows the first
    by position — not the newest, not the one with the lowest id."""
    from shangyou.catalog.models import ProductImage

    product = make_product(supplier.actor(), name="蜗轮", sku="WORM-7")
    images = [
        catalog.product_image_add(
            actor=supplier.actor(), product=product, upload=SimpleUploadedFile(n, PNG)
        )
        for n in ("a.png", "b.png", "c.png")
    ]
    ProductImage.objects.filter(pk=images[0].pk).update(position=5)  # moved to the end
    body = buyer.api().get("/api/v1/directory/products", {"q": "WORM-7"}).json()
    assert [item["image_url"] for item in body["items"]] == [
        reverse("api:public_product_image_file", args=[images[1].pk])
    ]
