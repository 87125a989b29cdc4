import pytest
from django.db.models import F

from shangyou.contacts.models import Contact, Customer
from shangyou.core.compiled import CompiledQuery


def _contacts_named(name: str):
    return (
        Contact.objects.filter(name=name)
        .select_related("customer")
        .annotate(customer_name=F("customer__name"))
        .order_by("id")
    )


def test_a_compiled_query_runs_with_new_values_and_builds_what_the_queryset_builds(
    tenant, django_assert_num_queries
):
    acme = Customer.objects.create(company=tenant.company, name="甲客户")
    beta = Customer.objects.create(company=tenant.company, name="乙客户")
    first = Contact.objects.create(company=tenant.company, customer=acme, name="张伟")
    second = Contact.objects.create(company=tenant.company, customer=beta, name="张伟")
    Contact.objects.create(company=tenant.company, customer=beta, name="李娜")
    compiled = CompiledQuery(_contacts_named, name=str)

    assert compiled.run(name="王芳") == []
    with django_assert_num_queries(1):  # the parents come joined, as with select_related
        found = compiled.run(name="张伟")
        assert [(c.pk, c.customer.name, c.customer_name) for c in found] == [
            (first.pk, "甲客户", "甲客户"),
            (second.pk, "乙客户", "乙客户"),
        ]
    expected = list(_contacts_named("李娜"))
    (lina,) = compiled.run(name="李娜")
    assert lina == expected[0] and lina.created_at == expected[0].created_at  # converted
    assert lina.customer.company_id == tenant.company.pk

    # not a snapshot: each run reads the table as it is now
    Contact.objects.filter(pk=first.pk).update(name="张伟强")
    assert [c.pk for c in compiled.run(name="张伟")] == [second.pk]


def test_a_compiled_query_wants_exactly_its_values():
    compiled = CompiledQuery(_contacts_named, name=str)
    with pytest.raises(TypeError):
        compiled.run()
    with pytest.raises(TypeError):
        compiled.run(name="x", other="y")


def test_a_value_that_is_not_a_plain_parameter_is_refused(db):
    # the value goes through a function first: it is not passed to the database as given
    compiled = CompiledQuery(lambda name: Customer.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="plain query parameter"):
        compiled.run(name="甲")


def test_an_integer_value(tenant, other_tenant):
    ours = Customer.objects.create(company=tenant.company, name="甲客户")
    Customer.objects.create(company=other_tenant.company, name="乙客户")
    compiled = CompiledQuery(
        lambda company_id: Customer.objects.filter(company_id=company_id).order_by("id"),
        company_id=int,
    )
    assert compiled.run(company_id=tenant.company.pk) == [ours]
    assert compiled.run(company_id=0) == []
    with pytest.raises(TypeError):
        CompiledQuery(lambda when: Customer.objects.filter(created_at=when), when=object)
