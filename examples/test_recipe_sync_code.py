"""Examples for docs/recipe-sync-code.md: sync project code in async tests."""

import factory
import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.db.models.signals import post_save

from restflow_test import AsyncAPITestCase
from restflow_test.factories import AsyncDjangoModelFactory
from testproject.shop.models import Customer, Product
from testproject.shop.services import discontinue, product_discontinued

pytestmark = pytest.mark.django_db


# --8<-- [start:service]
async def test_a_discontinued_product_is_shown_out_of_stock(async_client):
    lamp = await Product.objects.acreate(name="Lamp", price="9.99")

    await sync_to_async(discontinue)(lamp, reason="recall")  # sync service, awaited

    response = await async_client.get(f"/api/async/products/{lamp.pk}/")
    assert response.data["in_stock"] is False


async def test_calling_the_service_directly_fails():
    lamp = await Product.objects.acreate(name="Lamp", price="9.99")
    with pytest.raises(SynchronousOnlyOperation):
        discontinue(lamp, reason="recall")  # the ORM refuses to run in the event loop
# --8<-- [end:service]


# --8<-- [start:signals]
async def test_sync_receivers_run_with_the_sync_code_that_sends(async_client):
    seen = []

    def count_products(sender, product, reason, **kwargs):
        seen.append((reason, Product.objects.filter(in_stock=True).count()))  # sync ORM

    def on_save(sender, instance, created, **kwargs):
        seen.append(("saved", Product.objects.count()))  # runs inside acreate's thread

    product_discontinued.connect(count_products)
    post_save.connect(on_save, sender=Product)
    try:
        lamp = await Product.objects.acreate(name="Lamp", price="9.99")
        await sync_to_async(discontinue)(lamp, reason="recall")
    finally:
        product_discontinued.disconnect(count_products)
        post_save.disconnect(on_save, sender=Product)

    assert seen == [("saved", 1), ("saved", 1), ("recall", 0)]
# --8<-- [end:signals]


# --8<-- [start:manager]
async def test_a_manager_without_acreate_user(async_client):
    assert not hasattr(Customer.objects, "acreate_user")  # only Django's UserManager has it

    await sync_to_async(Customer.objects.create_user)("ann", password="s3cret")

    assert await async_client.alogin(username="ann", password="s3cret")
# --8<-- [end:manager]


# --8<-- [start:factory]
class CustomerFactory(AsyncDjangoModelFactory):
    class Meta:
        model = Customer

    username = factory.Sequence(lambda n: f"customer{n}")
    password = "s3cret"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)  # the project's own path


class CustomerTests(AsyncAPITestCase):
    async def test_customers_log_in_with_their_password(self):
        ann = await CustomerFactory.acreate()
        self.assertTrue(await self.client.alogin(username=ann.username, password="s3cret"))
# --8<-- [end:factory]
