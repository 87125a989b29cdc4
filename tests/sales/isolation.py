"""Tenant-isolation factories of the sales app (merged into tests/test_isolation.py)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.sales.models import Opportunity, Quotation, QuotationLine


def _opportunity_id(a):
    from tests.test_isolation import _tenant_row

    return _tenant_row(
        a, Opportunity, name="甲公司机密商机", customer=a.customer(), stage="proposal",
        probability=50, amount=Decimal("88000"), owner=a.tenant.user("sales"),
    )  # fmt: skip


def _quotation_id(a):
    from tests.test_isolation import _tenant_row

    today = timezone.localdate()
    pk = _tenant_row(
        a, Quotation, number="QT-2026-09999", customer=a.customer(), status="sent",
        issue_date=today, valid_until=today + timedelta(days=30), total=Decimal("1130.00"),
        owner=a.tenant.user("sales"),
    )  # fmt: skip
    line = QuotationLine.objects.create(
        company=a.tenant.company, quotation_id=pk, description="机密产品", quantity=1,
        unit_price=Decimal("1000"), tax_rate=Decimal("13"), line_subtotal=Decimal("1000"),
        line_tax=Decimal("130"), line_total=Decimal("1130"),
    )  # fmt: skip
    a.watched.append(line)
    return pk


PARAM_FACTORIES = {
    "opportunity_id": _opportunity_id,
    "quotation_id": _quotation_id,
}

PUBLIC_ROUTES = {
    # The customer's quotation page and its PDF: the signed token (quotation id + access key)
    # in the address is the credential; the customer has no account.
    "sales:public_quotation",
    "sales:public_quotation_pdf",
}
