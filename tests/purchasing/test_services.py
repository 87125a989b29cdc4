from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time

from shangyou.contacts.models import Customer, TimelineEntry
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.models import OutboxMessage
from shangyou.orders.models import SalesOrder
from shangyou.orders.services import order_cancel, order_confirm
from shangyou.purchasing import purchase_orders, scorecard, selectors, services
from shangyou.purchasing.importing import run_supplier_import_command, supplier_import
from shangyou.purchasing.links import SALT, invitation_from_token, invitation_token
from shangyou.purchasing.models import PurchaseOrder, Rfq, RfqInvitation

from .factories import answer_lines, open_rfq, rate


def _invitation(rfq, supplier):
    return rfq.invitations.get(supplier=supplier)


# --- RFQ lifecycle ------------------------------------------------------------------------------
def test_rfq_is_numbered_draft_then_sent_to_every_invitee(tenant, rec_a, rec_x):
    actor = tenant.actor("owner")
    rfq = services.rfq_create(
        actor=actor, data={"title": "询价"}, lines=[{"description": "螺丝", "quantity": 5}]
    )
    assert rfq.number.startswith("RFQ-") and rfq.status == Rfq.Status.DRAFT
    with pytest.raises(ValidationFailed):
        services.rfq_send(actor=actor, rfq=rfq)  # nobody invited
    services.rfq_invite(actor=actor, rfq=rfq, supplier_ids=[rec_a.pk, rec_x.pk])
    rfq = services.rfq_send(actor=actor, rfq=rfq)
    assert rfq.status == Rfq.Status.OPEN and rfq.issue_date == timezone.localdate()
    assert set(rfq.invitations.values_list("status", flat=True)) == {"invited"}
    external = OutboxMessage.objects.filter(to__icontains="sales@external.test").get()
    assert "/purchasing/q/" in external.body
    with pytest.raises(Conflict):
        services.rfq_send(actor=actor, rfq=rfq)


def test_sent_rfq_lines_cannot_change_and_deadline_only_moves_later(tenant, rec_x):
    rfq = open_rfq(tenant, [rec_x])
    with pytest.raises(Conflict):
        services.rfq_update(actor=tenant.actor(), rfq=rfq, data={"title": "x"}, version=rfq.version)
    with pytest.raises(ValidationFailed):
        services.rfq_update(
            actor=tenant.actor(),
            rfq=rfq,
            data={"deadline": rfq.deadline - timedelta(hours=1)},
            version=rfq.version,
        )
    later = rfq.deadline + timedelta(days=1)
    rfq = services.rfq_update(
        actor=tenant.actor(), rfq=rfq, data={"deadline": later}, version=rfq.version
    )
    assert rfq.deadline == later


def test_only_supplier_records_can_be_invited(tenant):
    from tests.contacts.factories import CustomerFactory

    rfq = services.rfq_create(actor=tenant.actor(), data={"title": "询价"})
    plain = CustomerFactory(actor=tenant.actor(), name="普通客户")
    with pytest.raises(ValidationFailed):
        services.rfq_invite(actor=tenant.actor(), rfq=rfq, supplier_ids=[plain.pk])


def test_external_supplier_without_email_cannot_be_invited_without_one(tenant):
    from tests.purchasing.factories import external_supplier

    no_mail = external_supplier(tenant, name="无邮箱供应商", email="")
    rfq = services.rfq_create(actor=tenant.actor(), data={"title": "询价"})
    with pytest.raises(ValidationFailed):
        services.rfq_invite(actor=tenant.actor(), rfq=rfq, supplier_ids=[no_mail.pk])
    [inv] = services.rfq_invite(
        actor=tenant.actor(), rfq=rfq, supplier_ids=[no_mail.pk], email="Boss@Ext.test"
    )
    assert inv.email == "boss@ext.test"


def test_late_answers_are_refused(tenant, rec_a, supplier_co, english):
    rfq = open_rfq(tenant, [rec_a])
    invitation = _invitation(rfq, rec_a)
    late = freeze_time(rfq.deadline + timedelta(minutes=1))
    with late, pytest.raises(Conflict, match="deadline"):
        services.rfq_answer_submit(
            invitation=invitation,
            actor=supplier_co.actor(),
            data={},
            lines=answer_lines(rfq, ["1", "2"]),
        )
    assert RfqInvitation.objects.get(pk=invitation.pk).status == "invited"


def test_closed_rfq_refuses_answers(tenant, rec_a, supplier_co):
    rfq = open_rfq(tenant, [rec_a])
    services.rfq_close(actor=tenant.actor(), rfq=rfq)
    with pytest.raises(Conflict):
        services.rfq_answer_submit(
            invitation=_invitation(rfq, rec_a),
            actor=supplier_co.actor(),
            data={},
            lines=answer_lines(rfq, ["1", "2"]),
        )


def test_answer_can_be_changed_until_the_deadline(tenant, rec_a, supplier_co):
    rfq = open_rfq(tenant, [rec_a])
    inv = _invitation(rfq, rec_a)
    services.rfq_answer_submit(
        invitation=inv, actor=supplier_co.actor(), data={}, lines=answer_lines(rfq, ["1", "2"])
    )
    quote = services.rfq_answer_submit(
        invitation=inv, actor=supplier_co.actor(), data={}, lines=answer_lines(rfq, ["0.9", None])
    )
    assert quote.version == 2 and quote.lines.count() == 1
    inv.refresh_from_db()
    assert inv.supplier_quotation.lines.count() == 1  # the CRM quotation follows


def test_answer_needs_at_least_one_price(tenant, rec_a, supplier_co):
    rfq = open_rfq(tenant, [rec_a])
    with pytest.raises(ValidationFailed):
        services.rfq_answer_submit(
            invitation=_invitation(rfq, rec_a),
            actor=supplier_co.actor(),
            data={},
            lines=answer_lines(rfq, [None, None]),
        )


def test_decline_is_recorded_on_both_timelines(tenant, rec_a, supplier_co):
    rfq = open_rfq(tenant, [rec_a])
    services.rfq_invitation_decline(
        invitation=_invitation(rfq, rec_a), actor=supplier_co.actor(), reason="产能已满"
    )
    assert _invitation(rfq, rec_a).status == "declined"
    assert (
        TimelineEntry.objects.filter(
            company=tenant.company, customer=rec_a, subject__contains="declined"
        ).exists()
        or TimelineEntry.objects.filter(
            company=tenant.company, customer=rec_a, body="产能已满"
        ).exists()
    )
    assert TimelineEntry.objects.filter(company=supplier_co.company, body="产能已满").exists()


# --- the signed link --------------------------------------------------------------------------
def test_signed_link_opens_its_invitation(tenant, rec_x):
    rfq = open_rfq(tenant, [rec_x])
    inv = _invitation(rfq, rec_x)
    assert invitation_from_token(invitation_token(inv)).pk == inv.pk


def test_signed_link_expires(tenant, rec_x):
    rfq = open_rfq(tenant, [rec_x])
    inv = _invitation(rfq, rec_x)
    token = invitation_token(inv)
    with freeze_time(timezone.now() + timedelta(days=91)), pytest.raises(NotFound):
        invitation_from_token(token)


def test_tampered_link_is_refused(tenant, rec_x):
    rfq = open_rfq(tenant, [rec_x])
    token = invitation_token(_invitation(rfq, rec_x))
    with pytest.raises(NotFound):
        invitation_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"i": _invitation(rfq, rec_x).pk, "k": "guess"}, salt=SALT)
    with pytest.raises(NotFound):
        invitation_from_token(forged)
    wrong_salt = signing.dumps(
        {"i": _invitation(rfq, rec_x).pk, "k": _invitation(rfq, rec_x).access_key}
    )
    with pytest.raises(NotFound):
        invitation_from_token(wrong_salt)


def test_link_of_one_supplier_does_not_open_another_suppliers_invitation(tenant):
    from tests.purchasing.factories import external_supplier

    x1 = external_supplier(tenant, name="外部一", email="one@ext.test")
    x2 = external_supplier(tenant, name="外部二", email="two@ext.test")
    rfq = open_rfq(tenant, [x1, x2])
    inv1, inv2 = _invitation(rfq, x1), _invitation(rfq, x2)
    # swapping the id in a valid payload breaks the key; a platform invitation never opens
    forged = signing.dumps({"i": inv2.pk, "k": inv1.access_key}, salt=SALT)
    with pytest.raises(NotFound):
        invitation_from_token(forged)
    assert invitation_from_token(invitation_token(inv1)).pk == inv1.pk


def test_platform_invitation_has_no_public_link(tenant, rec_a):
    rfq = open_rfq(tenant, [rec_a])
    with pytest.raises(NotFound):
        invitation_from_token(invitation_token(_invitation(rfq, rec_a)))


# --- visibility ---------------------------------------------------------------------------------
def test_supplier_never_sees_another_suppliers_answer_or_the_internal_notes(
    tenant, rec_a, rec_b, supplier_co, supplier_co2
):
    rfq = open_rfq(tenant, [rec_a, rec_b])
    inv_a, inv_b = _invitation(rfq, rec_a), _invitation(rfq, rec_b)
    services.rfq_answer_submit(
        invitation=inv_a, actor=supplier_co.actor(), data={}, lines=answer_lines(rfq, ["1", "2"])
    )
    # B cannot reach A's invitation, nor the RFQ, nor A's answer or attachments
    with pytest.raises(NotFound):
        selectors.incoming_get(actor=supplier_co2.actor(), id=inv_a.pk)
    with pytest.raises(NotFound):
        selectors.rfq_get(actor=supplier_co2.actor(), id=rfq.pk)
    with pytest.raises(NotFound):
        services.rfq_answer_submit(
            invitation=inv_a,
            actor=supplier_co2.actor(),
            data={},
            lines=answer_lines(rfq, ["1", "2"]),
        )
    own = selectors.incoming_get(actor=supplier_co2.actor(), id=inv_b.pk)
    assert selectors.own_quote(invitation=own) is None
    # the supplier's pages and API never render the buyer's notes
    page = supplier_co2.client().get(f"/purchasing/incoming/{inv_b.pk}/")
    assert page.status_code == 200 and "内部：预算" not in page.content.decode()
    api = supplier_co2.api().get(f"/api/v1/purchasing/incoming-rfqs/{inv_b.pk}").json()
    assert "notes" not in api and api["answer"] is None


def test_attachment_reaches_buyer_and_its_supplier_only(
    tenant, rec_a, rec_b, supplier_co, supplier_co2
):
    rfq = open_rfq(tenant, [rec_a, rec_b])
    quote = services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_a),
        actor=supplier_co.actor(),
        data={},
        lines=answer_lines(rfq, ["1", "2"]),
        attachments=[SimpleUploadedFile("资质.pdf", b"%PDF cert")],
    )
    attachment = quote.attachments.get()
    assert selectors.attachment_get(actor=tenant.actor(), id=attachment.pk) == attachment
    assert selectors.attachment_get(actor=supplier_co.actor(), id=attachment.pk) == attachment
    with pytest.raises(NotFound):
        selectors.attachment_get(actor=supplier_co2.actor(), id=attachment.pk)


# --- comparison ---------------------------------------------------------------------------------
def test_comparison_converts_at_the_rfq_date_rate_and_marks_best_per_line(
    tenant, rec_a, rec_b, rec_x, supplier_co, supplier_co2
):
    rate(tenant, "USD", "7.00", days_ago=30)
    rate(tenant, "USD", "7.20", days_ago=1)
    rate(tenant, "USD", "9.99", days_ago=-5)  # in the future: not used
    rfq = open_rfq(tenant, [rec_a, rec_b, rec_x])
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_a),
        actor=supplier_co.actor(),
        data={"currency": "USD"},
        lines=answer_lines(rfq, ["1.00", "2.00"], lead="30"),
    )
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_b),
        actor=supplier_co2.actor(),
        data={"currency": "CNY"},
        lines=answer_lines(rfq, ["7.10", "15.00"], lead="5"),
    )
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_x),
        name="王",
        data={"currency": "CNY"},
        lines=answer_lines(rfq, ["7.20", None]),
    )
    c = selectors.rfq_comparison(actor=tenant.actor(), rfq=rfq)
    cols = {col.invitation.supplier_id: col for col in c["columns"]}
    assert cols[rec_a.pk].cells[0].unit_price_cny == Decimal("7.2000")
    assert cols[rec_a.pk].cells[1].unit_price_cny == Decimal("14.4000")
    # line 1: B 7.10 best; line 2: A 14.40 best
    assert [sid for sid, col in cols.items() if col.cells[0].is_best] == [rec_b.pk]
    assert [sid for sid, col in cols.items() if col.cells[1] and col.cells[1].is_best] == [rec_a.pk]
    # totals: A = 1000×7.2 + 50×14.4 = 7920; B = 7100 + 750 = 7850; X = 7200 (one line)
    assert cols[rec_a.pk].total_cny == Decimal("7920.00")
    assert cols[rec_b.pk].total_cny == Decimal("7850.00")
    assert cols[rec_x.pk].lines_quoted == 1 and cols[rec_x.pk].cells[1] is None
    assert [col.invitation.supplier_id for col in c["columns"]][:2] == [rec_b.pk, rec_a.pk]
    by_lead = selectors.rfq_comparison(actor=tenant.actor(), rfq=rfq, sort="lead_time")["columns"]
    assert by_lead[0].invitation.supplier_id == rec_b.pk


def test_comparison_reports_a_missing_rate(tenant, rec_a, supplier_co):
    rfq = open_rfq(tenant, [rec_a])
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_a),
        actor=supplier_co.actor(),
        data={"currency": "EUR"},
        lines=answer_lines(rfq, ["1", "2"]),
    )
    [col] = selectors.rfq_comparison(actor=tenant.actor(), rfq=rfq)["columns"]
    assert col.rate_problem and col.cells[0].unit_price_cny is None


# --- award and purchase orders ------------------------------------------------------------------
def _answered(tenant, rec_a, rec_x, supplier_co):
    rfq = open_rfq(tenant, [rec_a, rec_x])
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_a),
        actor=supplier_co.actor(),
        data={},
        lines=answer_lines(rfq, ["0.5", "12"]),
    )
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_x),
        name="王",
        data={},
        lines=answer_lines(rfq, ["0.4", "13"]),
    )
    return rfq


def test_award_per_line_makes_one_po_per_supplier_with_its_lines(tenant, rec_a, rec_x, supplier_co):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    l1, l2 = rfq.lines.order_by("position")
    orders = purchase_orders.rfq_award(
        actor=tenant.actor(),
        rfq=rfq,
        awards={l1.pk: _invitation(rfq, rec_x).pk, l2.pk: _invitation(rfq, rec_a).pk},
    )
    po_x = next(o for o in orders if o.supplier_id == rec_x.pk)
    assert [line.description for line in po_x.lines.all()] == [l1.description]
    assert po_x.total == Decimal("452.00")  # 1000 × 0.4 = 400 + 13% tax
    assert OutboxMessage.objects.filter(
        subject__contains=po_x.number, to__icontains="sales@external.test"
    ).exists()
    rfq.refresh_from_db()
    assert rfq.status == Rfq.Status.AWARDED
    with pytest.raises(Conflict):
        purchase_orders.rfq_award(
            actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_a).pk
        )


def test_award_refuses_a_line_the_supplier_did_not_quote(tenant, rec_a, rec_x, supplier_co):
    rfq = open_rfq(tenant, [rec_a, rec_x])
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_x),
        name="王",
        data={},
        lines=answer_lines(rfq, ["0.4", None]),
    )
    l2 = rfq.lines.get(position=2)
    with pytest.raises(ValidationFailed):
        purchase_orders.rfq_award(
            actor=tenant.actor(), rfq=rfq, awards={l2.pk: _invitation(rfq, rec_x).pk}
        )
    assert not PurchaseOrder.objects.exists()


def test_award_whole_to_one_supplier(tenant, rec_a, rec_x, supplier_co):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    [po] = purchase_orders.rfq_award(
        actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_a).pk
    )
    assert po.lines.count() == 2 and po.sales_order.company_id == supplier_co.company.pk


def test_po_status_follows_the_suppliers_sales_order(tenant, rec_a, rec_x, supplier_co):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    [po] = purchase_orders.rfq_award(
        actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_a).pk
    )
    so = SalesOrder.objects.get(pk=po.sales_order_id)
    assert so.customer.platform_company_id == tenant.company.pk and so.status == "draft"
    order_confirm(actor=supplier_co.actor(), order=so)
    assert purchase_orders.purchase_order_sync_from_sales_order(SalesOrder.objects.get(pk=so.pk))
    po.refresh_from_db()
    assert po.status == "confirmed" and po.confirmed_at
    order_cancel(actor=supplier_co.actor(), order=SalesOrder.objects.get(pk=so.pk), reason="缺货")
    purchase_orders.purchase_order_sync_from_sales_order(SalesOrder.objects.get(pk=so.pk))
    po.refresh_from_db()
    assert po.status == "cancelled" and po.cancel_reason == "缺货"


def test_external_po_is_confirmed_by_the_buyer_and_platform_po_is_not(
    tenant, rec_a, rec_x, supplier_co
):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    l1, l2 = rfq.lines.order_by("position")
    orders = purchase_orders.rfq_award(
        actor=tenant.actor(),
        rfq=rfq,
        awards={l1.pk: _invitation(rfq, rec_x).pk, l2.pk: _invitation(rfq, rec_a).pk},
    )
    po_x = next(o for o in orders if o.supplier_id == rec_x.pk)
    po_a = next(o for o in orders if o.supplier_id == rec_a.pk)
    assert (
        purchase_orders.purchase_order_confirm(actor=tenant.actor(), order=po_x).status
        == "confirmed"
    )
    with pytest.raises(Conflict):
        purchase_orders.purchase_order_confirm(actor=tenant.actor(), order=po_a)


def test_partial_then_full_receipts_close_the_po_and_over_receipt_is_refused(
    tenant, rec_a, rec_x, supplier_co
):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    [po] = purchase_orders.rfq_award(
        actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_x).pk
    )
    l1, l2 = po.lines.order_by("position")
    with pytest.raises(ValidationFailed):
        purchase_orders.goods_receipt_create(
            actor=tenant.actor(), order=po, lines=[{"line_id": l1.pk, "quantity": "1001"}]
        )
    purchase_orders.goods_receipt_create(
        actor=tenant.actor(), order=po, lines=[{"line_id": l1.pk, "quantity": "400"}]
    )
    po.refresh_from_db()
    assert po.status == "partly_received"
    receipt = purchase_orders.goods_receipt_receive_all(actor=tenant.actor(), order=po)
    assert receipt.number.startswith("GR-")
    po.refresh_from_db()
    assert po.status == "received" and po.closed_at
    assert [str(line.quantity_received) for line in po.lines.order_by("position")] == [
        "1000.000",
        "50.000",
    ]
    with pytest.raises(Conflict):
        purchase_orders.goods_receipt_receive_all(actor=tenant.actor(), order=po)


def test_cancel_po_only_before_anything_arrived(tenant, rec_a, rec_x, supplier_co):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)
    [po] = purchase_orders.rfq_award(
        actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_x).pk
    )
    with pytest.raises(ValidationFailed):
        purchase_orders.purchase_order_cancel(actor=tenant.actor(), order=po, reason=" ")
    assert (
        purchase_orders.purchase_order_cancel(
            actor=tenant.actor(), order=po, reason="需求取消"
        ).status
        == "cancelled"
    )


# --- reminders ----------------------------------------------------------------------------------
def test_reminders_go_once_to_those_who_have_not_answered(
    tenant, rec_a, rec_x, supplier_co, smtp_server
):
    rfq = open_rfq(tenant, [rec_a, rec_x], deadline=timezone.now() + timedelta(hours=30))
    services.rfq_answer_submit(
        invitation=_invitation(rfq, rec_a),
        actor=supplier_co.actor(),
        data={},
        lines=answer_lines(rfq, ["1", "2"]),
    )
    assert services.rfq_reminders_send() == 0  # more than a day left
    later = timezone.now() + timedelta(hours=8)
    smtp_server.messages.clear()
    assert services.rfq_reminders_send(now=later) == 1
    assert [m["To"] for m in smtp_server.messages] == ["sales@external.test"]
    assert services.rfq_reminders_send(now=later + timedelta(hours=1)) == 0


# --- scorecard ----------------------------------------------------------------------------------
def test_scorecard_figures_and_manual_adjustment(tenant, rec_a, rec_x, supplier_co):
    rfq = _answered(tenant, rec_a, rec_x, supplier_co)  # A: 0.5 / 12 ; X: 0.4 / 13
    [po] = purchase_orders.rfq_award(
        actor=tenant.actor(), rfq=rfq, invitation_id=_invitation(rfq, rec_a).pk
    )
    purchase_orders.goods_receipt_receive_all(actor=tenant.actor(), order=po)
    score = scorecard.supplier_score_refresh(company=tenant.company, supplier=rec_a)
    # price: line 1 0.4/0.5 = 80, line 2 12/12 = 100 → 90; delivery on time 100; response > 50
    assert score.price_score == Decimal("90.0")
    assert score.delivery_score == Decimal("100.0")
    assert score.quality_score is None and Decimal(50) < score.response_score <= Decimal(100)
    assert score.grade in ("A", "B")
    with pytest.raises(ValidationFailed):
        scorecard.supplier_score_adjust(actor=tenant.actor(), supplier=rec_a, adjustment=-10)
    with pytest.raises(PermissionDenied):
        scorecard.supplier_score_adjust(actor=tenant.actor("sales"), supplier=rec_a, adjustment=0)
    adjusted = scorecard.supplier_score_adjust(
        actor=tenant.actor(), supplier=rec_a, adjustment=-30, reason="质量投诉", grade="D"
    )
    assert adjusted.score == score.score - 30 and adjusted.grade == "D" and adjusted.grade_locked
    good = selectors.supplier_list(actor=tenant.actor(), good_only=True)
    assert rec_a not in good


def test_quality_hook_is_used_when_a_provider_answers(tenant, rec_x, monkeypatch):
    monkeypatch.setattr(scorecard, "QUALITY_PROVIDERS", [lambda company, supplier: Decimal(40)])
    score = scorecard.supplier_score_refresh(company=tenant.company, supplier=rec_x)
    assert (
        score.quality_score == Decimal("40.0")
        and score.score == Decimal("40.0")
        and score.grade == "D"
    )


# --- import -------------------------------------------------------------------------------------
CSV = (
    "名称,电话,邮箱,省份\n华南电子,13800138001,a@hn.test,广东\n,13800138002,,\n"
    "老客户,13900000000,,\n华南电子,13800138001,,\n"
)


def test_supplier_import_reports_row_errors_and_imports_nothing_by_default(tenant):
    result = supplier_import(actor=tenant.actor(), filename="s.csv", data=CSV.encode())
    assert [e["row"] for e in result.errors] == [3] and result.created == 0
    assert not Customer.objects.filter(company=tenant.company, name="华南电子").exists()


def test_supplier_import_creates_suppliers_and_gives_existing_records_the_role(tenant):
    from tests.contacts.factories import CustomerFactory

    old = CustomerFactory(actor=tenant.actor(), name="老客户", phone="13900000000")
    result = supplier_import(
        actor=tenant.actor(), filename="s.csv", data=CSV.encode(), skip_invalid=True
    )
    assert (result.created, result.marked, result.skipped) == (1, 1, 1)
    new = Customer.objects.get(company=tenant.company, name="华南电子")
    assert new.is_supplier and not new.is_customer
    old.refresh_from_db()
    assert old.is_supplier and old.is_customer  # one partner, both roles


def test_supplier_import_command_prints_rows_and_dry_run_writes_nothing(tenant, tmp_path):
    import io

    path = tmp_path / "suppliers.csv"
    path.write_text(CSV)
    out, err = io.StringIO(), io.StringIO()
    code = run_supplier_import_command(actor=tenant.actor(), path=str(path), out=out, err=err)
    assert code == 1 and "3" in err.getvalue()
    code = run_supplier_import_command(
        actor=tenant.actor(), path=str(path), dry_run=True, skip_invalid=True, out=out, err=err
    )
    assert code == 0 and not Customer.objects.filter(name="华南电子").exists()


def test_shangyou_import_suppliers_command(tenant, tmp_path):
    """The console script: exit status 1 and the bad row on stderr; --skip-invalid imports."""
    import io

    from django.core.management import call_command

    path = tmp_path / "suppliers.csv"
    path.write_text(CSV, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "suppliers", str(path), company=tenant.company.slug, stderr=err)
    assert exit_info.value.code == 1 and "3" in err.getvalue()
    assert not Customer.objects.filter(company=tenant.company, name="华南电子").exists()
    call_command(
        "import", "suppliers", str(path), company=tenant.company.slug, skip_invalid=True,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    assert Customer.objects.get(company=tenant.company, name="华南电子").is_supplier
