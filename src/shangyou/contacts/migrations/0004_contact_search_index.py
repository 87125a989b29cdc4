from django.db import migrations

from shangyou.core.search import SearchIndex


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_customer_management")]
    operations = [SearchIndex(table="contacts_contact")]
