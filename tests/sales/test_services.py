from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from shangyou.collab.models import Notification
from shangyou.contacts.models import TimelineEntry
from shangyou.contacts.services import customer_blacklist
from shangyou.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangyou.core.models import AuditEntry
from shangyou.orders.models import SalesOrder
from shangyou.sales import acceptance, selectors, services
from shangyou.sales.models import Opportunity, Quotation, QuotationLine
from shangyou.sales.sending import quotation_send

from .factories import CustomerFactory, configuration, opportunity, product, quotation


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="上海恒通五金", email="buy@ht.test")


def _sent(tenant, customer, **data):
    q = quotation(tenant.actor("sales"), customer=customer, **data)
    return quotation_send(actor=tenant.actor("sales"), quotation=q, channel="email")


# --- opportunities ----------------------------------------------------------------------------
def test_opportunity_takes_the_default_probability_of_its_stage(tenant, customer):
    opp = opportunity(tenant.actor("sales"), customer=customer, stage="proposal")
    assert opp.probability == 50
    assert opp.owner == tenant.user("sales") and opp.team == tenant.team_a


def test_moving_a_stage_resets_the_probability_unless_one_is_given(tenant, customer):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer)
    opp = services.opportunity_move(actor=actor, opportunity=opp, stage="needs", version=1)
    assert opp.probability == 25
    opp = services.opportunity_move(
        actor=actor, opportunity=opp, stage="negotiation", probability=90, version=opp.version
    )
    assert (opp.stage, opp.probability) == ("negotiation", 90)


def test_lost_needs_a_reason_and_closing_sets_closed_at(tenant, customer):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer)
    with pytest.raises(ValidationFailed, match="reason"):
        services.opportunity_move(actor=actor, opportunity=opp, stage="lost", version=opp.version)
    opp = services.opportunity_move(
        actor=actor, opportunity=opp, stage="lost", lost_reason="价格太高", version=opp.version
    )
    assert opp.closed_at is not None and opp.lost_reason == "价格太高" and opp.probability == 0
    opp = services.opportunity_move(
        actor=actor, opportunity=opp, stage="proposal", version=opp.version
    )
    assert opp.closed_at is None and opp.lost_reason == ""


def test_opportunity_steps_go_on_the_customer_timeline(tenant, customer):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer)
    services.opportunity_move(actor=actor, opportunity=opp, stage="won", version=opp.version)
    subjects = list(
        TimelineEntry.objects.filter(customer=customer, kind="opportunity").values_list(
            "subject", flat=True
        )
    )
    assert len(subjects) == 2 and any("won" in s for s in subjects)


def test_opportunity_owner_must_be_an_active_member(tenant, other_tenant, customer):
    with pytest.raises(ValidationFailed, match="active member"):
        opportunity(tenant.actor("owner"), customer=customer, owner_id=other_tenant.user().pk)


def test_sales_cannot_reassign_an_opportunity(tenant, customer):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(
            actor=actor,
            opportunity=opp,
            data={"owner_id": tenant.user("sales_b").pk},
            version=opp.version,
        )


def test_opportunity_for_a_customer_out_of_reach_is_refused(tenant):
    other = CustomerFactory(actor=tenant.actor("sales_b"), name="别人的客户")
    with pytest.raises(ValidationFailed, match="your customers"):
        opportunity(tenant.actor("sales"), customer=other)


def test_record_rules_sales_own_managers_team(tenant, customer):
    mine = opportunity(tenant.actor("sales"), customer=customer)
    theirs_customer = CustomerFactory(actor=tenant.actor("sales_b"), name="乙组客户")
    theirs = opportunity(tenant.actor("sales_b"), customer=theirs_customer)
    assert list(selectors.opportunity_list(actor=tenant.actor("sales"))) == [mine]
    assert list(selectors.opportunity_list(actor=tenant.actor("manager"))) == [mine]
    assert set(selectors.opportunity_list(actor=tenant.actor("owner"))) == {mine, theirs}
    with pytest.raises(NotFound):
        selectors.opportunity_get(actor=tenant.actor("sales"), id=theirs.pk)


def test_stale_opportunity_update_is_a_conflict(tenant, customer):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer)
    services.opportunity_update(actor=actor, opportunity=opp, data={"name": "A"}, version=1)
    stale = Opportunity.objects.get(pk=opp.pk)
    with pytest.raises(Conflict):
        services.opportunity_update(actor=actor, opportunity=stale, data={"name": "B"}, version=1)


def test_weighted_pipeline_per_stage_and_currency(tenant, customer):
    actor = tenant.actor("sales")
    opportunity(actor, customer=customer, stage="qualification", amount=Decimal("1000"))
    opportunity(actor, customer=customer, stage="proposal", amount=Decimal("2000"))
    opportunity(actor, customer=customer, stage="proposal", amount=Decimal("100"), probability=33)
    opportunity(actor, customer=customer, stage="negotiation", amount=Decimal("500"),
                currency="USD")  # fmt: skip
    opportunity(actor, customer=customer, stage="won", amount=Decimal("9999"))
    summary = selectors.pipeline_summary(actor=actor)
    proposal = next(s for s in summary["stages"] if s["stage"] == "proposal")
    assert proposal["amount"] == Decimal("2100.00")
    assert proposal["weighted"] == Decimal("1033.00")  # 2000 × 50% + 100 × 33%
    totals = {t["currency"]: t for t in summary["totals"]}
    assert totals["CNY"]["weighted"] == Decimal("1133.00")  # won is not in the open pipeline
    assert totals["CNY"]["count"] == 3
    assert totals["USD"]["weighted"] == Decimal("375.00")


def test_opportunity_list_filters(tenant, customer):
    actor = tenant.actor("owner")
    soon = opportunity(actor, customer=customer, expected_close=timezone.localdate())
    late = opportunity(
        actor, customer=customer, expected_close=timezone.localdate() + timedelta(days=90)
    )
    lost = opportunity(actor, customer=customer, stage="lost", lost_reason="无预算")
    assert list(selectors.opportunity_list(actor=actor, filters={"status": "closed"})) == [lost]
    before = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert list(selectors.opportunity_list(actor=actor, filters={"close_before": before})) == [soon]
    ordered = selectors.opportunity_list(
        actor=actor, filters={"status": "open"}, sort="-expected_close"
    )
    assert list(ordered) == [late, soon]


# --- quotations -------------------------------------------------------------------------------
def test_totals_to_the_cent_with_line_and_document_discount_and_tax(tenant, customer):
    q = quotation(
        tenant.actor("sales"),
        customer=customer,
        discount_percent="5",
        lines=[
            {"description": "A", "quantity": "3", "unit_price": "33.333", "tax_rate": "13",
             "discount_percent": "10"},
            {"description": "B", "quantity": "1.5", "unit_price": "19.99", "tax_rate": "6"},
        ],
    )  # fmt: skip
    # A: 3 × 33.333 × 0.9 = 89.9991 → 90.00; net 85.50; tax 11.12 (11.115 half-up)
    # B: 1.5 × 19.99 = 29.985 → 29.99; net 28.49 (28.4905); tax 1.71 (1.7094)
    assert q.subtotal == Decimal("119.99")
    assert q.discount_total == Decimal("6.00")
    assert q.tax_total == Decimal("12.83")
    assert q.total == Decimal("126.82")
    lines = list(selectors.quotation_lines(quotation=q))
    assert [line.line_total for line in lines] == [Decimal("96.62"), Decimal("30.20")]


def test_blacklisted_customer_cannot_be_quoted(tenant, customer):
    customer_blacklist(actor=tenant.actor("owner"), customer=customer, blacklisted=True,
                       reason="拖欠货款")  # fmt: skip
    with pytest.raises(PermissionDenied, match="blacklisted"):
        quotation(tenant.actor("sales"), customer=customer)


def test_quotation_numbering_and_defaults(tenant, customer):
    q = quotation(tenant.actor("sales"), customer=customer)
    year = timezone.localdate().year
    assert q.number == f"QT-{year}-00001" and q.revision == 0 and q.status == "draft"
    assert q.valid_until == q.issue_date + timedelta(days=30)
    assert quotation(tenant.actor("sales"), customer=customer).number == f"QT-{year}-00002"


def test_product_line_takes_price_tax_and_unit_from_the_catalogue(tenant, customer):
    actor = tenant.actor("sales")
    drill = product(actor, sku="DR-1", name="电钻", price="299.00", tax_rate="13")
    q = quotation(actor, customer=customer, lines=[{"product_id": drill.pk, "quantity": "2"}])
    line = q.lines.get()
    assert (line.description, line.sku, line.unit) == ("电钻", "DR-1", "台")
    assert line.unit_price == Decimal("299.0000") and line.tax_rate == Decimal("13.00")
    assert q.total == Decimal("675.74")  # 598.00 + 77.74


def test_configuration_line_takes_its_price_and_summary(tenant, customer):
    actor = tenant.actor("sales")
    pc = product(actor, sku="PC", name="工作站", price="5000", is_configurable=True)
    config = configuration(actor, product=pc, unit_price="6888.00", summary="i7 / 32GB / 1TB")
    q = quotation(actor, customer=customer, lines=[{"configuration_id": config.pk}])
    line = q.lines.get()
    assert line.unit_price == Decimal("6888.0000")
    assert line.specification == "i7 / 32GB / 1TB" and line.product_id == pc.pk


def test_another_companys_product_is_refused(tenant, other_tenant, customer):
    foreign = product(other_tenant.actor("owner"), sku="X", name="外司产品")
    with pytest.raises(ValidationFailed, match="product of this company"):
        quotation(tenant.actor("sales"), customer=customer, lines=[{"product_id": foreign.pk}])


def test_fifty_lines_are_saved_without_a_query_per_line(
    tenant, customer, django_assert_max_num_queries
):
    actor = tenant.actor("sales")
    products = [product(actor, sku=f"P{i}", name=f"产品{i}") for i in range(50)]
    lines = [
        {"product_id": p.pk, "quantity": "1", "unit_price": "10", "tax_rate": "13"}
        for p in products
    ]
    q = quotation(actor, customer=customer, lines=lines[:1])
    with django_assert_max_num_queries(20):
        services.quotation_update(actor=actor, quotation=q, data={}, lines=lines, version=q.version)
    assert QuotationLine.objects.filter(quotation=q).count() == 50


def test_only_drafts_can_be_edited(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    with pytest.raises(Conflict, match="new revision"):
        services.quotation_update(
            actor=tenant.actor("sales"), quotation=q, data={"terms": "x"}, version=q.version
        )


def test_stale_quotation_version_is_a_conflict_and_lines_stay(tenant, customer):
    actor = tenant.actor("sales")
    q = quotation(actor, customer=customer)
    services.quotation_update(actor=actor, quotation=q, data={"terms": "款到发货"}, version=1)
    stale = Quotation.objects.get(pk=q.pk)
    stale.version = 1
    with pytest.raises(Conflict):
        services.quotation_update(
            actor=actor, quotation=stale, data={}, version=1,
            lines=[{"description": "新", "quantity": 1, "unit_price": 1}],
        )  # fmt: skip
    assert [line.description for line in q.lines.all()] == ["安装服务"]


def test_changing_the_document_discount_recomputes_totals(tenant, customer):
    actor = tenant.actor("sales")
    q = quotation(actor, customer=customer)  # 2 × 150 + 6% tax = 318.00
    assert q.total == Decimal("318.00")
    q = services.quotation_update(
        actor=actor, quotation=q, data={"discount_percent": "10"}, version=q.version
    )
    assert (q.discount_total, q.total) == (Decimal("30.00"), Decimal("286.20"))


def test_revision_supersedes_and_the_old_link_cannot_be_answered(tenant, customer, smtp_server):
    old = _sent(tenant, customer)
    old_token = selectors.quotation_token(old)
    new = services.quotation_revise(actor=tenant.actor("sales"), quotation=old)
    old.refresh_from_db()
    assert old.status == "superseded"
    assert (new.number, new.revision, new.previous_id) == (old.number, 1, old.pk)
    assert new.access_key != old.access_key and new.status == "draft"
    assert [line.description for line in new.lines.all()] == ["安装服务"]
    via_old_link = selectors.quotation_by_token(token=old_token)
    with pytest.raises(Conflict, match="newer revision"):
        acceptance.quotation_accept(quotation=via_old_link, name="王经理")
    assert not SalesOrder.objects.exists()


def test_a_draft_cannot_be_revised(tenant, customer):
    q = quotation(tenant.actor("sales"), customer=customer)
    with pytest.raises(Conflict):
        services.quotation_revise(actor=tenant.actor("sales"), quotation=q)


def test_forged_token_is_not_found(tenant, customer):
    q = quotation(tenant.actor("sales"), customer=customer)
    forged = signing.dumps({"q": q.pk, "k": "guess"}, salt=selectors.TOKEN_SALT)
    with pytest.raises(NotFound):
        selectors.quotation_by_token(token=forged)
    with pytest.raises(NotFound):
        selectors.quotation_by_token(token=selectors.quotation_token(q) + "x")


def test_expired_quotation_cannot_be_accepted(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    Quotation.objects.filter(pk=q.pk).update(
        issue_date=timezone.localdate() - timedelta(days=40),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    q.refresh_from_db()
    with pytest.raises(Conflict, match="expired"):
        acceptance.quotation_accept(quotation=q, name="王经理")


def test_accepting_creates_a_confirmed_order_with_equal_lines_and_wins_the_opportunity(
    tenant, customer, smtp_server
):
    actor = tenant.actor("sales")
    opp = opportunity(actor, customer=customer, stage="proposal")
    drill = product(actor, sku="DR-1", name="电钻", price="299.00")
    q = _sent(
        tenant,
        customer,
        opportunity_id=opp.pk,
        discount_percent="5",
        lines=[
            {"product_id": drill.pk, "quantity": "3", "discount_percent": "10"},
            {"description": "上门安装", "quantity": "1", "unit_price": "88.88", "tax_rate": "6"},
        ],
    )
    q, order = acceptance.quotation_accept(quotation=q, name="王经理", note="请尽快发货")

    assert order.status == "confirmed" and order.source == "quotation"
    assert order.quotation_id == q.pk and order.opportunity_id == opp.pk
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        q.subtotal, q.discount_total, q.tax_total, q.total,
    )  # fmt: skip
    pairs = zip(order.lines.order_by("position"), q.lines.all(), strict=True)
    for order_line, quote_line in pairs:
        for name in ("description", "quantity", "unit_price", "discount_percent", "tax_rate",
                     "line_subtotal", "line_tax", "line_total", "product_id"):  # fmt: skip
            assert getattr(order_line, name) == getattr(quote_line, name), name
    assert (q.status, q.response_name, q.response_note) == ("accepted", "王经理", "请尽快发货")
    opp.refresh_from_db()
    assert opp.stage == "won" and opp.closed_at is not None
    kinds = set(TimelineEntry.objects.filter(customer=customer).values_list("kind", flat=True))
    assert {"quotation", "order", "opportunity"} <= kinds
    assert TimelineEntry.objects.filter(customer=customer, subject__contains="accepted").exists()
    assert Notification.objects.filter(user=tenant.user("sales"), text__contains=order.number)
    note = AuditEntry.objects.filter(object_id=str(q.pk), note__contains="online").get()
    assert note.user is None
    with pytest.raises(Conflict, match="already been answered"):
        acceptance.quotation_accept(quotation=q, name="再来一次")


def test_declining_records_the_reason_and_notifies_the_owner(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    with pytest.raises(ValidationFailed):
        acceptance.quotation_decline(quotation=q, reason=" ")
    q = acceptance.quotation_decline(quotation=q, reason="交期太长", name="王经理")
    assert (q.status, q.response_note) == ("declined", "交期太长")
    assert Notification.objects.filter(user=tenant.user("sales"), text__contains="交期太长")
    assert TimelineEntry.objects.filter(customer=customer, body="交期太长").exists()
    # a declined quotation can be revised into a better offer
    new = services.quotation_revise(actor=tenant.actor("sales"), quotation=q)
    assert new.revision == 1


def test_staff_records_an_answer_given_by_phone(tenant, customer, smtp_server):
    q = _sent(tenant, customer)
    q, order = acceptance.quotation_accept(
        quotation=q, name="王经理 (电话)", actor=tenant.actor("manager")
    )
    assert order.created_by == tenant.user("manager")
    entry = AuditEntry.objects.filter(object_id=str(q.pk), note__contains="recorded").get()
    assert entry.user == tenant.user("manager")


def test_readonly_cannot_quote(tenant, customer):
    with pytest.raises(PermissionDenied):
        quotation(tenant.actor("readonly"), customer=customer)


def test_only_a_draft_can_be_deleted(tenant, customer, smtp_server):
    draft = quotation(tenant.actor("sales"), customer=customer)
    services.quotation_delete(actor=tenant.actor("sales"), quotation=draft)
    assert not Quotation.objects.filter(pk=draft.pk).exists()
    sent = _sent(tenant, customer)
    with pytest.raises(Conflict):
        services.quotation_delete(actor=tenant.actor("sales"), quotation=sent)


def test_product_line_uses_the_customers_price_list(tenant, customer):
    from shangyou.catalog.models import PriceList, PriceListItem
    from shangyou.core.services import model_create

    actor = tenant.actor("owner")
    drill = product(actor, sku="DR-1", name="电钻", price="299.00")
    price_list = model_create(
        actor=actor, instance=PriceList(name="恒通专价", customer=customer, currency="CNY")
    )
    model_create(
        actor=actor,
        instance=PriceListItem(price_list=price_list, product=drill, price=Decimal("259.00")),
    )
    q = quotation(actor, customer=customer, lines=[{"product_id": drill.pk, "quantity": "1"}])
    assert q.lines.get().unit_price == Decimal("259.0000")


# --- saving many lines (issue 5: a 50-line quotation) -----------------------------------------
def _queries(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def _price_book(actor, customer):
    """Products priced every way the catalogue knows: the customer's own list with a quantity
    tier, a general list, a list in US dollars (converted with the day's rate), the list price."""
    from shangyou.catalog.models import ExchangeRate, PriceList, PriceListItem
    from shangyou.core.services import model_create

    own = model_create(actor=actor, instance=PriceList(name="专价", customer=customer))
    general = model_create(actor=actor, instance=PriceList(name="通用", currency="CNY"))
    dollars = model_create(actor=actor, instance=PriceList(name="USD", currency="USD"))
    model_create(
        actor=actor,
        instance=ExchangeRate(
            currency="USD", rate=Decimal("7.1000"), valid_on=timezone.localdate()
        ),
    )
    products = []
    for i in range(12):
        item = product(actor, sku=f"PB{i}", name=f"产品{i}", price="100.00")
        kind = i % 4
        if kind == 0:
            for min_quantity, price in (("1", "90.00"), ("10", "80.00")):
                model_create(
                    actor=actor,
                    instance=PriceListItem(
                        price_list=own, product=item, min_quantity=Decimal(min_quantity),
                        price=Decimal(price),
                    ),
                )  # fmt: skip
        elif kind == 1:
            model_create(
                actor=actor,
                instance=PriceListItem(price_list=general, product=item, price=Decimal("95")),
            )
        elif kind == 2:
            model_create(
                actor=actor,
                instance=PriceListItem(price_list=dollars, product=item, price=Decimal("13")),
            )
        products.append(item)
    return products


def test_catalogue_prices_of_many_lines_are_each_lines_price_for(tenant, customer):
    from shangyou.catalog.selectors import price_for

    actor = tenant.actor("owner")
    products = _price_book(actor, customer)
    lines = [
        {"product_id": p.pk, "quantity": str(quantity)}
        for quantity in ("1", "12")
        for p in products
    ]
    q = quotation(actor, customer=customer, lines=lines)
    saved = list(selectors.quotation_lines(quotation=q))
    assert [line.position for line in saved] == list(range(1, 25))
    for line, wanted in zip(saved, lines, strict=True):
        one = price_for(
            actor=actor,
            product=next(p for p in products if p.pk == wanted["product_id"]),
            customer=customer,
            quantity=Decimal(wanted["quantity"]),
            currency="CNY",
        )
        assert line.unit_price == one.unit_price
    prices = {line.unit_price for line in saved}
    # own list 90, its tier from 10: 80, general list 95, 13 USD × 7.1 = 92.30, list price 100
    assert prices == {Decimal(p) for p in ("90", "80", "95", "92.3", "100")}


def test_a_fifty_line_quotation_costs_the_queries_of_a_one_line_quotation(tenant, customer):
    """No query per line: products, catalogue prices (price lists, tiers, exchange rates) and
    totals are read and computed once for all the lines."""
    actor = tenant.actor("sales")
    products = _price_book(tenant.actor("owner"), customer)

    def lines(n):
        return [
            {"product_id": products[i % len(products)].pk, "quantity": str(1 + i % 12)}
            for i in range(n)
        ]

    # the first quotation of the year creates the numbering sequence
    quotation(actor, customer=customer, lines=lines(12))
    few = _queries(lambda: quotation(actor, customer=customer, lines=lines(12)))
    many = _queries(lambda: quotation(actor, customer=customer, lines=lines(50)))
    assert many == few <= 17
    q = Quotation.objects.order_by("-id").first()
    assert q.lines.count() == 50
    assert q.total == sum(line.line_total for line in q.lines.all())


def test_a_created_quotation_is_audited_with_its_totals_and_on_the_timeline(tenant, customer):
    q = quotation(
        tenant.actor("sales"),
        customer=customer,
        lines=[{"description": "泵", "quantity": "2", "unit_price": "50", "tax_rate": "13"}],
    )
    assert q.total == Decimal("113.00")
    from django.contrib.contenttypes.models import ContentType

    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Quotation), object_id=str(q.pk)
    )
    assert entry.action == "create"
    assert entry.changes["total"] == [None, "113.00"]
    assert entry.changes["customer"][1]["id"] == customer.pk
    timeline = TimelineEntry.objects.get(customer=customer, kind="quotation")
    assert q.number in timeline.subject and "113.00" in timeline.subject


def test_the_quotation_follows_its_owners_team(tenant, customer):
    theirs = CustomerFactory(actor=tenant.actor("sales_b"), name="乙方客户")
    own = quotation(tenant.actor("sales_b"), customer=theirs)
    assert own.owner == tenant.user("sales_b") and own.team == tenant.team_b
    assigned = quotation(tenant.actor("owner"), customer=customer, owner_id=tenant.user("sales").pk)
    assert assigned.owner == tenant.user("sales") and assigned.team == tenant.team_a
    mine = quotation(tenant.actor("owner"), customer=customer)
    assert mine.owner == tenant.user("owner") and mine.team is None


def test_an_invalid_field_is_refused_without_saving_anything(tenant, customer):
    with pytest.raises(ValidationFailed):
        quotation(tenant.actor("sales"), customer=customer, terms="x", language="fr")
    q = quotation(tenant.actor("sales"), customer=customer)
    with pytest.raises(ValidationFailed):
        services.quotation_update(
            actor=tenant.actor("sales"),
            quotation=q,
            data={"discount_percent": "1000"},
            version=q.version,
        )
    q.refresh_from_db()
    assert q.discount_percent == 0 and q.version == 1
    assert Quotation.objects.filter(customer=customer).count() == 1
