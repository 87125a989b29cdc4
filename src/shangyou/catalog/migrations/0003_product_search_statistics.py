from django.db import migrations

from shangyou.core.search import SearchStatistics


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_product_search_index")]
    operations = [SearchStatistics(table="catalog_product")]
