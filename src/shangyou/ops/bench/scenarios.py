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

from dataclasses import dataclass, field

from django.test import Client


@dataclass(frozen=True)
class Target:
    metric: str  # a key of the measured values, e.g. "p95_ms"
    max: float
    text: str
    source: str = ""

    def met(self, measured: dict) -> bool:
        value = measured.get(self.metric)
        return value is not None and value <= self.max

    def as_dict(self) -> dict:
        return {"metric": self.metric, "max": self.max, "text": self.text, "source": self.source}


@dataclass
class Request:
    client: Client
    path: str
    label: str = ""  # e.g. the query, shown in results
    expect_status: int = 200


@dataclass
class RunContext:
    """What scenarios may use; built once per `bench run` by the runner."""

    actor: object  # core.actor.Actor of the bench company's owner
    web: Client  # logged in with a session
    api: Client  # Bearer token
    customer_ids: list[int] = field(default_factory=list)  # a sample of the company's customers
    phones: list[str] = field(default_factory=list)  # phone numbers of sampled customers
    extra: dict = field(default_factory=dict)


class Scenario:
    name: str = ""
    description: str = ""
    target: Target | None = None

    def requests(self, ctx: RunContext) -> list[Request]:  # pragma: no cover - abstract
        """The requests to time, cycled through `--repeat` times."""
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
