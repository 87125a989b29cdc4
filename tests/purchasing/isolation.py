"""Isolation factories for procurement (merged into tests/test_isolation.py): each creates the
object in company A — RFQs, invitations and answers shared with a third company (the invited
supplier) — so company B, a party to none of them, must get 404 everywhere."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.test_isolation import _tenant_row, _third_company

# The signed link is the credential of an external supplier without an account; it names one
# invitation and is checked (signature, key, expiry) before anything is shown.
PUBLIC_ROUTES = {"purchasing:public_answer", "purchasing:public_decline"}


def _supplier(a):
    from shangyou.contacts.models import Customer

    if "supplier" not in a.cache:
        customer = a.customer()
        Customer.objects.filter(pk=customer.pk).update(is_supplier=True)
        customer.refresh_from_db()
        a.cache["supplier"] = customer
    return a.cache["supplier"]


def _rfq(a, status="open"):
    from shangyou.purchasing.models import Rfq

    key = f"rfq-{status}"
    if key not in a.cache:
        pk = _tenant_row(
            a,
            Rfq,
            number=f"RFQ-{status}",
            title="甲公司机密询价",
            notes="内部预算",
            status=status,
            deadline=timezone.now() + timedelta(days=2),
        )
        a.cache[key] = Rfq.objects.get(pk=pk)
    return a.cache[key]


def _rfq_id(a):
    return _rfq(a).pk


def _invitation(a):
    """Company A's RFQ sent to a third company on the platform (not B)."""
    from shangyou.purchasing.models import RfqInvitation

    if "invitation" not in a.cache:
        invitation = RfqInvitation.objects.create(
            company=a.tenant.company,
            rfq=_rfq(a),
            supplier=_supplier(a),
            supplier_company=_third_company(a),
            status=RfqInvitation.Status.INVITED,
            invited_at=timezone.now(),
        )
        a.watched.append(invitation)
        a.cache["invitation"] = invitation
    return a.cache["invitation"]


def _rfq_invite_id(a):
    return _invitation(a).pk


def _quote_attachment_id(a):
    from shangyou.purchasing.models import SupplierQuote, SupplierQuoteAttachment

    invitation = _invitation(a)
    quote = SupplierQuote.objects.create(
        company=a.tenant.company,
        rfq=invitation.rfq,
        invitation=invitation,
        submitted_at=timezone.now(),
    )
    attachment = SupplierQuoteAttachment.objects.create(
        company=a.tenant.company,
        quote=quote,
        file=SimpleUploadedFile("报价.pdf", b"%PDF-1.4 secret"),
        name="报价.pdf",
    )
    a.watched += [quote, attachment]
    return attachment.pk


def _purchase_order_id(a):
    from shangyou.purchasing.models import PurchaseOrder, PurchaseOrderLine

    pk = _tenant_row(
        a,
        PurchaseOrder,
        number="PO-A-1",
        supplier=_supplier(a),
        order_date=timezone.localdate(),
        total=Decimal("100.00"),
    )
    line = PurchaseOrderLine.objects.create(
        company=a.tenant.company,
        order_id=pk,
        description="机密物料",
        quantity=Decimal(10),
        unit_price=Decimal(10),
    )
    a.watched.append(line)
    return pk


PARAM_FACTORIES = {
    "rfq_id": _rfq_id,
    "rfq_invite_id": _rfq_invite_id,
    "quote_attachment_id": _quote_attachment_id,
    "purchase_order_id": _purchase_order_id,
}
