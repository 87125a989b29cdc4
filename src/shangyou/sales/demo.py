"""Demo data of the sales app: opportunities across the stages and three quotations — a draft,
one sent (its link works) and one accepted online, which creates a confirmed order. Called by
`shangyou demo` (ops.demo) after the catalogue's demo, with the company's members by role."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer
from shangyou.core.services import model_update

from . import acceptance, services
from .models import Quotation

OPPORTUNITIES = (
    # (name, stage, amount, days to expected close, lost reason)
    ("年度五金采购框架", "qualification", "120000", 60, ""),
    ("Warehouse shelving refit", "needs", "48000", 45, ""),
    ("电动工具批量订购", "proposal", "86000", 30, ""),
    ("新厂区配套工具", "negotiation", "150000", 14, ""),
    ("春季促销备货", "won", "32000", -5, ""),
    ("海外经销试单", "lost", "25000", -10, "预算削减，明年再议"),
)
FREE_LINES = (
    {"description": "冲击电钻 800W", "unit": "台", "quantity": "20", "unit_price": "299.00",
     "tax_rate": "13"},
    {"description": "合金钻头套装 13 件", "unit": "套", "quantity": "50", "unit_price": "68.00",
     "tax_rate": "13", "discount_percent": "5"},
    {"description": "上门安装与培训", "unit": "次", "quantity": "1", "unit_price": "800.00",
     "tax_rate": "6"},
)  # fmt: skip


def _lines(company) -> list[dict]:
    """Lines from the company's products when the catalogue demo made some, else free text."""
    from shangyou.catalog.models import Product

    products = list(
        Product.objects.filter(company=company, is_configurable=False).order_by("id")[:3]
    )
    if not products:
        return [dict(line) for line in FREE_LINES]
    return [
        {"product_id": p.pk, "quantity": str(i + 1)}  # priced by the catalogue
        for i, p in enumerate(products)
    ]


def load_demo(*, company, members) -> None:
    customers = list(Customer.objects.filter(company=company).select_related("owner")[:6])
    if not customers:
        return
    by_user = {m.user_id: m for m in members.values()}
    today = timezone.localdate()
    opportunities = []
    for i, (name, stage, amount, days, reason) in enumerate(OPPORTUNITIES):
        customer = customers[i % len(customers)]
        membership = by_user.get(customer.owner_id) or members["sales"]
        actor = actor_from_membership(membership)
        opportunities.append(
            services.opportunity_create(
                actor=actor,
                data={
                    "customer_id": customer.pk,
                    "name": name,
                    "stage": stage,
                    "amount": Decimal(amount),
                    "expected_close": today + timedelta(days=days),
                    "lost_reason": reason,
                    "source": "demo",
                },
            )
        )
    lines = _lines(company)
    terms = "含税价；款到发货；质保一年。"
    quotations = []
    for index, opportunity in enumerate(opportunities[1:4]):
        actor = actor_from_membership(by_user.get(opportunity.owner_id) or members["sales"])
        quotations.append(
            services.quotation_create(
                actor=actor,
                data={
                    "customer_id": opportunity.customer_id,
                    "opportunity_id": opportunity.pk,
                    "terms": terms,
                    "language": "en" if index == 0 else "zh-hans",
                    "discount_percent": Decimal(2) if index == 2 else Decimal(0),
                },
                lines=lines,
            )
        )
    # Sent and accepted without emailing demo addresses: the demo marks them sent directly.
    now = timezone.now()
    for quotation in quotations[1:]:
        actor = actor_from_membership(by_user.get(quotation.owner_id) or members["sales"])
        model_update(
            actor=actor,
            instance=quotation,
            data={"status": Quotation.Status.SENT, "sent_at": now},
            expected_version=quotation.version,
        )
    acceptance.quotation_accept(
        quotation=quotations[2], name="采购部 王经理", note="请尽快安排发货"
    )
