"""Copy each company's name and verified badge to its profile (the directory's order), in one
UPDATE whatever the number of profiles."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_company(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    CompanyProfile = apps.get_model("network", "CompanyProfile")
    company = Company.objects.filter(pk=OuterRef("company_id"))
    CompanyProfile.objects.update(
        company_name=Subquery(company.values("name")[:1]),
        company_verified=Subquery(company.values("is_verified")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("network", "0004_profile_directory_order"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(copy_company, migrations.RunPython.noop)]
