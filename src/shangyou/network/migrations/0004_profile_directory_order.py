from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("network", "0003_message_quoted_product")]

    operations = [
        migrations.AddField(
            model_name="companyprofile",
            name="company_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="companyprofile",
            name="company_verified",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="companyprofile",
            index=models.Index(
                fields=["is_public", "-company_verified", "company_name", "id"],
                name="profile_directory_order",
            ),
        ),
        migrations.AddIndex(
            model_name="companyprofile",
            index=models.Index(
                condition=models.Q(is_public=False), fields=["company"], name="profile_hidden"
            ),
        ),
    ]
