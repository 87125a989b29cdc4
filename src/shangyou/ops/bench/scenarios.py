"""Benchmark scenarios: one real request (page or API call) each, with its target.

A scenario names its target and builds the requests it times from a `RunContext` (the bench
company's owner, logged-in and API clients, sample ids). Later modules add theirs with
`@scenario`:

    @scenario
    class OrderList(Scenario):
        name = "order_list_page1"
        target = Target("p95_ms", 30, "p95 <= 30 ms")
        def requests(self, ctx):
            return [Request(ctx.web, "/orders/")]
"""

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.test import Client


@dataclass(frozen=True)
class Target:
    metric: str  # a key of the measured values, e.g. "p95_ms"
    max: float
    text: str
    source: str = ""
    higher_is_better: bool = False  # then `max` is the least acceptable value

    def met(self, measured: dict) -> bool:
        value = measured.get(self.metric)
        if value is None:
            return False
        return value >= self.max if self.higher_is_better else value <= self.max

    def as_dict(self) -> dict:
        key = "min" if self.higher_is_better else "max"
        return {"metric": self.metric, key: self.max, "text": self.text, "source": self.source}


@dataclass
class Request:
    client: Client | None
    path: str
    label: str = ""  # e.g. the query, shown in results
    expect_status: int = 200
    method: str = "get"
    data: dict | None = None  # a JSON body (PATCH/POST)
    call: Callable[[], object] | None = None  # time this function instead of an HTTP request


@dataclass
class RunContext:
    """What scenarios may use; built once per `bench run` by the runner."""

    actor: object  # core.actor.Actor of the bench company's owner
    web: Client  # logged in with a session
    api: Client  # Bearer token
    customer_ids: list[int] = field(default_factory=list)  # a sample of the company's customers
    phones: list[str] = field(default_factory=list)  # phone numbers of sampled customers
    directory_ids: list[int] = field(default_factory=list)  # public member companies, sampled
    extra: dict = field(default_factory=dict)


class Scenario:
    name: str = ""
    description: str = ""
    target: Target | None = None

    #: A batch scenario times one big operation with `measure_batch` instead of requests.
    batch = False

    def requests(self, ctx: RunContext) -> list[Request]:  # pragma: no cover - abstract
        """The requests to time, cycled through `--repeat` times."""
        raise NotImplementedError

    def warmup_requests(self, ctx: RunContext) -> list[Request]:
        """The untimed requests sent first (default: the timed ones)."""
        return self.requests(ctx)

    def skip_reason(self, ctx: RunContext) -> str | None:
        """Why this scenario cannot run here (e.g. its endpoint has not landed); None: it can."""
        return None

    def patched(self, ctx: RunContext):
        """A context manager around the timed requests (e.g. to switch a side effect off)."""
        return nullcontext()

    def measure_batch(self, ctx: RunContext, *, log) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def result_rows(self, ctx: RunContext, request: Request, response) -> int | None:
        """How many rows the request found (for the data-size record), if known."""
        return None


SCENARIOS: dict[str, Scenario] = {}


def scenario(cls: type[Scenario]) -> type[Scenario]:
    SCENARIOS[cls.name] = cls()
    return cls


LIST_TARGET = Target("p95_ms", 30, "p95 <= 30 ms", "issue: customer list at 1M customers")
SEARCH_TARGET = Target("p95_ms", 20, "p95 <= 20 ms", "issue: search at 1M customers")
DETAIL_TARGET = Target("p95_ms", 50, "p95 <= 50 ms", "issue: customer 360 page")


@scenario
class CustomerListPage1(Scenario):
    name = "customer_list_page1"
    description = "GET /customers/ — first page, default sort (recently updated), as the owner"
    target = LIST_TARGET

    def requests(self, ctx):
        return [Request(ctx.web, "/customers/")]


@scenario
class CustomerListPage500(Scenario):
    name = "customer_list_page500"
    description = "GET /customers/?page=500 — deep page, default sort, as the owner"
    target = LIST_TARGET

    def requests(self, ctx):
        return [Request(ctx.web, "/customers/?page=500")]


@scenario
class CustomerListFilterSort(Scenario):
    name = "customer_list_filter_sort"
    description = (
        "GET /customers/?… — the list filtered and sorted by each column, page 1 and page 500 "
        "(last contacted, created, name; by stage, kind, region, blacklist; filtered page 500)"
    )
    target = LIST_TARGET
    paths = (
        "/customers/?sort=-last_contacted",
        "/customers/?sort=created&page=500",
        "/customers/?sort=name&page=500",
        "/customers/?stage=customer&sort=-last_contacted",
        "/customers/?kind=person&sort=-created",
        "/customers/?province=%E5%B9%BF%E4%B8%9C&sort=name",
        "/customers/?blacklisted=1&sort=-updated",
        "/customers/?stage=customer&page=500",
        "/customers/?kind=person&sort=-created&page=500",
        "/customers/?province=%E5%B9%BF%E4%B8%9C&sort=name&page=500",
    )

    def requests(self, ctx):
        return [Request(ctx.web, path, label=path) for path in self.paths]


class ApiSearch(Scenario):
    queries: tuple[str, ...] = ()

    def terms(self, ctx) -> list[str]:
        return list(self.queries)

    def requests(self, ctx):
        from urllib.parse import quote

        return [
            Request(ctx.api, f"/api/v1/customers?q={quote(q)}", label=q) for q in self.terms(ctx)
        ]

    def result_rows(self, ctx, request, response):
        try:
            return response.json().get("count")
        except ValueError:
            return None


@scenario
class SearchCjk2(ApiSearch):
    name = "customer_search_cjk2"
    description = "GET /api/v1/customers?q=张伟 — 2-character Chinese names (common ones)"
    target = SEARCH_TARGET
    queries = ("张伟", "王芳", "李娜", "刘洋", "陈静")


@scenario
class SearchPinyin(ApiSearch):
    name = "customer_search_pinyin"
    description = "GET /api/v1/customers?q=zhangwei — full pinyin of common names"
    target = SEARCH_TARGET
    queries = ("zhangwei", "wangfang", "lina", "liuyang", "chenjing")


@scenario
class SearchInitials(ApiSearch):
    name = "customer_search_initials"
    description = "GET /api/v1/customers?q=zw — pinyin initials (2 letters)"
    target = SEARCH_TARGET
    queries = ("zw", "wf", "ln", "ly", "cj")


@scenario
class SearchPhone(ApiSearch):
    name = "customer_search_phone"
    description = "GET /api/v1/customers?q=1380013 — the first 7 digits of existing mobiles"
    target = SEARCH_TARGET

    def terms(self, ctx):
        return [p[:7] for p in ctx.phones[:5]] or ["1380013"]


@scenario
class CustomerDetail(Scenario):
    name = "customer_detail"
    description = "GET /customers/<id>/ — the customer page (360 view), sampled customers"
    target = DETAIL_TARGET

    def requests(self, ctx):
        return [Request(ctx.web, f"/customers/{pk}/", label=str(pk)) for pk in ctx.customer_ids]


# --- the API list, the 360 page, the timeline ---------------------------------------------------
class ApiList(Scenario):
    """One API list page (`path`), answered with the list envelope's bounded count."""

    path = ""
    target = LIST_TARGET

    def requests(self, ctx):
        return [Request(ctx.api, self.path)]

    def result_rows(self, ctx, request, response):
        return response.json().get("count")


@scenario
class CustomerApiListPage1(ApiList):
    name = "customer_api_list_page1"
    description = "GET /api/v1/customers?limit=25 — first page through the API (bounded count)"
    path = "/api/v1/customers?limit=25"


@scenario
class CustomerApiListOffset(ApiList):
    name = "customer_api_list_offset"
    description = "GET /api/v1/customers?offset=12475&limit=25 — the API's page 500"
    path = "/api/v1/customers?offset=12475&limit=25"


@scenario
class ContactApiList(ApiList):
    name = "contact_api_list"
    description = "GET /api/v1/contacts?limit=25 — the company's contacts, primary first, by name"
    path = "/api/v1/contacts?limit=25"


@scenario
class TaskApiList(ApiList):
    name = "task_api_list"
    description = "GET /api/v1/tasks?limit=25 — the company's tasks by due date"
    path = "/api/v1/tasks?limit=25"


@scenario
class Customer360(Scenario):
    name = "customer_360"
    description = (
        "GET /customers/<id>/ — the 360 page of customers with 3 contacts, ~10 timeline "
        "entries and tasks (50 sampled customers)"
    )
    target = DETAIL_TARGET

    def requests(self, ctx):
        return [Request(ctx.web, f"/customers/{pk}/", label=str(pk)) for pk in ctx.customer_ids]


@scenario
class CustomerTimelineApi(Scenario):
    name = "customer_timeline_api"
    description = "GET /api/v1/customers/<id>/timeline — a customer's timeline (first 50 entries)"
    target = Target("p95_ms", 30, "p95 <= 30 ms", "bench: API reads like the list")

    def requests(self, ctx):
        return [
            Request(ctx.api, f"/api/v1/customers/{pk}/timeline", label=str(pk))
            for pk in ctx.customer_ids
        ]

    def result_rows(self, ctx, request, response):
        return response.json().get("count")


# --- the platform: directory, profile views, visits ---------------------------------------------
DIRECTORY_TARGET = Target("p95_ms", 30, "p95 <= 30 ms", "issue: directory over 100,000 profiles")
VISIT_TARGET = Target("p50_ms", 2, "adds <= 2 ms", "issue: recording a visit adds <= 2 ms")


class DirectorySearch(ApiSearch):
    def requests(self, ctx):
        from urllib.parse import quote

        return [
            Request(ctx.api, f"/api/v1/directory?q={quote(q)}", label=q) for q in self.terms(ctx)
        ]


@scenario
class DirectorySearchCjk2(DirectorySearch):
    name = "directory_search_cjk2"
    description = "GET /api/v1/directory?q=恒通 — 2-character Chinese (brand, industry, city)"
    target = DIRECTORY_TARGET
    queries = ("恒通", "宏达", "机械", "深圳", "鑫盛")


@scenario
class DirectorySearchPinyin(DirectorySearch):
    name = "directory_search_pinyin"
    description = "GET /api/v1/directory?q=hengtong — full pinyin of a brand"
    target = DIRECTORY_TARGET
    queries = ("hengtong", "hongda", "jinrui", "xinsheng", "tianyuan")


@scenario
class DirectorySearchProduct(DirectorySearch):
    name = "directory_search_product"
    description = "GET /api/v1/directory?q=轴承 — a main-product keyword"
    target = DIRECTORY_TARGET
    queries = ("轴承", "连接器", "LED", "不锈钢阀门", "光伏组件")


DIRECTORY_PRODUCTS_TARGET = Target(
    "p95_ms",
    30,
    "p95 <= 30 ms",
    "issue 4: directory over 100,000 companies and 1,000,000 public products",
)


def directory_sku_prefixes(n: int = 3) -> list[str]:
    """SKU prefixes that occur ("SGQZ-62" of SGQZ-6205-2RS): of public products of directory
    companies spread over the id range, so they hold for any seed and scale."""
    from shangyou.catalog.models import Product

    products = Product.objects.filter(is_public=True, company__slug__contains="-d")
    ids = products.values_list("id", flat=True)
    first, last = ids.order_by("id").first(), ids.order_by("-id").first()
    if first is None:
        return []
    prefixes: list[str] = []
    for k in range(n):
        at = first + (last - first) * (2 * k + 1) // (2 * n)
        sku = products.filter(id__gte=at).order_by("id").values_list("sku", flat=True).first()
        head, _dash, rest = (sku or "").partition("-")
        prefix = f"{head}-{rest[:2]}" if rest else head[:4]
        if prefix and prefix not in prefixes:
            prefixes.append(prefix)
    return prefixes


@scenario
class DirectoryProductsSearch(DirectorySearch):
    name = "directory_products_search"
    description = (
        "GET /api/v1/directory/products?q=轴承 — public products of every listed company by "
        "2-character Chinese, pinyin and SKU prefix"
    )
    target = DIRECTORY_PRODUCTS_TARGET
    queries = ("轴承", "球阀", "面料", "zhoucheng", "qiufa", "guangfu")

    def terms(self, ctx):
        return [*self.queries, *directory_sku_prefixes()]

    def requests(self, ctx):
        from urllib.parse import quote

        return [
            Request(ctx.api, f"/api/v1/directory/products?q={quote(q)}", label=q)
            for q in self.terms(ctx)
        ]


def _visit_call(ctx: RunContext, company_id: int):
    from shangyou.network.services import visit_record

    return lambda: visit_record(actor=ctx.actor, target_company_id=company_id)


class _VisitScenario(Scenario):
    """Timed views go to companies this client has not viewed today (a new `Visit` row: the
    costlier path); the warm-up uses others."""

    def _targets(self, ctx) -> tuple[list[int], list[int]]:
        ids = ctx.directory_ids
        half = len(ids) // 2
        return ids[:5], ids[half:] if half else ids

    def warmup_requests(self, ctx):
        return [self._request(ctx, pk) for pk in self._targets(ctx)[0]]

    def requests(self, ctx):
        return [self._request(ctx, pk) for pk in self._targets(ctx)[1]]

    def _request(self, ctx, pk) -> Request:  # pragma: no cover - abstract
        raise NotImplementedError


@scenario
class VisitRecord(_VisitScenario):
    name = "visit_record"
    description = "network.services.visit_record alone (first view of a company today)"
    target = VISIT_TARGET

    def _request(self, ctx, pk):
        return Request(None, f"visit_record(target={pk})", label=str(pk), call=_visit_call(ctx, pk))


@scenario
class ProfileView(_VisitScenario):
    name = "profile_view"
    description = "GET /api/v1/profiles/<id> — a member's profile, recording the visit"
    target = Target("p95_ms", 30, "p95 <= 30 ms", "bench: API reads like the list")

    def _request(self, ctx, pk):
        return Request(ctx.api, f"/api/v1/profiles/{pk}", label=str(pk))


@scenario
class ProfileViewNoVisit(ProfileView):
    name = "profile_view_no_visit"
    description = "GET /api/v1/profiles/<id> with visit_record switched off (the difference is "
    "what recording costs)"

    def _targets(self, ctx):
        ids = ctx.directory_ids
        return ids[:5], ids[: len(ids) // 2] or ids

    def patched(self, ctx):
        from unittest import mock

        return mock.patch("shangyou.network.services.visit_record", lambda **kwargs: None)


# Batch scenarios (one big timed operation) register themselves here.
from . import importbench, ordersbench  # noqa: E402, F401
