"""Procurement test data, made through the services (records, RFQs, answers)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.catalog.models import ExchangeRate
from shangyou.contacts.models import Customer
from shangyou.network.services import crm_record_for
from shangyou.purchasing import services
from tests.contacts.factories import CustomerFactory


def platform_supplier(buyer, supplier_tenant) -> Customer:
    """The supplier record (linked to its platform company) in the buyer's CRM."""
    record = crm_record_for(company=buyer.company, other=supplier_tenant.company)
    Customer.objects.filter(pk=record.pk).update(is_supplier=True)
    record.refresh_from_db()
    return record


def external_supplier(buyer, name: str = "外部供应商", email: str = "sales@external.test"):
    return CustomerFactory(
        actor=buyer.actor("owner"), name=name, email=email, is_supplier=True, is_customer=False
    )


def rate(tenant, currency: str, value: str, days_ago: int = 10) -> ExchangeRate:
    return ExchangeRate.objects.create(
        company=tenant.company,
        currency=currency,
        rate=Decimal(value),
        valid_on=timezone.localdate() - timedelta(days=days_ago),
    )


LINES = [
    {
        "description": "不锈钢螺丝 M6",
        "specification": "304, 20mm",
        "quantity": "1000",
        "unit": "个",
    },
    {"description": "包装纸箱", "specification": "五层瓦楞", "quantity": "50", "unit": "箱"},
]


def open_rfq(buyer, suppliers, *, lines=None, deadline=None, key="owner", **data):
    actor = buyer.actor(key)
    rfq = services.rfq_create(
        actor=actor,
        data={
            "title": "螺丝与纸箱采购",
            "description": "请按标准报价单报价",
            "notes": "内部：预算 5000 元以内",
            "deadline": deadline or timezone.now() + timedelta(days=3),
            **data,
        },
        lines=lines or LINES,
    )
    services.rfq_invite(actor=actor, rfq=rfq, supplier_ids=[s.pk for s in suppliers])
    return services.rfq_send(actor=actor, rfq=rfq)


def answer_lines(rfq, prices, **extra):
    """[{rfq_line_id, unit_price …}] for the RFQ's lines in order; None leaves a line out."""
    rows = []
    for line, price in zip(rfq.lines.order_by("position"), prices, strict=True):
        rows.append(
            {
                "rfq_line_id": line.pk,
                "unit_price": "" if price is None else str(price),
                "tax_rate": "13",
                "lead_time_days": extra.get("lead", "10"),
                "moq": "100",
            }
        )
    return rows
