from django.db import migrations, models


class Migration(migrations.Migration):
    # The default: atomic, one transaction for the whole migration.  On a
    # big table, with safe_ddl.defer, nothing here is refused: the indexes
    # are built and the CHECK validated after commit.
    dependencies = [("shop", "0002_more_fields")]

    operations = [
        migrations.AddIndex(
            "order", models.Index(fields=["status"], name="shop_order_status_idx")
        ),
        migrations.AddConstraint(
            "order",
            models.CheckConstraint(check=models.Q(total__gte=0), name="shop_order_total_nonneg"),
        ),
        migrations.AddField(
            "order",
            "referrer",
            models.ForeignKey("shop.Customer", null=True, on_delete=models.SET_NULL,
                              related_name="referred"),
        ),
    ]
