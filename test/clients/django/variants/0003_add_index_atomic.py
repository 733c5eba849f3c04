from django.db import migrations, models


class Migration(migrations.Migration):
    # The default: atomic, one transaction for the whole migration.
    dependencies = [("shop", "0002_more_fields")]

    operations = [
        migrations.AddIndex(
            "order", models.Index(fields=["status"], name="shop_order_status_idx")
        ),
    ]
