"""Generators for a customer's CRM life: contacts, timeline entries (and the customers' last
contact, from them) and tasks.

They run after the customers (in this process, or later on an existing database with
`bench generate --tables contacts,timeline,tasks`) and read the customers back from the database
once, in id order, as compact arrays; chunk `i` of a company is made from
`random.Random(f"{seed}:{table}:{company}:{i}")` and the customers `[i * CHUNK_ROWS, …)`, so the
rows depend only on the seed and the customers, not on the number of worker processes.
"""

import random
from array import array
from datetime import date, timedelta

from django.db import connection

from shangyou.contacts.models import Contact, Customer, Task, TimelineEntry
from shangyou.core.search import pinyin_forms

from . import loader, names
from .generate import (
    ANCHOR,
    CHUNK_ROWS,
    Chunk,
    ChunkedTable,
    GenerateContext,
    RowTemplate,
    TableGenerator,
    TableResult,
    register,
)

CONTACTS_PER_CUSTOMER = 3
TIMELINE_PER_CUSTOMER = 10


# --- the customers, read back --------------------------------------------------------------------
class CustomerArrays:
    """(id, owner id, created epoch seconds, is person) of one company's live customers, by id."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.owners = array("q")  # 0: no owner
        self.created = array("d")
        self.person = array("b")
        self.names: dict[int, str] = {}  # person customers only: the first contact is them

    def __len__(self) -> int:
        return len(self.ids)


def customer_arrays(ctx: GenerateContext, company_id: int) -> CustomerArrays:
    cache = ctx.extra.setdefault("customer_arrays", {})
    if company_id in cache:
        return cache[company_id]
    found = CustomerArrays()
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, owner_id, created_at, kind, name FROM {table} "  # noqa: S608
            "WHERE company_id = %s AND deleted_at IS NULL ORDER BY id",
            [company_id],
        )
        while rows := cursor.fetchmany(50_000):
            for pk, owner_id, created, kind, name in rows:
                found.ids.append(pk)
                found.owners.append(owner_id or 0)
                found.created.append(created.timestamp())
                person = kind == Customer.Kind.PERSON
                found.person.append(person)
                if person:
                    found.names[pk] = name
    cache[company_id] = found
    return found


class PerCustomerTable(ChunkedTable):
    """Rows made per customer: a chunk is CHUNK_ROWS // per_customer customers."""

    per_customer = 1

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        chunks = []
        step = max(1, CHUNK_ROWS // self.per_customer)
        for plan in ctx.companies:
            arrays = customer_arrays(ctx, plan.company_id)
            for i, start in enumerate(range(0, len(arrays), step)):
                end = min(start + step, len(arrays))
                people = tuple(
                    (pk, arrays.owners[k], arrays.created[k], arrays.names.get(pk))
                    for k, pk in enumerate(arrays.ids[start:end], start)
                )
                params = (plan.company_id, plan.owner_user_id, people)
                chunks.append(
                    Chunk(ctx.options.seed, self.name, plan.index, i, self.rows_for(people), params)
                )
        return chunks

    def rows_for(self, people) -> int:
        return len(people) * self.per_customer


def _rng(chunk: Chunk) -> random.Random:
    return random.Random(f"{chunk.seed}:{chunk.table}:{chunk.company_index}:{chunk.chunk_index}")


def _at(epoch: float):
    return ANCHOR - timedelta(seconds=ANCHOR.timestamp() - epoch)


# --- contacts ------------------------------------------------------------------------------------
TITLES = names.Weighted(
    [("采购经理", 14), ("总经理", 8), ("销售经理", 10), ("技术工程师", 8), ("采购专员", 10),
     ("财务", 6), ("总监", 5), ("厂长", 3), ("质量经理", 4), ("行政助理", 5), ("董事长", 2),
     ("外贸业务员", 6), ("仓库主管", 3), ("项目经理", 6)]
)  # fmt: skip
DEPARTMENTS = names.Weighted(
    [("采购部", 30), ("销售部", 15), ("技术部", 12), ("财务部", 8), ("总经办", 10), ("质量部", 6),
     ("生产部", 8), ("行政部", 5), ("", 6)]
)  # fmt: skip


def contact_rows(chunk: Chunk) -> list[tuple]:
    company_id, creator_id, people = chunk.params
    rng = _rng(chunk)
    template = RowTemplate(Contact)
    contact = Contact(company_id=company_id)
    rows = []
    for customer_id, owner_id, created, person_name in people:
        owner_id = owner_id or creator_id
        at = _at(created)
        for n in range(CONTACTS_PER_CUSTOMER):
            name = person_name if (n == 0 and person_name) else names.chinese_person(rng)
            city = names.CITIES.pick(rng)
            syllables = pinyin_forms(name)[0].split() if pinyin_forms(name) else []
            wechat = ""
            if rng.random() < 0.6:
                wechat = (
                    ("wx_" if rng.random() < 0.3 else "")
                    + "".join(syllables)
                    + str(rng.randrange(1, 10000))
                )
            data = {
                "name": name,
                "title": TITLES.pick(rng),
                "department": DEPARTMENTS.pick(rng),
                "phone": names.landline(rng, city) if rng.random() < 0.4 else "",
                "mobile": names.mobile(rng) if rng.random() < 0.9 else "",
                "email": names.person_email(rng, syllables) if rng.random() < 0.6 else "",
                "wechat": wechat[:60],
                "qq": str(rng.randrange(10_000_000, 3_000_000_000)) if rng.random() < 0.3 else "",
                "is_primary": n == 0,
            }
            contact.__dict__.update(data)
            contact.refresh_search()
            birthday = None
            if rng.random() < 0.2:
                year, month = rng.randrange(1960, 2002), rng.randrange(1, 13)
                birthday = date(year, month, rng.randrange(1, 29))
            rows.append(
                template.row(
                    data,
                    created_at=at,
                    updated_at=at,
                    company_id=company_id,
                    created_by_id=owner_id,
                    updated_by_id=owner_id,
                    customer_id=customer_id,
                    birthday=birthday,
                    search_text=contact.search_text,
                    search_grams=contact.search_grams,
                )
            )
    return rows


@register
class ContactsGenerator(PerCustomerTable):
    name = "contacts"
    model = Contact
    per_customer = CONTACTS_PER_CUSTOMER
    rows_fn = staticmethod(contact_rows)


# --- timeline -----------------------------------------------------------------------------------
#: Business in China slows around the Spring Festival (Jan/Feb) and the summer, peaks in spring
#: and in the autumn trade-fair season (Canton Fair in October), and again before year end.
MONTH_WEIGHT = (0.8, 0.35, 1.0, 1.1, 1.05, 1.0, 0.8, 0.75, 1.05, 1.15, 1.2, 1.1)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.95, 0.3, 0.15)
TIMELINE_KINDS = names.Weighted(
    [(TimelineEntry.Kind.CALL, 32), (TimelineEntry.Kind.NOTE, 22), (TimelineEntry.Kind.VISIT, 10),
     (TimelineEntry.Kind.EMAIL_OUT, 18), (TimelineEntry.Kind.EMAIL_IN, 12),
     (TimelineEntry.Kind.MESSAGE, 6)]
)  # fmt: skip
TOPICS = names.zipf(
    ["报价确认", "交期跟进", "样品反馈", "付款进度", "新品推荐", "年度采购计划", "售后问题",
     "合同条款", "价格调整", "技术参数确认", "订单变更", "验厂安排", "包装要求", "物流安排",
     "发票问题", "质量投诉处理", "展会邀约", "框架协议续签", "对账", "备货计划"],
    0.6,
)  # fmt: skip
PRODUCTS = names.zipf(
    ["不锈钢阀门", "深沟球轴承", "液压油缸", "LED面板灯", "PCB电路板", "注塑件", "纸箱包装",
     "伺服电机", "变频器", "工业连接器", "铝型材", "密封圈", "数控刀具", "减速机", "光伏组件",
     "锂电池模组", "传感器", "电源适配器", "塑料托盘", "五金配件"],
    0.5,
)  # fmt: skip
OUTCOMES = (
    "客户表示下周给答复。", "已发送资料，等待反馈。", "对方希望价格再优惠3%。", "约定月底前下单。",
    "需要技术部配合确认参数。", "客户满意，准备追加订单。", "对交期有顾虑，需协调生产。",
    "已转交财务跟进。", "暂无采购计划，三个月后再联系。", "客户要求提供样品两件。",
)  # fmt: skip


def _seasonal_time(rng: random.Random, start: float, end: float):
    """A moment in [start, end) weighted by month and weekday, during office hours mostly."""
    for _ in range(20):
        t = start + rng.random() * (end - start)
        moment = _at(t)
        local = moment + timedelta(hours=8)  # China time
        weight = MONTH_WEIGHT[local.month - 1] * WEEKDAY_WEIGHT[local.weekday()]
        if rng.random() * 1.2 < weight:
            break
    # Office hours: 08:30–18:30 China time for most entries.
    if rng.random() < 0.9:
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        local = day + timedelta(minutes=510 + rng.randrange(600), seconds=rng.randrange(60))
        moment = local - timedelta(hours=8)
    return moment


def _timeline_text(rng: random.Random, kind: str, city: str) -> tuple[str, str]:
    topic = TOPICS.pick(rng)
    product = PRODUCTS.pick(rng)
    outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
    if kind == TimelineEntry.Kind.CALL:
        return f"电话沟通：{topic}", f"就{product}{topic}与客户电话沟通，{outcome}"
    if kind == TimelineEntry.Kind.VISIT:
        return f"拜访{city}客户：{topic}", f"上门拜访，介绍{product}新款，{outcome}"
    if kind == TimelineEntry.Kind.EMAIL_OUT:
        subject = rng.choice(
            (f"【报价】{product}报价单", f"{product}产品目录及价格表", f"关于{topic}的说明",
             f"{product}样品寄送通知", f"合同草案：{product}年度供货")
        )  # fmt: skip
        return subject, f"您好，附件为{product}相关资料，请查收。如有疑问请随时联系。"
    if kind == TimelineEntry.Kind.EMAIL_IN:
        subject = rng.choice(
            (f"回复：{product}报价", f"询价：{product}", f"关于{topic}", f"{product}质量问题反馈")
        )
        return subject, f"客户来信：{topic}。{outcome}"
    if kind == TimelineEntry.Kind.MESSAGE:
        return f"平台消息：{topic}", f"客户在平台留言询问{product}，{outcome}"
    return f"{topic}备注", f"{outcome}（{product}）"


def timeline_rows(chunk: Chunk) -> list[tuple]:
    company_id, creator_id, people = chunk.params
    rng = _rng(chunk)
    template = RowTemplate(TimelineEntry)
    end = ANCHOR.timestamp()
    rows = []
    for customer_id, owner_id, created, _name in people:
        author = owner_id or creator_id
        city = names.CITIES.pick(rng).name
        for _ in range(TIMELINE_PER_CUSTOMER):
            kind = TIMELINE_KINDS.pick(rng)
            at = _seasonal_time(rng, created, end)
            subject, body = _timeline_text(rng, kind, city)
            rows.append(
                template.row(
                    None,
                    created_at=at,
                    updated_at=at,
                    company_id=company_id,
                    created_by_id=author,
                    updated_by_id=author,
                    customer_id=customer_id,
                    kind=str(kind),
                    occurred_at=at,
                    author_id=author,
                    subject=subject,
                    body=body,
                )
            )
    return rows


@register
class TimelineGenerator(PerCustomerTable):
    name = "timeline"
    model = TimelineEntry
    per_customer = TIMELINE_PER_CUSTOMER
    rows_fn = staticmethod(timeline_rows)


@register
class LastContactedGenerator(TableGenerator):
    """Each customer's `last_contacted_at`: its newest call, visit, email or message among the
    generated timeline entries — what `contacts.timeline` keeps for entries logged one by one
    (generated rows are loaded past it). Without it every customer had none, and the list
    sorted by last contact and the follow-up reminders were measured on a column of NULLs.
    One `UPDATE … FROM (… GROUP BY customer)` per company, after the timeline."""

    name = "last_contacted"

    def run(self, ctx: GenerateContext) -> TableResult:
        import time

        from shangyou.contacts.timeline import INTERACTIONS

        started = time.perf_counter()
        customers = connection.ops.quote_name(Customer._meta.db_table)
        timeline = connection.ops.quote_name(TimelineEntry._meta.db_table)
        kinds = sorted(str(k) for k in INTERACTIONS)
        marks = ", ".join(["%s"] * len(kinds))
        # Table names from the models; the company and the kinds as parameters.
        sql = (
            f"UPDATE {customers} SET last_contacted_at = t.at FROM ("  # noqa: S608
            f"SELECT customer_id, max(occurred_at) AS at FROM {timeline} "
            f"WHERE company_id = %s AND deleted_at IS NULL AND kind IN ({marks}) "
            "GROUP BY customer_id) AS t "
            f"WHERE {customers}.id = t.customer_id AND {customers}.company_id = %s"
        )
        rows = 0
        for plan in ctx.companies:
            with connection.cursor() as cursor:
                cursor.execute(sql, [plan.company_id, *kinds, plan.company_id])
                rows += cursor.rowcount
        if ctx.vendor == "postgresql":
            loader.analyze(Customer._meta.db_table)
        return TableResult("customers' last contact", rows, time.perf_counter() - started)


# --- tasks --------------------------------------------------------------------------------------
TASK_KINDS = names.Weighted(
    [(Task.Kind.CALL, 35), (Task.Kind.VISIT, 15), (Task.Kind.TODO, 25), (Task.Kind.MEETING, 10),
     (Task.Kind.EMAIL, 15)]
)  # fmt: skip
TASK_VERBS = {
    Task.Kind.CALL: "电话回访",
    Task.Kind.VISIT: "上门拜访",
    Task.Kind.TODO: "跟进",
    Task.Kind.MEETING: "会议",
    Task.Kind.EMAIL: "邮件发送",
}


def _tasks_per_customer(rng: random.Random) -> int:
    roll = rng.random()
    return 0 if roll < 0.5 else 1 if roll < 0.9 else 2


def task_rows(chunk: Chunk) -> list[tuple]:
    """About 0.6 tasks per customer: 40% done, 25% overdue, 35% due in the coming months."""
    company_id, creator_id, people = chunk.params
    rng = _rng(chunk)
    template = RowTemplate(Task)
    rows = []
    for customer_id, owner_id, created, _name in people:
        assignee = owner_id or creator_id
        for _ in range(_tasks_per_customer(rng)):
            kind = TASK_KINDS.pick(rng)
            roll = rng.random()
            remind = done = None
            if roll < 0.40:  # done, in the past
                due = _seasonal_time(rng, created, ANCHOR.timestamp())
                done = due + timedelta(minutes=rng.randrange(-600, 2880))
            elif roll < 0.65:  # overdue: due in the last 90 days, not done
                due = ANCHOR - timedelta(minutes=rng.randrange(60, 90 * 1440))
            else:  # future (after the anchor: more than a year ahead of the generated data)
                due = ANCHOR + timedelta(days=30 + rng.randrange(400), minutes=rng.randrange(1440))
                remind = due - timedelta(minutes=15)
            made = min(due, done or due) - timedelta(days=rng.randrange(1, 15))
            rows.append(
                template.row(
                    None,
                    created_at=made,
                    updated_at=done or made,
                    company_id=company_id,
                    created_by_id=assignee,
                    updated_by_id=assignee,
                    title=f"{TASK_VERBS[kind]}：{TOPICS.pick(rng)}",
                    kind=str(kind),
                    priority=rng.choice((1, 2, 2, 2, 3)),
                    customer_id=customer_id,
                    assignee_id=assignee,
                    due_at=due,
                    duration_minutes=rng.choice((15, 30, 30, 60, 120)),
                    remind_at=remind,
                    done_at=done,
                )
            )
    return rows


@register
class TasksGenerator(PerCustomerTable):
    name = "tasks"
    model = Task
    rows_fn = staticmethod(task_rows)

    def rows_for(self, people) -> int:
        return round(0.6 * len(people))  # an estimate for progress; the result counts rows
