"""Work deferred to commit: cache invalidation and realtime pushes (the on_commit pattern)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Product

PRODUCT_LIST_CACHE_KEY = "shop:product-list"


@receiver(post_save, sender=Product)
@receiver(post_delete, sender=Product)
def invalidate_product_list(instance: Product, signal: object, **kwargs: object) -> None:
    # Only once the write is really committed: drop the cached list, and tell the
    # WebSocket subscribers about a saved product. One callback per write.
    saved = signal is post_save

    def after_commit() -> None:
        cache.delete(PRODUCT_LIST_CACHE_KEY)
        if saved:
            from .consumers import push_product_change

            push_product_change(instance)

    transaction.on_commit(after_commit)
