"""Demo data: three companies (a supplier, a buyer, one that is both), a user in every role,
teams and customers with Chinese and English names. Loading twice changes nothing."""

from django.db import transaction

from shangyou.accounts.models import Company, Membership, Team, User
from shangyou.accounts.selectors import actor_from_membership
from shangyou.accounts.services import company_create
from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_create
from shangyou.core.actor import Role

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
    ("张伟", Customer.Kind.PERSON, "+86 138 0013 8000", "zhang.wei@example.cn"),
    ("上海恒通五金有限公司", Customer.Kind.COMPANY, "021-6888 1234", "sales@hengtong.example.cn"),
    ("广州市白云区美华制衣厂", Customer.Kind.COMPANY, "020 8666 2211", "info@meihua.example.cn"),
    ("王芳", Customer.Kind.PERSON, "13912345678", "wangfang@example.cn"),
    ("Acme Trading Co., Ltd.", Customer.Kind.COMPANY, "+1 415 555 0100", "buyer@acme.example.com"),
    ("成都天府农业科技有限公司", Customer.Kind.COMPANY, "028-8555 6677", "tf@tianfu.example.cn"),
    ("李娜", Customer.Kind.PERSON, "+86 186 2000 3344", "lina@example.cn"),
    ("Global Parts GmbH", Customer.Kind.COMPANY, "+49 30 1234567", "order@globalparts.example.de"),
]


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
        for i, (cname, kind, phone, email) in enumerate(CUSTOMERS):
            owner = members["sales" if i % 2 == 0 else "sales2"]
            customer_create(
                actor=actor_from_membership(owner),
                data={
                    "name": cname,
                    "kind": kind,
                    "phone": phone,
                    "email": email,
                    "stage": Customer.Stage.CUSTOMER if i % 3 else Customer.Stage.LEAD,
                },
            )
    return created
