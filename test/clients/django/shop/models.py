from django.db import models


class Customer(models.Model):
    email = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200, db_index=True)


class Order(models.Model):
    customer = models.ForeignKey(Customer, null=True, on_delete=models.CASCADE)
    customer_id_legacy = models.IntegerField(null=True)
    status = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField()
    note = models.TextField(null=True)
    priority = models.IntegerField(default=0)
