"""Demo procurement (`shangyou demo`): for a company, two external suppliers and — when other
demo companies exist already — those companies as platform suppliers; one awarded RFQ with
answers from each, purchase orders (a platform one arriving as a sales order in the supplier's
account) and a partial goods receipt; one RFQ still open for answers; scorecards computed."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.accounts.models import Company, Membership
from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer
from shangyou.contacts.services import customer_create
from shangyou.core.actor import Role

from . import purchase_orders, scorecard, services

EXTERNAL = [
    ("苏州精工紧固件厂", "sales@jinggong.example", "江苏", "苏州"),
    ("宁波恒达包装材料", "order@hengda.example", "浙江", "宁波"),
]
LINES = [
    {"description": "不锈钢螺栓 M8×30", "specification": "304，GB/T 5783", "quantity": "5000",
     "unit": "个"},
    {"description": "五层瓦楞纸箱", "specification": "600×400×400 mm", "quantity": "300",
     "unit": "个"},
    {"description": "密封圈 NBR", "specification": "内径 50 mm", "quantity": "800", "unit": "个"},
]  # fmt: skip
PRICES = [("0.42", "6.80", "1.10"), ("0.45", "6.20", None), ("0.40", "7.10", "1.25")]


def _owner_actor(company):
    membership = (
        Membership.objects.filter(company=company, role=Role.OWNER, is_active=True)
        .select_related("user", "company")
        .first()
    )
    return actor_from_membership(membership) if membership else None


def load_demo(*, company, members) -> None:
    from shangyou.network.services import crm_record_for

    buyer = actor_from_membership(members["owner"])
    suppliers: list[Customer] = []
    for name, email, province, city in EXTERNAL:
        suppliers.append(
            customer_create(
                actor=buyer,
                data={
                    "name": name,
                    "email": email,
                    "province": province,
                    "city": city,
                    "is_supplier": True,
                    "is_customer": False,
                    "stage": "customer",
                },
                allow_duplicate=True,
            )  # fmt: skip
        )
    others = Company.objects.exclude(pk=company.pk).filter(is_active=True).order_by("id")[:2]
    platform = []
    for other in others:
        if _owner_actor(other) is None:
            continue
        record = crm_record_for(company=company, other=other, user=buyer.user)
        Customer.objects.filter(pk=record.pk).update(is_supplier=True)
        record.refresh_from_db()
        platform.append(record)
    invitees = (platform + suppliers)[:3]
    rfq = services.rfq_create(
        actor=buyer,
        data={
            "title": "二季度紧固件与包装材料采购",
            "description": "请按标准报价单报价，含税价请注明税率。",
            "notes": "预算 1.2 万元以内；优先本地供应商。",
            "deadline": timezone.now() + timedelta(days=5),
            "delivery_address": "上海市浦东新区张江路 88 号 仓库 2 号门",
            "payment_terms": "月结 30 天",
        },
        lines=LINES,
    )
    services.rfq_invite(actor=buyer, rfq=rfq, supplier_ids=[s.pk for s in invitees])
    rfq = services.rfq_send(actor=buyer, rfq=rfq)
    lines = list(rfq.lines.order_by("position"))
    for invitation, prices in zip(rfq.invitations.order_by("id"), PRICES, strict=False):
        answer = [
            {"rfq_line_id": line.pk, "unit_price": price or "", "tax_rate": "13",
             "lead_time_days": str(7 + i * 3), "moq": "100"}
            for i, (line, price) in enumerate(zip(lines, prices, strict=True))
        ]  # fmt: skip
        if invitation.supplier_company_id:
            actor = _owner_actor(invitation.supplier_company)
            services.rfq_answer_submit(
                invitation=invitation,
                actor=actor,
                data={"payment_terms": "月结 30 天"},
                lines=answer,
            )
        else:
            services.rfq_answer_submit(
                invitation=invitation, name="王经理", data={"currency": "CNY"}, lines=answer
            )
    comparison_best = {}
    for invitation in rfq.invitations.filter(status="answered"):
        for row in invitation.quote.lines.all():
            best = comparison_best.get(row.rfq_line_id)
            if best is None or row.unit_price < best[0]:
                comparison_best[row.rfq_line_id] = (row.unit_price, invitation.pk)
    orders = purchase_orders.rfq_award(
        actor=buyer, rfq=rfq, awards={k: v[1] for k, v in comparison_best.items()}
    )
    if orders:
        first = orders[0]
        line = first.lines.first()
        purchase_orders.goods_receipt_create(
            actor=buyer,
            order=first,
            lines=[{"line_id": line.pk, "quantity": (line.quantity / 2).quantize(Decimal(1))}],
        )
    # one RFQ still open for answers
    open_rfq = services.rfq_create(
        actor=buyer,
        data={"title": "办公用品年度询价", "deadline": timezone.now() + timedelta(hours=20)},
        lines=[{"description": "A4 复印纸 70g", "quantity": "200", "unit": "箱"}],
    )
    services.rfq_invite(actor=buyer, rfq=open_rfq, supplier_ids=[s.pk for s in invitees])
    services.rfq_send(actor=buyer, rfq=open_rfq)
    for supplier in invitees:
        scorecard.supplier_score_refresh(company=company, supplier=supplier)
