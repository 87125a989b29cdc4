from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(
                condition=models.Q(is_active=False), fields=["id"], name="company_inactive"
            ),
        ),
    ]
