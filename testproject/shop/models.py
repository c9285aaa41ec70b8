from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import User
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    in_stock = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CustomerManager(BaseUserManager["Customer"]):
    """A project's own user manager: it has `create_user`, and no `acreate_user`."""

    def create_user(self, username: str, email: str = "", password: str | None = None) -> "Customer":
        if not username:
            raise ValueError("Customers need a username.")
        customer = self.model(username=username, email=self.normalize_email(email))
        customer.set_password(password)
        customer.save(using=self._db)
        return customer


class Customer(User):
    """Users as the shop sees them (a proxy: same table, own manager)."""

    objects = CustomerManager()  # type: ignore[misc]

    class Meta:
        proxy = True
