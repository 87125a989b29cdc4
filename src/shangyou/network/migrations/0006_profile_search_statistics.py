from django.db import migrations

from shangyou.core.search import SearchStatistics


class Migration(migrations.Migration):
    dependencies = [("network", "0005_profile_directory_order_data")]
    operations = [SearchStatistics(table="network_companyprofile")]
