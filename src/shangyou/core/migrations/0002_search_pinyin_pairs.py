"""Recompute the search columns of every searchable row: `search_grams` now holds the pinyin
pairs ('zhangwei') that whole-syllable queries look up (a data migration: without the pairs, such
a query would not find the rows written before it). The same result as `shangyou
search_reindex --now`, for customers, contacts, products and directory profiles; a fresh
database has no rows and runs nothing. The fields are named here, as they were when this
migration was written, so that it runs against the tables as they are at this point. On
PostgreSQL, a million customers take several minutes (every changed row is written once)."""

from django.db import migrations

from shangyou.core.search import search_fields

BATCH = 2000

#: app label, model, fields read, and the row's search_fields() arguments from them.
SEARCHABLE = (
    (
        "contacts",
        "Customer",
        ("name", "phone", "email", "code"),
        lambda r: {"names": [r.name], "phones": [r.phone], "emails": [r.email], "extra": [r.code]},
    ),
    (
        "contacts",
        "Contact",
        ("name", "phone", "mobile", "email", "wechat", "qq"),
        lambda r: {
            "names": [r.name],
            "phones": [r.phone, r.mobile],
            "emails": [r.email],
            "extra": [r.wechat, r.qq],
        },
    ),
    (
        "catalog",
        "Product",
        ("name", "name_en", "sku", "barcode"),
        lambda r: {"names": [r.name, r.name_en], "extra": [r.sku, r.barcode]},
    ),
    (
        "network",
        "CompanyProfile",
        ("company__name", "main_products", "industries", "tagline", "city", "province"),
        lambda r: {
            "names": [r.company.name],
            "extra": [r.main_products, r.industries, r.tagline, r.city, r.province],
        },
    ),
)


def recompute(apps, schema_editor):
    for app_label, model_name, fields, parts in SEARCHABLE:
        model = apps.get_model(app_label, model_name)
        rows = model._base_manager.only("search_text", "search_grams", *fields)
        if "company__name" in fields:
            rows = rows.select_related("company")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            changed = []
            for row in batch:
                values = search_fields(**parts(row))
                text, grams = values["search_text"], values["search_grams"]
                if (row.search_text, row.search_grams) != (text, grams):
                    row.search_text, row.search_grams = text, grams
                    changed.append(row)
            model._base_manager.bulk_update(changed, ["search_text", "search_grams"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("contacts", "0007_timeline_sales_kinds"),
        ("catalog", "0003_product_search_statistics"),
        ("network", "0006_profile_search_statistics"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
