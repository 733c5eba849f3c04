from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    # On a fresh install the table is empty: none of this may be refused.
    operations = [
        migrations.AddField("order", "note", models.TextField(null=True)),
        migrations.AddField("order", "priority", models.IntegerField(default=0)),
        migrations.AlterField("order", "customer_id_legacy", models.IntegerField(null=True)),
        migrations.AlterField("order", "status", models.CharField(max_length=40)),
    ]
