"""Platform API: profiles, directory search, business friends, visitor records, conversations."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from shangyou.core.api import Page, paginate
from shangyou.core.schema import Schema

from . import selectors, services
from .models import Audience

router = Router(tags=["network"])


class ProfileOut(Schema):
    company_id: int
    name: str
    slug: str
    member_type: str
    is_verified: bool
    tagline: str
    description: str
    main_products: str
    industries: str
    country: str
    province: str
    city: str
    year_founded: int | None
    website: str
    logo_url: str | None
    # contact details: empty unless the company's settings let the viewer see them
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    contact_visible: bool = False


class ProfileIn(Schema):
    is_public: bool | None = None
    tagline: str | None = None
    description: str | None = None
    main_products: str | None = None
    industries: str | None = None
    country: str | None = None
    province: str | None = None
    city: str | None = None
    year_founded: int | None = Field(default=None, ge=1800, le=2100)
    website: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    contact_visibility: Audience | None = None
    friend_approval: bool | None = None
    message_audience: Audience | None = None


def profile_out(profile, actor, friend_ids: set[int] | None = None) -> dict:
    company = profile.company
    visible = selectors.contact_details_visible(actor=actor, profile=profile, friend_ids=friend_ids)
    data = {
        "company_id": company.pk,
        "name": company.name,
        "slug": company.slug,
        "member_type": company.member_type,
        "is_verified": company.is_verified,
        "logo_url": profile.logo.url if profile.logo else None,
        "contact_visible": visible,
    }
    for key in (
        "tagline",
        "description",
        "main_products",
        "industries",
        "country",
        "province",
        "city",
        "year_founded",
        "website",
    ):
        data[key] = getattr(profile, key)
    if visible:
        for key in ("contact_name", "phone", "email", "address"):
            data[key] = getattr(profile, key)
    return data


class FriendshipOut(Schema):
    id: int
    company_id: int
    company_name: str
    status: str
    message: str
    incoming: bool
    updated_at: datetime


def friendship_out(friendship, actor) -> dict:
    other = friendship.other(actor.company_id)
    return {
        "id": friendship.pk,
        "company_id": other.pk,
        "company_name": other.name,
        "status": friendship.status,
        "message": friendship.message,
        "incoming": friendship.addressee_id == actor.company_id,
        "updated_at": friendship.updated_at,
    }


class FriendRequestIn(Schema):
    company_id: int
    message: str = ""


class AnswerIn(Schema):
    accept: bool


class VisitOut(Schema):
    id: int
    company_id: int | None
    company_name: str | None
    target_kind: str
    target_id: int
    product_name: str | None = None  # the product viewed (target_kind "product"), when known
    day: date
    count: int
    last_at: datetime


class ConversationOut(Schema):
    id: int
    company_id: int
    company_name: str
    subject: str
    last_message_at: datetime | None
    unread: bool


def conversation_out(conversation, actor) -> dict:
    other = conversation.other(actor.company_id)
    read_at = (
        conversation.a_read_at
        if conversation.company_a_id == actor.company_id
        else conversation.b_read_at
    )
    last = conversation.last_message_at
    return {
        "id": conversation.pk,
        "company_id": other.pk,
        "company_name": other.name,
        "subject": conversation.subject,
        "last_message_at": last,
        "unread": bool(last and (read_at is None or read_at < last)),
    }


class ConversationIn(Schema):
    company_id: int
    subject: str = ""
    body: str = Field(min_length=1)
    quoted_kind: str = ""
    quoted_id: int | None = None
    quoted_text: str = ""
    product_id: int | None = Field(
        default=None,
        description="Quote a public product of your company or of the recipient (422 otherwise).",
    )


class QuotedProductOut(Schema):
    id: int
    name: str
    sku: str
    company_id: int
    company_name: str
    public: bool  # still shown on the platform (its page and image routes answer)


class MessageOut(Schema):
    id: int
    sender_company_id: int
    sender_user_id: int | None
    body: str
    attachment_name: str
    quoted_kind: str
    quoted_id: int | None
    quoted_text: str
    product: QuotedProductOut | None = None
    created_at: datetime

    @staticmethod
    def resolve_product(obj) -> dict | None:
        product = obj.product if obj.product_id else None
        if product is None:
            return None
        return {
            "id": product.pk,
            "name": product.name,
            "sku": product.sku,
            "company_id": product.company_id,
            "company_name": product.company.name,
            "public": selectors.product_is_public(product),
        }


class PublicProductOut(Schema):
    """A public product in the directory: no price (prices depend on the customer)."""

    id: int
    sku: str
    name: str
    name_en: str
    unit: str
    min_order_quantity: Decimal
    status: str
    category: str | None
    company_id: int
    company_name: str
    company_verified: bool
    image_url: str | None
    url: str


class PublicProductSpecOut(Schema):
    label: str
    value: Any
    unit: str


class PublicProductImageOut(Schema):
    id: int
    caption: str
    url: str


class PublicProductDetailOut(PublicProductOut):
    description: str
    specifications: list[PublicProductSpecOut]
    images: list[PublicProductImageOut]


def _image_url(image_id: int) -> str:
    return reverse("api:public_product_image_file", args=[image_id])


def public_product_out(product, *, first_image=None) -> dict:
    category = product.category if product.category_id else None
    if first_image is None:
        first_image = next(iter(getattr(product, selectors.PRODUCT_THUMBNAILS, [])), None)
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "name_en": product.name_en,
        "unit": product.unit,
        "min_order_quantity": product.min_order_quantity,
        "status": product.status,
        "category": category.name if category and category.deleted_at is None else None,
        "company_id": product.company_id,
        "company_name": product.company.name,
        "company_verified": product.company.is_verified,
        "image_url": _image_url(first_image.pk) if first_image else None,
        "url": reverse("network:public_product", args=[product.pk]),
    }


class BlockIn(Schema):
    company_id: int
    blocked: bool = True


class ReportIn(Schema):
    company_id: int
    reason: str
    message_id: int | None = None


@router.get("/directory", response=Page[ProfileOut])
def directory(
    request: HttpRequest,
    q: str = "",
    member_type: str = "",
    province: str = "",
    city: str = "",
    industry: str = "",
    verified: bool | None = None,
    limit: int = 20,
    offset: int = 0,
):
    """Search member companies' public profiles (人脉搜索): name in hanzi, pinyin or initials,
    main products, industry, region and member type."""
    profiles = selectors.directory_search(
        actor=request.auth,
        q=q,
        member_type=member_type,
        province=province,
        city=city,
        industry=industry,
        verified=verified,
    )
    cap = selectors.DIRECTORY_COUNT_CAP
    page = paginate(
        request, profiles, limit=limit, offset=offset, search=True, cap=cap, walk_when_capped=True
    )
    friend_ids = selectors.friend_company_ids(actor=request.auth)  # once, not per profile
    page["items"] = [profile_out(p, request.auth, friend_ids) for p in page["items"]]
    return page


@router.get("/directory/products", response=Page[PublicProductOut])
def directory_products(
    request: HttpRequest,
    q: str = "",
    company_id: int | None = None,
    verified: bool | None = None,
    limit: int = 20,
    offset: int = 0,
):
    """Search the public products of every listed company (人脉搜索, products): name in hanzi,
    pinyin or initials, English name, SKU; newest first. No prices: they depend on the
    customer. Private products never appear, whoever they are granted to."""
    products = selectors.directory_products(
        actor=request.auth, q=q, company_id=company_id, verified=verified
    )
    cap = selectors.PRODUCT_COUNT_CAP
    page = paginate(request, products, limit=limit, offset=offset, search=True, cap=cap)
    page["items"] = [public_product_out(p) for p in page["items"]]
    return page


@router.get("/directory/products/{public_product_id}", response=PublicProductDetailOut)
def directory_product(request: HttpRequest, public_product_id: int, anonymous: bool = False):
    """A public product with its description, specifications and images; the view is recorded
    in the company's visitor records (unless `anonymous`)."""
    product = selectors.public_product_get(actor=request.auth, id=public_product_id)
    services.visit_record(
        actor=request.auth,
        target_company_id=product.company_id,
        kind="product",
        target_id=product.pk,
        anonymous=anonymous,
    )
    images = list(selectors.public_product_images(product=product))
    data = public_product_out(product, first_image=images[0] if images else None)
    data["description"] = product.description
    data["specifications"] = [
        {"label": label, "value": value, "unit": unit}
        for label, value, unit in selectors.public_product_specifications(product=product)
    ]
    data["images"] = [
        {"id": image.pk, "caption": image.caption, "url": _image_url(image.pk)} for image in images
    ]
    return data


@router.get(
    "/directory/product-images/{public_product_image_id}/file",
    url_name="public_product_image_file",
)
def public_product_image_file(request: HttpRequest, public_product_image_id: int):
    """An image of a public product (the file)."""
    image = selectors.public_product_image_get(actor=request.auth, id=public_product_image_id)
    response = FileResponse(image.file.open("rb"))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@router.get("/profiles/{company_id}", response=ProfileOut)
def profile_get(request: HttpRequest, company_id: int, anonymous: bool = False):
    """A company's public profile; the view is recorded as a visit (unless `anonymous`)."""
    profile = selectors.profile_get(actor=request.auth, company_id=company_id)
    services.visit_record(actor=request.auth, target_company_id=company_id, anonymous=anonymous)
    return profile_out(profile, request.auth)


@router.patch("/profile", response=ProfileOut)
def profile_update(request: HttpRequest, payload: ProfileIn):
    profile = services.profile_update(actor=request.auth, data=payload.dict(exclude_unset=True))
    return profile_out(profile, request.auth)


@router.post("/profile/logo", response=ProfileOut)
def profile_logo(request: HttpRequest, logo: File[UploadedFile]):
    profile = services.profile_update(actor=request.auth, data={}, logo=logo)
    return profile_out(profile, request.auth)


@router.get("/friends", response=Page[FriendshipOut])
def friend_list(request: HttpRequest, status: str = "accepted", limit: int = 50, offset: int = 0):
    """`status`: accepted (my business friends), incoming or outgoing (pending requests)."""
    source = {
        "incoming": selectors.friend_requests_incoming,
        "outgoing": selectors.friend_requests_outgoing,
    }.get(status, selectors.friend_list)
    page = paginate(request, source(actor=request.auth), limit=limit, offset=offset)
    page["items"] = [friendship_out(f, request.auth) for f in page["items"]]
    return page


@router.post("/friends", response={201: FriendshipOut})
def friend_request(request: HttpRequest, payload: FriendRequestIn):
    friendship = services.friend_request(
        actor=request.auth, company_id=payload.company_id, message=payload.message
    )
    return Status(201, friendship_out(friendship, request.auth))


@router.post("/friends/{friendship_id}/answer", response=FriendshipOut)
def friend_answer(request: HttpRequest, friendship_id: int, payload: AnswerIn):
    friendship = selectors.friendship_get(actor=request.auth, id=friendship_id)
    friendship = services.friend_answer(
        actor=request.auth, friendship=friendship, accept=payload.accept
    )
    return friendship_out(friendship, request.auth)


@router.delete("/friends/{friendship_id}", response={204: None})
def friend_remove(request: HttpRequest, friendship_id: int):
    friendship = selectors.friendship_get(actor=request.auth, id=friendship_id)
    services.friend_remove(actor=request.auth, friendship=friendship)
    return Status(204, None)


def _visit_out(visit, company, products: dict) -> dict:
    product = products.get(visit.target_id) if visit.target_kind == "product" else None
    return {
        "id": visit.pk,
        "company_id": company.pk if company else None,
        "company_name": company.name if company else None,
        "target_kind": visit.target_kind,
        "target_id": visit.target_id,
        "product_name": product.name if product else None,
        "day": visit.day,
        "count": visit.count,
        "last_at": visit.last_at,
    }


@router.get("/visitors", response=Page[VisitOut])
def visitor_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    """Who viewed our profile and products (anonymous visitors are counted, not named)."""
    page = paginate(request, selectors.visitors(actor=request.auth), limit=limit, offset=offset)
    products = selectors.visit_products(actor=request.auth, visits=page["items"], ours=True)
    page["items"] = [_visit_out(v, v.viewer_company, products) for v in page["items"]]
    return page


@router.get("/visited", response=Page[VisitOut])
def visited_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    """Whom we viewed (我看过谁)."""
    page = paginate(request, selectors.visited(actor=request.auth), limit=limit, offset=offset)
    products = selectors.visit_products(actor=request.auth, visits=page["items"], ours=False)
    page["items"] = [_visit_out(v, v.target_company, products) for v in page["items"]]
    return page


@router.post("/visitors/{visit_id}/lead", response={201: dict})
def visitor_to_lead(request: HttpRequest, visit_id: int):
    visit = selectors.visit_get(actor=request.auth, id=visit_id)
    customer = services.visitor_to_lead(actor=request.auth, visit=visit)
    return Status(201, {"customer_id": customer.pk, "name": customer.name, "stage": customer.stage})


@router.get("/conversations", response=Page[ConversationOut])
def conversation_list(request: HttpRequest, limit: int = 50, offset: int = 0):
    page = paginate(
        request, selectors.conversation_list(actor=request.auth), limit=limit, offset=offset
    )
    page["items"] = [conversation_out(c, request.auth) for c in page["items"]]
    return page


@router.get("/conversations/unread", response=dict)
def conversation_unread(request: HttpRequest):
    return {"unread": selectors.unread_count(actor=request.auth)}


@router.post("/conversations", response={201: ConversationOut})
def conversation_start(request: HttpRequest, payload: ConversationIn):
    quoted = (
        {"kind": payload.quoted_kind, "id": payload.quoted_id, "text": payload.quoted_text}
        if payload.quoted_kind
        else None
    )
    conversation = services.conversation_start(
        actor=request.auth,
        company_id=payload.company_id,
        subject=payload.subject,
        body=payload.body,
        quoted=quoted,
        product_id=payload.product_id,
    )
    return Status(201, conversation_out(conversation, request.auth))


@router.get("/conversations/{conversation_id}/messages", response=Page[MessageOut])
def message_list(
    request: HttpRequest, conversation_id: int, after: int = 0, limit: int = 100, offset: int = 0
):
    """The messages (oldest first); `after` = the last id you have, to poll for new ones."""
    conversation = selectors.conversation_get(actor=request.auth, id=conversation_id)
    services.conversation_mark_read(actor=request.auth, conversation=conversation)
    messages = conversation.messages.filter(id__gt=after).select_related("product__company")
    return paginate(request, messages, limit=limit, offset=offset)


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut})
def message_send(
    request: HttpRequest,
    conversation_id: int,
    body: Form[str] = "",
    product_id: Form[int | None] = None,
    attachment: File[UploadedFile] | None = None,
):
    """Send a message (form fields); `product_id` quotes a public product of either company."""
    conversation = selectors.conversation_get(actor=request.auth, id=conversation_id)
    return Status(
        201,
        services.message_send(
            actor=request.auth,
            conversation=conversation,
            body=body,
            attachment=attachment,
            product_id=product_id,
        ),
    )


@router.post("/blocks", response=dict)
def block(request: HttpRequest, payload: BlockIn):
    services.block(actor=request.auth, company_id=payload.company_id, blocked=payload.blocked)
    return {"blocked": payload.blocked}


@router.post("/reports", response={201: dict})
def report(request: HttpRequest, payload: ReportIn):
    item = services.report(
        actor=request.auth,
        company_id=payload.company_id,
        reason=payload.reason,
        message_id=payload.message_id,
    )
    return Status(201, {"id": item.pk})
