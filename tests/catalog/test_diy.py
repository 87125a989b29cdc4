"""DIY designs (P3): staff and portal submissions, review, feature, record rules."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shangyou.catalog import diy, selectors
from shangyou.catalog.models import DiyDesign
from shangyou.contacts.models import TimelineEntry
from shangyou.core.errors import NotFound, ValidationFailed
from tests.catalog.factories import make_product
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant):
    return CustomerFactory(actor=tenant.actor("sales"), name="创意家居")


def _design(tenant, customer, **kwargs):
    return diy.diy_design_create(
        actor=tenant.actor("sales"),
        customer=customer,
        title=kwargs.pop("title", "定制灯具"),
        upload=SimpleUploadedFile("lamp.pdf", b"%PDF-1.4 lamp"),
        **kwargs,
    )


def test_staff_attach_a_design_with_its_file_on_the_timeline(tenant, customer):
    product = make_product(tenant.actor("owner"), name="台灯")
    design = _design(tenant, customer, description="三种颜色", product=product)

    assert design.source == DiyDesign.Source.STAFF
    assert design.status == DiyDesign.Status.SUBMITTED
    assert design.file.read() == b"%PDF-1.4 lamp"
    assert design.file_name == "lamp.pdf"
    assert TimelineEntry.objects.filter(customer=customer, related_id=design.pk).exists()


def test_portal_submits_without_an_actor(tenant, customer):
    design = diy.diy_design_submit(company=tenant.company, customer=customer, title="我的设计")
    assert design.source == DiyDesign.Source.PORTAL
    assert design.created_by is None


def test_portal_cannot_submit_for_another_companys_customer(tenant, other_tenant, customer):
    with pytest.raises(NotFound):
        diy.diy_design_submit(company=other_tenant.company, customer=customer, title="x")


def test_file_type_is_checked(tenant, customer, english):
    with pytest.raises(ValidationFailed, match="cannot be uploaded"):
        diy.diy_design_create(
            actor=tenant.actor("sales"),
            customer=customer,
            title="x",
            upload=SimpleUploadedFile("run.exe", b"MZ"),
        )
    assert not DiyDesign.objects.exists()


def test_approve_then_feature(tenant, customer):
    design = _design(tenant, customer)
    design = diy.diy_design_review(actor=tenant.actor("manager"), design=design, approve=True)
    assert design.status == DiyDesign.Status.APPROVED
    assert design.reviewed_by == tenant.user("manager")
    design = diy.diy_design_feature(actor=tenant.actor("manager"), design=design)
    assert list(selectors.featured_designs(company=tenant.company)) == [design]


def test_reject_needs_a_note_and_unfeatures(tenant, customer, english):
    design = _design(tenant, customer)
    owner = tenant.actor("owner")
    design = diy.diy_design_review(actor=owner, design=design, approve=True)
    design = diy.diy_design_feature(actor=owner, design=design)
    with pytest.raises(ValidationFailed, match="Say why"):
        diy.diy_design_review(actor=owner, design=design, approve=False)

    design = diy.diy_design_review(actor=owner, design=design, approve=False, note="尺寸不可行")

    assert (design.status, design.is_featured, design.review_note) == (
        "rejected",
        False,
        "尺寸不可行",
    )


def test_only_approved_designs_can_be_featured(tenant, customer):
    with pytest.raises(ValidationFailed):
        diy.diy_design_feature(actor=tenant.actor("owner"), design=_design(tenant, customer))


def test_designs_follow_the_record_rules_of_their_customer(tenant, customer):
    design = _design(tenant, customer)
    assert list(selectors.diy_design_list(actor=tenant.actor("sales"))) == [design]
    assert list(selectors.diy_design_list(actor=tenant.actor("sales_b"))) == []
    with pytest.raises(NotFound):
        selectors.diy_design_get(actor=tenant.actor("sales_b"), id=design.pk)


def test_design_list_filters_by_status(tenant, customer):
    first = _design(tenant, customer, title="A")
    _design(tenant, customer, title="B")
    diy.diy_design_review(actor=tenant.actor("owner"), design=first, approve=True)
    approved = selectors.diy_design_list(actor=tenant.actor("owner"), status="approved")
    assert [d.title for d in approved] == ["A"]
