from django.db import migrations

from shangyou.core.search import SearchIndex


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalog")]
    operations = [SearchIndex(table="catalog_product")]
