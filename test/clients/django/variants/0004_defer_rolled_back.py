from django.db import migrations, models


class Migration(migrations.Migration):
    # Atomic, and fails after its AddIndex: the transaction is rolled back,
    # and with it what safe_ddl queued.
    dependencies = [("shop", "0003_defer")]

    operations = [
        migrations.AddIndex(
            "order", models.Index(fields=["priority"], name="shop_order_priority_idx")
        ),
        migrations.RunSQL("SELECT 1 / 0"),
    ]
