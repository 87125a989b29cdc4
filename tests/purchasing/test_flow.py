"""Done when (issue 6): a buyer invites two platform suppliers and one external supplier; all
three answer; the buyer compares and awards per line; the purchase orders reach the suppliers;
a platform supplier confirms its order as a sales order in its own CRM; the goods are received.
"""

from decimal import Decimal

from shangyou.contacts.models import TimelineEntry
from shangyou.orders.models import SalesOrder
from shangyou.orders.services import order_confirm
from shangyou.purchasing import purchase_orders, selectors, services
from shangyou.purchasing.links import invitation_from_token, invitation_token
from shangyou.purchasing.models import PurchaseOrder, RfqInvitation
from shangyou.sales.models import Quotation

from .factories import answer_lines, external_supplier, open_rfq, platform_supplier, rate


def test_buyer_to_two_platform_suppliers_and_one_external_end_to_end(
    tenant_factory, django_capture_on_commit_callbacks
):
    buyer = tenant_factory("采购方公司")
    supplier_a = tenant_factory("华东五金")
    supplier_b = tenant_factory("深圳包装")
    rate(buyer, "USD", "7.2")
    rec_a = platform_supplier(buyer, supplier_a)
    rec_b = platform_supplier(buyer, supplier_b)
    rec_x = external_supplier(buyer)

    rfq = open_rfq(buyer, [rec_a, rec_b, rec_x])
    invitations = {i.supplier_id: i for i in rfq.invitations.all()}
    assert {i.status for i in invitations.values()} == {RfqInvitation.Status.INVITED}

    # the platform suppliers see it in their own account and answer there
    inv_a = selectors.incoming_get(actor=supplier_a.actor("sales"), id=invitations[rec_a.pk].pk)
    services.rfq_answer_submit(
        invitation=inv_a,
        actor=supplier_a.actor("sales"),
        data={"currency": "CNY", "payment_terms": "月结30天", "valid_until": ""},
        lines=answer_lines(rfq, ["0.50", "12.00"]),
    )
    inv_b = selectors.incoming_get(actor=supplier_b.actor("owner"), id=invitations[rec_b.pk].pk)
    services.rfq_answer_submit(
        invitation=inv_b,
        actor=supplier_b.actor("owner"),
        data={"currency": "USD"},
        lines=answer_lines(rfq, ["0.08", "1.50"]),
    )
    # the external one through its signed link
    inv_x = invitation_from_token(invitation_token(invitations[rec_x.pk]))
    services.rfq_answer_submit(
        invitation=inv_x,
        name="王经理",
        data={"currency": "CNY"},
        lines=answer_lines(rfq, ["0.55", None]),
    )

    # the answers are quotations in the platform suppliers' own CRMs
    inv_a.refresh_from_db()
    assert inv_a.supplier_quotation.company_id == supplier_a.company.pk
    assert inv_a.supplier_quotation.customer.platform_company_id == buyer.company.pk
    assert Quotation.objects.filter(company=supplier_b.company).count() == 1

    # compare: USD converted at 7.2; line 1 best = B (0.08 USD = 0.576? no: 0.576 > 0.50) → A
    comparison = selectors.rfq_comparison(actor=buyer.actor("owner"), rfq=rfq)
    by_supplier = {c.invitation.supplier_id: c for c in comparison["columns"]}
    line1_best = [sid for sid, c in by_supplier.items() if c.cells[0].is_best]
    line2_best = [sid for sid, c in by_supplier.items() if c.cells[1] and c.cells[1].is_best]
    assert line1_best == [rec_a.pk]  # 0.50 CNY < 0.55 CNY < 0.576 CNY
    assert line2_best == [rec_b.pk]  # 1.50 USD = 10.80 CNY < 12.00 CNY
    assert by_supplier[rec_b.pk].cells[1].unit_price_cny == Decimal("10.8000")

    # award per line → one PO per supplier
    lines = list(rfq.lines.order_by("position"))
    orders = purchase_orders.rfq_award(
        actor=buyer.actor("owner"),
        rfq=rfq,
        awards={lines[0].pk: invitations[rec_a.pk].pk, lines[1].pk: invitations[rec_b.pk].pk},
    )
    assert len(orders) == 2
    po_a = next(o for o in orders if o.supplier_id == rec_a.pk)
    po_b = next(o for o in orders if o.supplier_id == rec_b.pk)
    assert po_a.number.startswith("PO-") and po_a.lines.count() == 1
    assert po_b.currency == "USD" and po_b.lines.get().unit_price == Decimal("1.5")

    # the PO arrived in A's account as a draft sales order from the buyer
    so = SalesOrder.objects.get(company=supplier_a.company)
    assert so.status == "draft" and so.source == "platform"
    assert so.buyer_company_id == buyer.company.pk and so.customer_reference == po_a.number

    # A confirms it in its own CRM; the PO shows it (on display, and after the sync)
    with django_capture_on_commit_callbacks(execute=True):  # the orders → purchasing hook
        order_confirm(actor=supplier_a.actor("owner"), order=so)
    po_a = selectors.purchase_order_get(actor=buyer.actor("owner"), id=po_a.pk)
    assert po_a.effective_status == PurchaseOrder.Status.CONFIRMED
    assert po_a.status == PurchaseOrder.Status.CONFIRMED

    # goods received: A in full (closes), B partly
    purchase_orders.goods_receipt_receive_all(actor=buyer.actor("owner"), order=po_a)
    po_a.refresh_from_db()
    assert po_a.status == PurchaseOrder.Status.RECEIVED and po_a.closed_at
    line_b = po_b.lines.get()
    purchase_orders.goods_receipt_create(
        actor=buyer.actor("owner"), order=po_b, lines=[{"line_id": line_b.pk, "quantity": "20"}]
    )
    po_b.refresh_from_db()
    assert po_b.status == PurchaseOrder.Status.PARTLY_RECEIVED

    # every step on both timelines
    buyer_side = TimelineEntry.objects.filter(company=buyer.company, customer=rec_a)
    assert buyer_side.count() >= 4  # sent, answered, PO, received
    supplier_side = TimelineEntry.objects.filter(company=supplier_a.company)
    subjects = " ".join(supplier_side.values_list("subject", flat=True))
    assert "RFQ" in subjects and po_a.number in subjects


def test_demo_data_loads_with_a_platform_supplier(tenant_factory):
    from shangyou.purchasing.demo import load_demo

    supplier = tenant_factory("演示供应商")
    buyer = tenant_factory("演示采购方")
    load_demo(company=buyer.company, members=buyer.memberships)
    orders = PurchaseOrder.objects.filter(company=buyer.company)
    assert orders.exists()
    assert SalesOrder.objects.filter(company=supplier.company, source="platform").exists()
