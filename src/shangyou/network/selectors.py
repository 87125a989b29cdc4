"""Reads on the platform. The directory shows public profiles only — never a company's private
CRM. Cross-company objects are returned only to the two companies they name."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from shangyou.accounts.models import Company
from shangyou.core.actor import Actor
from shangyou.core.errors import NotFound
from shangyou.core.search import search_filter

from .models import Audience, Block, CompanyProfile, Conversation, Friendship, Visit

#: The directory's order (verified first, then by name), served by `profile_directory_order`.
DIRECTORY_ORDER = ("-company_verified", "company_name", "id")
# The directory counts at most this many matches ("more than 1,000 companies"): a common word
# matches tens of thousands of companies, and counting them would cost more than the page.
DIRECTORY_COUNT_CAP = 1000
# Columns a directory page never shows: not read for every matching profile.
PROFILE_LIST_DEFERRED = ("search_text", "search_grams")


def profile_for(company: Company) -> CompanyProfile:
    profile = CompanyProfile.objects.filter(company=company).first()
    if profile is None:
        profile = CompanyProfile(company=company)
        profile.refresh_search()
        profile.save()
    return profile


def directory_search(
    *,
    actor: Actor | None,
    q: str = "",
    member_type: str = "",
    province: str = "",
    city: str = "",
    industry: str = "",
    verified: bool | None = None,
) -> QuerySet[CompanyProfile]:
    """Public profiles by name (hanzi, pinyin, initials), products, industry, region, type;
    verified companies first, then by name.

    The order is read from the profile's own copies of the company's name and badge
    (`company_verified`, `company_name`), which the index `profile_directory_order` holds in
    that order: for a common word (机械: one company in seven) the database walks the index and
    stops after a page, for a rare one it sorts the few matches — never every company. Every
    filter of a plain search reads the profile table alone (the companies switched off and
    those blocking the viewer are small sets, excluded through their indexes), and the page's
    companies are read afterwards by id: the count and the page never join a row per match."""
    profiles = CompanyProfile.objects.filter(is_public=True).exclude(_company_inactive())
    if q:
        profiles = search_filter(profiles, q)
    if member_type:
        types = {"buyer": ["buyer", "both"], "supplier": ["supplier", "both"]}.get(
            member_type, [member_type]
        )
        profiles = profiles.filter(company__member_type__in=types)
    if province:
        profiles = profiles.filter(province=province)
    if city:
        profiles = profiles.filter(city=city)
    if industry:
        profiles = profiles.filter(industries__icontains=industry)
    if verified is not None:
        profiles = profiles.filter(company__is_verified=verified)
    if actor is not None:
        profiles = profiles.exclude(_company_blocks(actor))
    # The search columns are not shown, and dropping them halves the width of every row the
    # database sorts when it orders the matches of a word. The companies are read by id after
    # the page (a join here made the planner read pages of a common word worse).
    return (
        profiles.prefetch_related("company")
        .defer(*PROFILE_LIST_DEFERRED)
        .order_by(*DIRECTORY_ORDER)
    )


def _company_inactive() -> Exists:
    """The row's company is switched off (none, or a handful of companies): `NOT EXISTS` of it
    is an anti-join through the partial index `company_inactive`.

    The company exclusions are written as `NOT EXISTS`, not `company_id NOT IN (…)`: the
    planner gives each `NOT IN` a default selectivity of one half, so a search word's 5,231
    products were estimated at 145 and the newest-first page sorted every match (10–17 ms)
    instead of walking the primary key until it had a page (3–4 ms). An anti-join is
    estimated from the statistics of the table it reads (a few companies in 100,000)."""
    return Exists(Company.objects.filter(pk=OuterRef("company_id"), is_active=False))


def _company_blocks(actor: Actor) -> Exists:
    """The row's company has blocked the viewer (see `_company_inactive`)."""
    return Exists(
        Block.objects.filter(blocker_id=OuterRef("company_id"), blocked_id=actor.company_id)
    )


def profile_get(*, actor: Actor | None, company_id: int) -> CompanyProfile:
    profile = (
        CompanyProfile.objects.select_related("company")
        .filter(company_id=company_id, company__is_active=True)
        .first()
    )
    if profile is None:
        company = Company.objects.filter(pk=company_id, is_active=True).first()
        if company is None:
            raise NotFound()
        profile = profile_for(company)
    if not profile.is_public and (actor is None or actor.company_id != company_id):
        raise NotFound()
    return profile


def friendship_between(company_a: int, company_b: int) -> Friendship | None:
    return Friendship.objects.filter(
        Q(requester_id=company_a, addressee_id=company_b)
        | Q(requester_id=company_b, addressee_id=company_a)
    ).first()


def are_friends(company_a: int, company_b: int) -> bool:
    friendship = friendship_between(company_a, company_b)
    return bool(friendship and friendship.status == Friendship.Status.ACCEPTED)


def audience_allows(
    audience: str, *, owner_id: int, viewer_id: int | None, friend_ids: set[int] | None = None
) -> bool:
    """`friend_ids`: the viewer's business friends, when a list page has read them once."""
    if viewer_id == owner_id:
        return True
    if audience == Audience.EVERYONE:
        return viewer_id is not None
    if audience == Audience.FRIENDS:
        if viewer_id is None:
            return False
        return (
            owner_id in friend_ids if friend_ids is not None else are_friends(owner_id, viewer_id)
        )
    return False


def contact_details_visible(
    *, actor: Actor | None, profile: CompanyProfile, friend_ids: set[int] | None = None
) -> bool:
    return audience_allows(
        profile.contact_visibility,
        owner_id=profile.company_id,
        viewer_id=actor.company_id if actor else None,
        friend_ids=friend_ids,
    )


def friend_company_ids(*, actor: Actor | None) -> set[int]:
    """The ids of the actor's business friends: the directory asks on every page, so they are
    kept in the cache until a friendship of the company changes (`core.lookups`)."""
    from shangyou.core import lookups

    if actor is None:
        return set()

    def load() -> set[int]:
        pairs = (
            friend_list(actor=actor)
            .select_related(None)
            .values_list("requester_id", "addressee_id")
        )
        return {b if a == actor.company_id else a for a, b in pairs}

    return lookups.cached(actor.company_id, "friends", load)


def friend_list(*, actor: Actor) -> QuerySet[Friendship]:
    return Friendship.objects.filter(
        Q(requester_id=actor.company_id) | Q(addressee_id=actor.company_id),
        status=Friendship.Status.ACCEPTED,
    ).select_related("requester", "addressee")


def friend_requests_incoming(*, actor: Actor) -> QuerySet[Friendship]:
    return Friendship.objects.filter(
        addressee_id=actor.company_id, status=Friendship.Status.PENDING
    ).select_related("requester")


def friend_requests_outgoing(*, actor: Actor) -> QuerySet[Friendship]:
    return Friendship.objects.filter(
        requester_id=actor.company_id, status=Friendship.Status.PENDING
    ).select_related("addressee")


def friendship_get(*, actor: Actor, id: int) -> Friendship:
    friendship = (
        Friendship.objects.filter(
            Q(requester_id=actor.company_id) | Q(addressee_id=actor.company_id)
        )
        .select_related("requester", "addressee")
        .filter(pk=id)
        .first()
    )
    if friendship is None:
        raise NotFound()
    return friendship


def visitors(*, actor: Actor) -> QuerySet[Visit]:
    """Who viewed us (访客记录). Anonymous views appear without a name."""
    return Visit.objects.filter(target_company_id=actor.company_id).select_related(
        "viewer_company", "viewer_user"
    )


def visited(*, actor: Actor) -> QuerySet[Visit]:
    """Whom we viewed (我看过谁)."""
    return Visit.objects.filter(viewer_company_id=actor.company_id).select_related("target_company")


def visit_get(*, actor: Actor, id: int) -> Visit:
    visit = visitors(actor=actor).filter(pk=id).first()
    if visit is None:
        raise NotFound()
    return visit


def conversation_list(*, actor: Actor) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        Q(company_a_id=actor.company_id) | Q(company_b_id=actor.company_id)
    ).select_related("company_a", "company_b")


def conversation_get(*, actor: Actor, id: int) -> Conversation:
    conversation = conversation_list(actor=actor).filter(pk=id).first()
    if conversation is None:
        raise NotFound()
    return conversation


def unread_count(*, actor: Actor) -> int:
    from django.db.models import F

    mine_a = Q(company_a_id=actor.company_id) & (
        Q(a_read_at__isnull=True) | Q(a_read_at__lt=F("last_message_at"))
    )
    mine_b = Q(company_b_id=actor.company_id) & (
        Q(b_read_at__isnull=True) | Q(b_read_at__lt=F("last_message_at"))
    )
    return (
        Conversation.objects.filter(last_message_at__isnull=False).filter(mine_a | mine_b).count()
    )


# --- for the web pages ----------------------------------------------------------------------------
#: `core.lookups` key for the platform's own lists (no company has id 0).
PLATFORM_LOOKUPS = 0


def directory_regions() -> dict[str, list[str]]:
    """Provinces of the public profiles, each with its cities — for the directory's filters.
    The same for every viewer, and reading it takes a pass over every profile (130 ms at
    100,000 companies): kept in the cache until a profile or a company changes."""
    from shangyou.core import lookups

    def load() -> dict[str, list[str]]:
        rows = (
            CompanyProfile.objects.filter(is_public=True, company__is_active=True)
            .exclude(province="")
            .values_list("province", "city")
            .distinct()
            .order_by("province", "city")
        )
        regions: dict[str, list[str]] = {}
        for province, city in rows:
            cities = regions.setdefault(province, [])
            if city and city not in cities:
                cities.append(city)
        return regions

    return lookups.cached(PLATFORM_LOOKUPS, "directory-regions", load)


def crm_records_for(*, actor: Actor, company_ids) -> dict:
    """Our CRM's records (customers/suppliers) that stand for these platform companies, by
    company id — only those the actor may see under their record rules."""
    from shangyou.contacts.models import Customer
    from shangyou.core.selectors import scope_records

    ids = {i for i in company_ids if i}
    if not ids:
        return {}
    records = scope_records(
        Customer.objects.filter(platform_company_id__in=ids), actor=actor
    ).order_by("id")
    result: dict = {}
    for record in records:
        result.setdefault(record.platform_company_id, record)
    return result


def blocked_by_us(*, actor: Actor, company_id: int) -> bool:
    return Block.objects.filter(blocker_id=actor.company_id, blocked_id=company_id).exists()


def conversation_with(*, actor: Actor, company_id: int) -> Conversation | None:
    """The latest conversation between us and that company, if any."""
    return (
        conversation_list(actor=actor)
        .filter(Q(company_a_id=company_id) | Q(company_b_id=company_id))
        .first()
    )


def conversation_inbox(*, actor: Actor) -> QuerySet[Conversation]:
    """Our conversations, newest first, each with its last message's text as `last_body`."""
    from django.db.models import OuterRef, Subquery

    from .models import Message

    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    return conversation_list(actor=actor).annotate(last_body=Subquery(last.values("body")[:1]))


def message_list(*, actor: Actor, conversation: Conversation, after: int = 0, limit: int = 200):
    """The conversation's messages after id `after`, oldest first (at most the last `limit`)."""
    if actor.company_id not in (conversation.company_a_id, conversation.company_b_id):
        raise NotFound()
    newest = (
        conversation.messages.filter(id__gt=after)
        .select_related("sender_user", "product__company")
        .order_by("-created_at", "-id")[:limit]
    )
    items = list(reversed(newest))
    for message in items:
        message.product_public = product_is_public(message.product)
    return items


def message_get(*, actor: Actor, id: int):
    """A message of one of our conversations (to download its attachment)."""
    from .models import Message

    message = (
        Message.objects.filter(pk=id)
        .filter(
            Q(conversation__company_a_id=actor.company_id)
            | Q(conversation__company_b_id=actor.company_id)
        )
        .first()
    )
    if message is None:
        raise NotFound()
    return message


def staff_company_list(*, user, q: str = "", verified: bool | None = None) -> QuerySet[Company]:
    """Every member company, for platform staff deciding on the verified badge. Anyone else
    gets NotFound: the page does not exist for them."""
    if not (user and user.is_staff):
        raise NotFound()
    companies = Company.objects.filter(is_active=True).select_related("profile")
    if q:
        companies = companies.filter(Q(name__icontains=q) | Q(slug__icontains=q.lower()))
    if verified is not None:
        companies = companies.filter(is_verified=verified)
    return companies.order_by("is_verified", "name", "pk")


def staff_company_get(*, user, company_id: int) -> Company:
    company = staff_company_list(user=user).filter(pk=company_id).first()
    if company is None:
        raise NotFound()
    return company


# --- public products on the platform (M4, M5) --------------------------------------------------
PRODUCT_THUMBNAILS = "first_images"
# The products mode counts at most this many matches ("more than 1,000 products"): a common
# word matches tens of thousands of products and counting them all would cost more than the page.
PRODUCT_COUNT_CAP = 1000
# Columns a product list never shows: not read for every row of a page.
LIST_DEFERRED = ("search_text", "search_grams", "description", "specifications")


def _products_base(*, actor: Actor | None):
    """Public, not discontinued, not trashed products of active companies that have not blocked
    the viewer. Never a private product, whatever it was granted to: grants are for the
    company's own customers (portal), not for the platform."""
    from shangyou.catalog.selectors import public_products

    products = public_products().exclude(_company_inactive())
    if actor is not None:
        products = products.exclude(_company_blocks(actor))
    return products


def _with_thumbnail(products):
    """The products' images as `first_images`, in their order (the first is the thumbnail): one
    query per page, of the three columns a thumbnail needs. Not a sliced prefetch (`[:1]`):
    Django writes that as a window function over two nested subqueries, whose compilation alone
    took 1.6 ms of a directory request more than this plain `product_id IN (…)` — and a product
    has a few images."""
    from django.db.models import Prefetch

    from shangyou.catalog.models import ProductImage

    images = ProductImage.objects.only("id", "product_id", "caption").order_by("position", "id")
    return products.prefetch_related(
        Prefetch("images", queryset=images, to_attr=PRODUCT_THUMBNAILS)
    )


def _profile_hidden() -> Exists:
    """The row's company does not list its profile: through the partial index `profile_hidden`
    (see `_company_inactive`)."""
    return Exists(CompanyProfile.objects.filter(company_id=OuterRef("company_id"), is_public=False))


def directory_products(
    *,
    actor: Actor | None,
    q: str = "",
    company_id: int | None = None,
    verified: bool | None = None,
):
    """Public products of the companies listed in the directory (人脉搜索, products mode): by
    name in hanzi, pinyin or initials, English name, SKU or barcode — through the product search
    index (`core.search.search_filter`).

    Newest first (`-id`): the primary key's index gives that order, so the database walks it and
    stops after a page instead of sorting every match (ordering by a company's name or badge
    would sort them all — see the directory's benchmark notes). A company without a profile row
    has the default profile, which is public."""
    from shangyou.core.search import search_filter

    products = _products_base(actor=actor).exclude(_profile_hidden())
    if q:
        products = search_filter(products, q)
    if company_id:
        products = products.filter(company_id=company_id)
    if verified is not None:
        products = products.filter(company__is_verified=verified)
    # The page's companies and categories by id, after the page: joined in the query, they would
    # be read for every match before the sort whenever the database takes the search index
    # (a pinyin word matching thousands of products).
    products = (
        products.select_related(None).prefetch_related("company", "category").defer(*LIST_DEFERRED)
    )
    return _with_thumbnail(products).order_by("-id")


def _visible_company(actor: Actor | None, company_id: int) -> bool:
    """The company's profile may be seen by the actor (public, or the actor's own)."""
    if actor is not None and actor.company_id == company_id:
        return True
    return not CompanyProfile.objects.filter(company_id=company_id, is_public=False).exists()


def public_product_get(*, actor: Actor | None, id: int):
    """A public product, for the public product page: NotFound for a private, discontinued or
    trashed product and for one of a company whose profile is not listed (or that blocks us)."""
    product = (
        _products_base(actor=actor).select_related("company", "category").filter(pk=id).first()
    )
    if product is None or not _visible_company(actor, product.company_id):
        raise NotFound()
    return product


def public_product_images(*, product):
    from shangyou.catalog.selectors import public_product_images as images

    return images(product=product)


def public_product_image_get(*, actor: Actor | None, id: int):
    """An image of a public product, under the same rules as the product page."""
    from shangyou.catalog.selectors import public_product_image_get as image_get

    image = image_get(id=id)
    public_product_get(actor=actor, id=image.product_id)  # company rules; NotFound otherwise
    return image


def public_product_specifications(*, product) -> list[tuple[str, object, str]]:
    from shangyou.catalog.selectors import product_specification_rows

    return product_specification_rows(product=product)


def company_public_products(*, actor: Actor | None, company_id: int):
    """A company's public products for its profile page (the caller has checked the profile)."""
    products = _products_base(actor=actor).filter(company_id=company_id)
    products = products.select_related("category").defer(*LIST_DEFERRED)
    return _with_thumbnail(products).order_by("-id")


def quotable_products(*, actor: Actor, company_ids):
    """Public products of the given companies (the two sides of a conversation), by company and
    name: what a message may quote."""
    from shangyou.catalog.selectors import public_products

    return (
        public_products()
        .filter(company_id__in=list(company_ids))
        .select_related("company")
        .order_by("company_id", "name", "id")
    )


def quotable_product_get(*, actor: Actor, company_ids, id: int | None):
    """The product a message may quote, or None: public and of one of the two companies."""
    if not id:
        return None
    return quotable_products(actor=actor, company_ids=company_ids).filter(pk=id).first()


def product_is_public(product) -> bool:
    """From the row alone (no query): a quoted product still has a public page."""
    from shangyou.catalog.models import Product

    return bool(
        product is not None
        and product.is_public
        and product.deleted_at is None
        and product.status != Product.Status.DISCONTINUED
    )


def visit_products(*, actor: Actor, visits, ours: bool) -> dict:
    """The products named by product visits, by id (one query): ours — every product of our
    company, for "who viewed us"; theirs — only those still public, for "who we viewed"."""
    from shangyou.catalog.models import Product

    ids = {v.target_id for v in visits if v.target_kind == "product" and v.target_id}
    if not ids:
        return {}
    if ours:
        products = Product.all_objects.filter(company_id=actor.company_id, pk__in=ids)
    else:
        products = _products_base(actor=actor).filter(pk__in=ids).select_related(None)
    return {p.pk: p for p in products.only("id", "name", "sku", "company_id")}
