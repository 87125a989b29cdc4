from django.db import migrations

from shangyou.core.search import SearchIndex


class Migration(migrations.Migration):
    dependencies = [("network", "0001_platform")]
    operations = [SearchIndex(table="network_companyprofile")]
