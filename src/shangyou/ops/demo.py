"""Demo data: three companies (a supplier, a buyer, one that is both), a user in every role,
teams and customers with Chinese and English names. Loading twice changes nothing."""

import importlib
import importlib.util
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shangyou.accounts.models import Company, Membership, Team, User
from shangyou.accounts.selectors import actor_from_membership
from shangyou.accounts.services import company_create
from shangyou.contacts.grading import grade_create
from shangyou.contacts.models import Customer
from shangyou.contacts.schedule import task_create
from shangyou.contacts.services import contact_create, customer_create, tag_get_or_create
from shangyou.contacts.timeline import timeline_log
from shangyou.core.actor import Role
from shangyou.network.services import profile_update

DEMO_PASSWORD = "shangyou-demo-2026"  # noqa: S105 - published demo login

COMPANIES = [
    ("huadong", "华东精密机械有限公司", Company.MemberType.SUPPLIER),
    ("youcai", "北京优采贸易有限公司", Company.MemberType.BUYER),
    ("xinghe", "深圳星河电子科技有限公司", Company.MemberType.BOTH),
]
ROLES = [
    (Role.OWNER, "owner", "王建国"),
    (Role.ADMIN, "admin", "李静"),
    (Role.MANAGER, "manager", "陈明"),
    (Role.SALES, "sales", "刘洋"),
    (Role.SALES, "sales2", "Emily Zhou"),
    (Role.SERVICE, "service", "赵敏"),
    (Role.READONLY, "readonly", "孙莉"),
]
TEAMS = ["华东销售一组", "华南销售二组"]
CUSTOMERS = [
    # name, kind, phone, email, province, city, contact (name, title)
    ("张伟", Customer.Kind.PERSON, "+86 138 0013 8000", "zhang.wei@example.cn",
     "北京", "北京", None),
    ("上海恒通五金有限公司", Customer.Kind.COMPANY, "021-6888 1234", "sales@hengtong.example.cn",
     "上海", "上海", ("王建华", "采购经理")),
    ("广州市白云区美华制衣厂", Customer.Kind.COMPANY, "020 8666 2211", "info@meihua.example.cn",
     "广东", "广州", ("陈丽", "厂长")),
    ("王芳", Customer.Kind.PERSON, "13912345678", "wangfang@example.cn", "浙江", "杭州", None),
    ("Acme Trading Co., Ltd.", Customer.Kind.COMPANY, "+1 415 555 0100", "buyer@acme.example.com",
     "", "San Francisco", ("John Miller", "Purchasing Director")),
    ("成都天府农业科技有限公司", Customer.Kind.COMPANY, "028-8555 6677", "tf@tianfu.example.cn",
     "四川", "成都", ("刘强", "总经理")),
    ("李娜", Customer.Kind.PERSON, "+86 186 2000 3344", "lina@example.cn", "江苏", "南京", None),
    ("Global Parts GmbH", Customer.Kind.COMPANY, "+49 30 1234567", "order@globalparts.example.de",
     "", "Berlin", ("Anna Schmidt", "Einkauf")),
]  # fmt: skip
GRADES = [("VIP", "VIP 客户", 1, 500000), ("A", "A 类", 2, 100000), ("B", "B 类", 3, 20000),
          ("C", "C 类", 4, None)]  # fmt: skip
PROFILES = {
    "huadong": {"main_products": "数控机床、精密轴承、液压件", "industries": "机械制造",
                "province": "江苏", "city": "苏州", "year_founded": 2003,
                "tagline": "精密机械，源头工厂"},
    "youcai": {"main_products": "工业品采购、MRO 集采", "industries": "贸易",
               "province": "北京", "city": "北京", "year_founded": 2012,
               "tagline": "一站式工业品采购"},
    "xinghe": {"main_products": "电路板、传感器、智能模组", "industries": "电子",
               "province": "广东", "city": "深圳", "year_founded": 2009,
               "tagline": "电子元器件与方案"},
}  # fmt: skip


# Apps that add their own demo data: `load_demo(*, company, members)` with members keyed by the
# ROLES prefixes ("owner", "sales", …), called in this order for each new demo company.
DEMO_MODULES = (
    "shangyou.catalog.demo",
    "shangyou.sales.demo",
    "shangyou.orders.demo",
    "shangyou.purchasing.demo",  # buys from the demo companies created before it
)


def demo_logins():
    for slug, name, _type in COMPANIES:
        for role, prefix, _name in ROLES:
            yield name, str(role), f"{prefix}@{slug}.demo"


@transaction.atomic
def load_demo() -> int:
    created = 0
    for slug, name, member_type in COMPANIES:
        if Company.objects.filter(slug=slug).exists():
            continue
        created += 1
        company = company_create(
            name=name,
            slug=slug,
            owner_email=f"owner@{slug}.demo",
            owner_password=DEMO_PASSWORD,
            owner_name=ROLES[0][2],
            member_type=member_type,
        )
        teams = [Team.objects.create(company=company, name=t) for t in TEAMS]
        members = {}
        for i, (role, prefix, full_name) in enumerate(ROLES):
            user = User.objects.filter(email=f"{prefix}@{slug}.demo").first()
            if user is None:
                user = User.objects.create_user(
                    f"{prefix}@{slug}.demo",
                    DEMO_PASSWORD,
                    full_name=full_name,
                    last_company=company,
                )
            membership, _ = Membership.objects.get_or_create(
                company=company,
                user=user,
                defaults={"role": role, "team": teams[0] if i < 4 else teams[1]},
            )
            members[prefix] = membership
        admin = actor_from_membership(members["owner"])
        grades = [
            grade_create(
                actor=admin,
                data={"code": code, "name": name, "rank": rank, "min_spend": spend},
            )
            for code, name, rank, spend in GRADES
        ]
        key_tag = tag_get_or_create(actor=admin, name="重点客户")
        now = timezone.now()
        for i, (cname, kind, phone, email, province, city, contact) in enumerate(CUSTOMERS):
            seller = actor_from_membership(members["sales" if i % 2 == 0 else "sales2"])
            customer = customer_create(
                actor=seller,
                data={
                    "name": cname,
                    "kind": kind,
                    "phone": phone,
                    "email": email,
                    "province": province,
                    "city": city,
                    "stage": Customer.Stage.CUSTOMER if i % 3 else Customer.Stage.LEAD,
                    "grade_id": grades[i % len(grades)].pk if i % 3 else None,
                    "tag_ids": [key_tag.pk] if i % 4 == 1 else [],
                },
                allow_duplicate=True,
            )
            if contact:
                contact_create(
                    actor=seller,
                    customer=customer,
                    data={"name": contact[0], "title": contact[1], "is_primary": True},
                )
            timeline_log(
                actor=seller,
                customer=customer,
                kind="call",
                subject="电话沟通需求" if i % 2 else "First call about requirements",
                occurred_at=now - timedelta(days=3 + i),
            )
            timeline_log(
                actor=seller,
                customer=customer,
                kind="note",
                body="客户关注交期和付款方式。" if i % 2 else "Asked for lead times and terms.",
                occurred_at=now - timedelta(days=1 + i),
            )
            task_create(
                actor=seller,
                customer=customer,
                data={
                    "title": f"回访 {cname}" if i % 2 else f"Follow up with {cname}",
                    "kind": "call",
                    "due_at": now + timedelta(days=i - 2, hours=2),
                },
            )
        profile_update(actor=admin, data=PROFILES[slug])
        for module in DEMO_MODULES:  # products, then deals and quotations, then orders
            if importlib.util.find_spec(module):
                importlib.import_module(module).load_demo(company=company, members=members)
    _demo_network()
    return created


def _demo_network() -> None:
    """The demo companies know each other: a friendship, a conversation, visits."""
    from shangyou.network import selectors as network
    from shangyou.network import services as platform

    companies = {c.slug: c for c in Company.objects.filter(slug__in=PROFILES)}
    if len(companies) < 3 or network.friendship_between(
        companies["youcai"].pk, companies["huadong"].pk
    ):
        return

    def owner(slug):
        return actor_from_membership(
            Membership.objects.select_related("user", "company").get(
                company=companies[slug], role=Role.OWNER
            )
        )

    friendship = platform.friend_request(
        actor=owner("youcai"), company_id=companies["huadong"].pk, message="希望长期合作"
    )
    platform.friend_answer(actor=owner("huadong"), friendship=friendship, accept=True)
    platform.conversation_start(
        actor=owner("youcai"),
        company_id=companies["huadong"].pk,
        subject="询价：数控机床 CK6150",
        body="请报 10 台 CK6150 的价格和交期，谢谢。",
    )
    platform.friend_request(actor=owner("xinghe"), company_id=companies["youcai"].pk)
    platform.visit_record(actor=owner("xinghe"), target_company_id=companies["huadong"].pk)
    platform.visit_record(actor=owner("youcai"), target_company_id=companies["xinghe"].pk)
