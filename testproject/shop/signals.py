"""Cache invalidation deferred to commit: the classic on_commit pattern."""

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
