from django.db import migrations

from shangyou.core.search import SearchStatistics


class Migration(migrations.Migration):
    dependencies = [("contacts", "0007_timeline_sales_kinds")]
    operations = [
        SearchStatistics(table="contacts_customer"),
        SearchStatistics(table="contacts_contact"),
    ]
