from django.db import migrations

from shangyou.core.search import SearchIndex


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [SearchIndex(table="contacts_customer")]
