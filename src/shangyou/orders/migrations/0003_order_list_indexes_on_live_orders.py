"""The order list's indexes become partial (orders not in the trash, as every list reads them), so
a bounded count is an index-only scan; the owner index gets the id tie-break, and the list's sort
by amount gets an index of its own."""

from django.db import migrations, models

LIVE = models.Q(("deleted_at__isnull", True))


def _index(fields, name):
    return models.Index(condition=LIVE, fields=fields, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_payment_terms_and_team_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="salesorder", name="order_recent"),
        migrations.RemoveIndex(model_name="salesorder", name="order_status"),
        migrations.RemoveIndex(model_name="salesorder", name="order_customer"),
        migrations.RemoveIndex(model_name="salesorder", name="order_owner"),
        migrations.RemoveIndex(model_name="salesorder", name="order_team"),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "-order_date", "-id"], "order_recent"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "status", "-order_date", "-id"], "order_status"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "customer", "-order_date", "-id"], "order_customer"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "owner", "-order_date", "-id"], "order_owner"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "team", "-order_date", "-id"], "order_team"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=_index(["company", "-total", "-id"], "order_amount"),
        ),
    ]
