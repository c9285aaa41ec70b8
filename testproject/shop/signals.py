"""Work deferred to commit: cache invalidation and realtime pushes (on_commit)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Product

PRODUCT_LIST_CACHE_KEY = "shop:product-list"


@receiver(post_save, sender=Product)
@receiver(post_delete, sender=Product)
def invalidate_product_list(**kwargs: object) -> None:
    # Only drop the cached list once the write is really committed.
    transaction.on_commit(lambda: cache.delete(PRODUCT_LIST_CACHE_KEY))


@receiver(post_save, sender=Product)
def push_product_change(instance: Product, **kwargs: object) -> None:
    # Subscribers hear about the change once it is committed, not before.
    from .consumers import push_product_change

    transaction.on_commit(lambda: push_product_change(instance))
