"""Build the sales rollups of the orders already in the database (a data migration: the
statistics read only the rollups from now on). Reversible: going back drops the tables anyway.

It runs the rollup SQL of `analytics.rollup` (the same statements as `shangyou
rebuild_sales_rollup`) per company with orders; a fresh database has none and runs nothing.
The orders already counted get their customer's grade and region of today as their snapshot.
On PostgreSQL with 5,000,000 orders / 20,000,000 lines, expect a few minutes."""

from django.db import migrations


def build(apps, schema_editor):
    from shangyou.analytics import rollup

    SalesOrder = apps.get_model("orders", "SalesOrder")
    companies = SalesOrder._base_manager.values_list("company_id", flat=True).distinct()
    for company_id in sorted(set(companies.order_by())):  # only companies that sold something
        rollup.rebuild(company_id=company_id)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_sales_rollups"),
        ("orders", "0002_order_payment_terms_and_team_index"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
