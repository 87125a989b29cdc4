"""`shangyou bench generate`: realistic data at scale, deterministic for a seed.

The data is made by a registry of per-table generators run in order (`GENERATORS`); each later
module registers its own (contacts, timeline entries, orders …) with `@register` and reads what
earlier ones made from the shared `GenerateContext` (companies, their salespeople and teams).

Big tables are made in fixed-size chunks, each from its own `random.Random(f"{seed}:{table}:
{company}:{chunk}")`, so the output does not depend on how many worker processes made it. The
chunks are built (names, phones, `search_fields()` — the costly part) and encoded in worker
processes and streamed to the database by the parent: COPY on PostgreSQL, executemany in large
transactions on SQLite (see `loader`).
"""

import json
import math
import multiprocessing
import random
import time
from bisect import bisect_right
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, models, transaction

from shangyou.accounts.models import Company, Membership, Team, User
from shangyou.contacts.models import Customer
from shangyou.core.actor import Role
from shangyou.core.search import pinyin_forms

from . import loader, names

#: Generated timestamps lie before this instant, so a seed gives the same rows on any day.
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY = timedelta(days=3 * 365)
BENCH_PASSWORD = "shangyou-bench-2026"  # noqa: S105 - published benchmark login
#: Rows per chunk. Part of the determinism contract: changing it changes the data for a seed.
CHUNK_ROWS = 10_000
#: Share of all customers held by the first ("big") company; the rest is split evenly.
BIG_COMPANY_SHARE = 0.7
DROP_INDEXES_FROM = 200_000


def slug_prefix(seed: int) -> str:
    return f"bench-{seed}-"


@dataclass(frozen=True)
class Options:
    scale: int
    seed: int = 1
    companies: int = 5
    workers: int = 2
    drop_indexes: str = "auto"  # auto | yes | no
    #: Only these generators (e.g. ("contacts", "timeline")); for the customers of this seed
    #: already in the database. None: everything, into a database without this seed's data.
    tables: tuple[str, ...] | None = None
    #: Extra member companies with public profiles, for the directory scenario.
    directory_companies: int = 0
    #: Sales orders (with ~4 lines each, categories and products) over the companies' customers.
    orders: int = 0


@dataclass
class CompanyPlan:
    index: int
    slug: str
    name: str
    customers: int
    company_id: int | None = None
    owner_user_id: int | None = None
    # (user id, team id or None, weight): who customer records are spread over.
    owners: list[tuple[int, int | None, float]] = field(default_factory=list)


@dataclass
class TableResult:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "rows": self.rows,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows_per_second),
        }


@dataclass
class GenerateContext:
    options: Options
    vendor: str
    log: Callable[[str], None]
    companies: list[CompanyPlan] = field(default_factory=list)
    results: list[TableResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # generators' shared state (customer arrays …)

    def rng(self, *key) -> random.Random:
        return random.Random(":".join(str(k) for k in (self.options.seed, *key)))


class TableGenerator:
    """One table (or a small group of tables made together). Subclasses set `name` and
    implement `run`; chunked bulk tables derive from `ChunkedTable` instead."""

    name: str = ""

    def run(self, ctx: GenerateContext) -> TableResult:  # pragma: no cover - abstract
        raise NotImplementedError


GENERATORS: dict[str, TableGenerator] = {}


def register(cls: type[TableGenerator]) -> type[TableGenerator]:
    """Add a generator; generators run in registration order."""
    GENERATORS[cls.name] = cls()
    return cls


# --- progress -------------------------------------------------------------------------------
class Progress:
    def __init__(self, label: str, total: int, log: Callable[[str], None], every: float = 2.0):
        self.label, self.total, self.log, self.every = label, total, log, every
        self.done = 0
        self.started = self.last = time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            pct = 100 * self.done / self.total if self.total else 100
            self.log(
                f"  {self.label}: {self.done:,}/{self.total:,} ({pct:.0f}%) · {rate:,.0f} rows/s"
            )


# --- tenants: companies, teams, users, memberships ---------------------------------------------
def split_customers(scale: int, companies: int) -> list[int]:
    if companies == 1:
        return [scale]
    big = round(scale * BIG_COMPANY_SHARE)
    rest, extra = divmod(scale - big, companies - 1)
    return [big] + [rest + (1 if i < extra else 0) for i in range(companies - 1)]


def staff_size(customers: int) -> tuple[int, int]:
    """(salespeople, teams) for a company with this many customers."""
    sales = min(40, max(2, customers // 2500))
    return sales, min(8, max(1, math.ceil(sales / 6)))


@register
class TenantsGenerator(TableGenerator):
    name = "tenants"

    def run(self, ctx: GenerateContext) -> TableResult:
        started = time.perf_counter()
        opts = ctx.options
        if opts.tables is not None and "tenants" not in opts.tables:
            load_existing_tenants(ctx)
            return TableResult("tenants (existing)", 0, time.perf_counter() - started)
        if Company.objects.filter(slug__startswith=slug_prefix(opts.seed)).exists():
            raise RuntimeError(
                f"Data for seed {opts.seed} is already in this database; generate into a fresh "
                "database or use another --seed."
            )
        password = make_password(BENCH_PASSWORD)
        rows = 0
        with transaction.atomic():
            for index, count in enumerate(split_customers(opts.scale, opts.companies)):
                rng = ctx.rng("tenants", index)
                cname = names.chinese_company(rng)[0]
                plan = CompanyPlan(
                    index=index, slug=f"{slug_prefix(opts.seed)}{index + 1}", name=cname,
                    customers=count,
                )  # fmt: skip
                company = Company.objects.create(name=plan.name, slug=plan.slug)
                plan.company_id = company.pk
                n_sales, n_teams = staff_size(count)
                teams = Team.objects.bulk_create(
                    [Team(company=company, name=f"销售{i + 1}组") for i in range(n_teams)]
                )
                people: list[tuple[str, str, Team | None]] = [
                    (Role.OWNER, "owner", None),
                    (Role.ADMIN, "admin", None),
                ]
                people += [(Role.MANAGER, f"manager{i + 1}", t) for i, t in enumerate(teams)]
                people += [
                    (Role.SALES, f"sales{i + 1}", teams[i % n_teams]) for i in range(n_sales)
                ]
                people += [(Role.SERVICE, "service", teams[0]), (Role.READONLY, "readonly", None)]
                users = User.objects.bulk_create(
                    [
                        User(
                            email=f"{key}@{plan.slug}.bench.example",
                            full_name=names.chinese_person(rng),
                            password=password,
                            last_company=company,
                        )
                        for _role, key, _team in people
                    ]
                )
                Membership.objects.bulk_create(
                    [
                        Membership(company=company, user=user, role=role, team=team)
                        for user, (role, _key, team) in zip(users, people, strict=True)
                    ]
                )
                rows += 1 + len(teams) + 2 * len(users)
                plan.owner_user_id = users[0].pk
                # Salespeople own most records, unevenly (top sellers own more); managers some.
                for rank, (user, (role, _key, team)) in enumerate(zip(users, people, strict=True)):
                    if role == Role.SALES:
                        plan.owners.append((user.pk, team.pk, 1.0 / (1 + rank * 0.15)))
                    elif role == Role.MANAGER:
                        plan.owners.append((user.pk, team.pk, 0.3))
                ctx.companies.append(plan)
                ctx.log(
                    f"  company {plan.slug} {plan.name}: {len(users)} users, {n_teams} teams, "
                    f"{count:,} customers planned"
                )
        return TableResult("tenants", rows, time.perf_counter() - started)


def load_existing_tenants(ctx: GenerateContext) -> None:
    """The plans of the companies made earlier for this seed (to add tables to them)."""
    prefix = slug_prefix(ctx.options.seed)
    tenants = [
        c
        for c in Company.objects.filter(slug__startswith=prefix).order_by("pk")
        if c.slug[len(prefix) :].isdigit()
    ]
    if not tenants:
        raise RuntimeError(
            f"No generated companies for seed {ctx.options.seed} here: run `shangyou bench "
            "generate --scale N` without --tables first."
        )
    for company in tenants:
        index = int(company.slug[len(prefix) :]) - 1
        plan = CompanyPlan(
            index=index,
            slug=company.slug,
            name=company.name,
            customers=Customer.objects.filter(company=company).count(),
            company_id=company.pk,
        )
        memberships = Membership.objects.filter(company=company).order_by("user_id")
        for rank, m in enumerate(memberships):
            if m.role == Role.OWNER:
                plan.owner_user_id = m.user_id
            elif m.role == Role.SALES:
                plan.owners.append((m.user_id, m.team_id, 1.0 / (1 + rank * 0.15)))
            elif m.role == Role.MANAGER:
                plan.owners.append((m.user_id, m.team_id, 0.3))
        ctx.companies.append(plan)
        ctx.log(f"  company {plan.slug} {plan.name}: {plan.customers:,} customers (existing)")


class RowTemplate:
    """A model's bulk row: every concrete non-pk column, in order, with the model's defaults;
    `row(data, **more)` fills some and returns the tuple the loader writes."""

    def __init__(self, model) -> None:
        self.fields = model_columns(model)
        self.columns = [f.attname for f in self.fields]
        self.convs = dict(zip(self.columns, converters(self.fields), strict=True))
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        for key, conv in self.convs.items():
            if conv and self.defaults[key] is not None:
                self.defaults[key] = conv(self.defaults[key])
        self._checked = False

    def row(self, data: dict | None, **more) -> tuple:
        values = dict(self.defaults)
        given = dict(more)
        if data:
            given = {**{k: v for k, v in data.items() if k in values}, **more}
        values.update(given)
        if not self._checked:  # a misspelt column would shift every value after it
            unknown = set(values) - set(self.defaults)
            if unknown:
                raise KeyError(f"not columns: {sorted(unknown)}")
            self._checked = True
        for key, value in given.items():
            conv = self.convs.get(key)
            if conv:
                values[key] = conv(value)
        return tuple(values.values())


# --- chunked bulk tables --------------------------------------------------------------------
@dataclass(frozen=True)
class Chunk:
    seed: int
    table: str
    company_index: int
    chunk_index: int
    rows: int
    params: tuple  # table-specific, picklable


def _make_and_encode(args: tuple) -> tuple[int, object]:
    rows_fn, chunk, encoder = args
    rows = rows_fn(chunk)
    return len(rows), encoder(rows)


class ChunkedTable(TableGenerator):
    """A big table: `chunks()` plans it, the module-level `rows_fn(chunk)` makes one chunk's
    rows (in a worker process), the loader writes them."""

    model = None
    rows_fn: Callable[[Chunk], list[tuple]]
    #: Rows carry their primary key (first column); the id sequence is moved past them.
    with_pk = False

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, ctx: GenerateContext) -> TableResult:
        table = self.model._meta.db_table
        fields = model_columns(self.model)
        if self.with_pk:
            fields = [self.model._meta.pk, *fields]
        columns = [f.column for f in fields]
        chunks = self.chunks(ctx)
        total = sum(c.rows for c in chunks)
        bulk = loader.BulkLoader(vendor=ctx.vendor)
        progress = Progress(self.name, total, ctx.log)
        drop = ctx.vendor == "postgresql" and (
            ctx.options.drop_indexes == "yes"
            or (ctx.options.drop_indexes == "auto" and total >= DROP_INDEXES_FROM)
        )
        started = time.perf_counter()
        load_seconds = None
        with self._workers(ctx) as imap:
            work = ((type(self).rows_fn, c, bulk.encoder) for c in chunks)
            if drop:
                with loader.indexes_dropped(table, log=ctx.log):
                    total = bulk.load(table, columns, imap(_make_and_encode, work), progress.add)
                    load_seconds = time.perf_counter() - started
            else:
                total = bulk.load(table, columns, imap(_make_and_encode, work), progress.add)
        if self.with_pk and ctx.vendor == "postgresql":
            loader.sequence_past_max(table, self.model._meta.pk.column)
        if ctx.vendor == "sqlite":
            loader.sqlite_fts_check(table, log=ctx.log)
        if ctx.vendor == "postgresql":
            analyze_started = time.perf_counter()
            loader.analyze(table)
            ctx.log(f"  ANALYZE {table}: {time.perf_counter() - analyze_started:.1f} s")
        seconds = time.perf_counter() - started
        if load_seconds is not None:
            ctx.notes.append(
                f"{table}: {total:,} rows loaded in {load_seconds:.1f} s without secondary "
                f"indexes ({total / load_seconds:,.0f} rows/s); indexes rebuilt and ANALYZE "
                f"done by {seconds:.1f} s"
            )
        return TableResult(table, total, seconds)

    @staticmethod
    @contextmanager
    def _workers(ctx: GenerateContext):
        """An ordered `imap`: worker processes, or plain `map` for one worker or inside a
        transaction (tests)."""
        if ctx.options.workers <= 1 or connection.in_atomic_block:
            yield map
            return
        # Forked children never touch the database; close the parent's connection anyway so
        # no socket is shared.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(ctx.options.workers) as p:
            yield lambda fn, it: p.imap(fn, it, chunksize=1)


# --- customers ------------------------------------------------------------------------------
STAGES = names.Weighted([("lead", 35), ("prospect", 25), ("customer", 30), ("inactive", 10)])
SOURCES = names.Weighted(
    [("platform", 20), ("website", 20), ("referral", 15), ("exhibition", 15), ("cold_call", 10),
     ("advertising", 5), ("import", 10), ("other", 5)]
)  # fmt: skip


def make_customer(rng: random.Random) -> dict:
    """One customer's own fields (no ids): name, kind, phone, email, region, industry."""
    roll = rng.random()
    industry = ""
    if roll < 0.40:
        name = names.chinese_person(rng)
        city = names.CITIES.pick(rng)
        phone = names.mobile(rng) if rng.random() < 0.95 else ""
        syllables = pinyin_forms(name)[0].split() if rng.random() < 0.7 else []
        email = names.person_email(rng, syllables)
        kind = Customer.Kind.PERSON
    elif roll < 0.85:
        name, brand, city, industry = names.chinese_company(rng)
        p = rng.random()
        phone = names.landline(rng, city) if p < 0.6 else names.mobile(rng) if p < 0.95 else ""
        email = names.company_email(rng, pinyin_forms(brand)[1]) if rng.random() < 0.8 else ""
        kind = Customer.Kind.COMPANY
    elif roll < 0.90:
        name = names.english_person(rng)
        city = names.CITIES.pick(rng)
        phone = names.foreign_phone(rng) if rng.random() < 0.5 else names.mobile(rng)
        local = name.lower().replace("ü", "ue").replace(" ", ".")
        email = f"{local}{rng.randrange(1, 100)}@example.com"
        kind = Customer.Kind.PERSON
    else:
        name, brand = names.english_company(rng)
        city = names.CITIES.pick(rng)
        phone = names.foreign_phone(rng)
        email = names.company_email(rng, brand)
        kind = Customer.Kind.COMPANY
    return {
        "name": name,
        "kind": str(kind),
        "phone": phone,
        "email": email,
        "country": "中国",
        "province": city.province,
        "city": city.name,
        "industry": industry,
        "notes": f"地区：{names.region_label(city)}",
    }


def model_columns(model) -> list:
    """The concrete, non-primary-key fields: every column a bulk row must fill."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _str(value):
    return None if value is None else str(value)


def _isoformat(value):
    return None if value is None else value.isoformat()


def converters(fields) -> list:
    """Per field: how a Python attribute value is written by the loader (None = as is;
    datetimes stay datetimes, the loader formats them per database)."""
    result = []
    for f in fields:
        if isinstance(f, models.JSONField):
            result.append(_json)
        elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            result.append(_isoformat)
        elif isinstance(f, models.DecimalField | models.UUIDField):
            result.append(_str)
        else:
            result.append(None)
    return result


def instance_row(instance, fields, convs) -> tuple:
    values = instance.__dict__
    return tuple(
        conv(values[f.attname]) if conv else values[f.attname]
        for f, conv in zip(fields, convs, strict=True)
    )


def customer_rows(chunk: Chunk) -> list[tuple]:
    company_id, creator_id, owners, _vendor = chunk.params
    rng = random.Random(f"{chunk.seed}:{chunk.table}:{chunk.company_index}:{chunk.chunk_index}")
    cum = list(accumulate(w for _u, _t, w in owners))
    span = HISTORY.total_seconds()
    fields = model_columns(Customer)
    convs = converters(fields)
    available = {f.name for f in fields}
    rows = []
    customer = Customer(company_id=company_id, created_by_id=creator_id, updated_by_id=creator_id)
    for _ in range(chunk.rows):
        data = {k: v for k, v in make_customer(rng).items() if k in available}
        owner_id = team_id = None
        if owners and rng.random() >= 0.05:
            owner_id, team_id, _w = owners[bisect_right(cum, rng.random() * cum[-1])]
        created = ANCHOR - timedelta(seconds=rng.random() * span)
        updated = created + (ANCHOR - created) * rng.random() ** 3
        data["stage"] = STAGES.pick(rng)
        if "source" in available:
            data["source"] = SOURCES.pick(rng)
        # One instance per chunk, its fields reset per row: Model.__init__ is costly, and every
        # field a row varies is set here (the rest keep the model's defaults).
        customer.__dict__.update(
            owner_id=owner_id, team_id=team_id, created_at=created, updated_at=updated, **data
        )
        customer.refresh_search()  # the model's own derived columns (search, dedup keys)
        rows.append(instance_row(customer, fields, convs))
    return rows


@register
class CustomersGenerator(ChunkedTable):
    name = "customers"
    model = Customer
    rows_fn = staticmethod(customer_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        chunks = []
        for plan in ctx.companies:
            owners = tuple(plan.owners)
            params = (plan.company_id, plan.owner_user_id, owners, ctx.vendor)
            for i, start in enumerate(range(0, plan.customers, CHUNK_ROWS)):
                n = min(CHUNK_ROWS, plan.customers - start)
                chunks.append(Chunk(ctx.options.seed, "customers", plan.index, i, n, params))
        return chunks


# --- entry point ----------------------------------------------------------------------------
def generate(
    options: Options, *, log: Callable[[str], None] = print, only: list[str] | None = None
) -> dict:
    """Run every registered generator (or `only` these) and return a summary."""
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise RuntimeError(f"bench generate supports PostgreSQL and SQLite, not {vendor}")
    if (options.tables is None and options.scale < 1) or options.companies < 1:
        raise ValueError("scale and companies must be at least 1")
    only = only or (list(options.tables) if options.tables is not None else None)
    unknown = set(only or ()) - set(GENERATORS)
    if unknown:
        raise ValueError(f"unknown table(s) {sorted(unknown)}; known: {', '.join(GENERATORS)}")
    ctx = GenerateContext(options=options, vendor=vendor, log=log)
    started = time.perf_counter()
    for name, generator in GENERATORS.items():
        if only and name not in only and name != "tenants":
            continue
        log(f"{name} …")
        result = generator.run(ctx)
        ctx.results.append(result)
        log(
            f"{name}: {result.rows:,} rows in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s)"
        )
    return {
        "seed": options.seed,
        "scale": options.scale,
        "tables_requested": list(options.tables) if options.tables is not None else None,
        "directory_companies": options.directory_companies,
        "orders": options.orders,
        "companies": [
            {"slug": p.slug, "name": p.name, "customers": p.customers} for p in ctx.companies
        ],
        "workers": options.workers,
        "tables": [r.as_dict() for r in ctx.results],
        "notes": ctx.notes,
        "seconds": round(time.perf_counter() - started, 2),
    }


# The generators of other tables register themselves on import (in this order).
from . import crm, directory, orders  # noqa: E402, F401
