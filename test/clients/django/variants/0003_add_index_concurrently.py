from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # What safe_ddl's HINT tells the developer to write.
    atomic = False
    dependencies = [("shop", "0002_more_fields")]

    operations = [
        AddIndexConcurrently(
            "order", models.Index(fields=["status"], name="shop_order_status_idx")
        ),
    ]
