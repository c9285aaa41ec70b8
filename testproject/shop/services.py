"""Sync service code, as most projects have it: ORM calls, a transaction, a signal."""

from django.db import transaction
from django.dispatch import Signal

from .models import Product

# Sent with `product` and `reason` when a product is taken off sale.
product_discontinued = Signal()


def discontinue(product: Product, *, reason: str) -> None:
    """Take a product off sale and tell whoever listens."""
    with transaction.atomic():
        product.in_stock = False
        product.save(update_fields=["in_stock"])
        product_discontinued.send(sender=Product, product=product, reason=reason)
