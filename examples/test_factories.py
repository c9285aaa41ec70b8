"""Examples for docs/factories.md: async factory_boy factories and model_bakery."""

import factory
import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from restflow_test import AsyncAPITestCase
from restflow_test.bakery import amake, aprepare
from restflow_test.factories import AsyncDjangoModelFactory
from testproject.shop.models import Product


# --8<-- [start:factories]
class UserFactory(AsyncDjangoModelFactory):  # instead of factory.django.DjangoModelFactory
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("s3cret")

    @factory.post_generation
    async def token(user, create, extracted, **kwargs):
        """An async hook: awaited by acreate() once the user is saved."""
        if create and extracted is not False:
            await Token.objects.acreate(user=user)


class ProductFactory(AsyncDjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    price = "9.99"
    owner = factory.SubFactory(UserFactory)
# --8<-- [end:factories]


# --8<-- [start:pytest]
@pytest.mark.django_db
async def test_the_owner_can_delete_their_product(async_client):
    product = await ProductFactory.acreate(name="Lamp")  # and its owner, and a token
    token = await Token.objects.aget(user=product.owner)
    async_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = await async_client.delete(f"/api/products/{product.pk}/")

    assert response.status_code == 204
    assert not await Product.objects.filter(pk=product.pk).aexists()


@pytest.mark.django_db
async def test_the_list_shows_every_product(async_client):
    await ProductFactory.acreate_batch(3)
    response = await async_client.get("/api/async/products/")
    assert len(response.data) == 3
# --8<-- [end:pytest]


# --8<-- [start:testcase]
class ProductFactoryTests(AsyncAPITestCase):
    async def test_users_built_without_saving_get_no_token(self):
        user = await UserFactory.abuild()
        assert user.pk is None
        assert await Token.objects.acount() == 0

    async def test_only_owners_may_change_a_product(self):
        product = await ProductFactory.acreate()
        stranger = await UserFactory.acreate(token=False)  # `extracted` is False
        self.client.force_authenticate(stranger)
        response = await self.client.patch(f"/api/async/products/{product.pk}/", {"price": "1"})
        assert response.status_code == 403
# --8<-- [end:testcase]


# --8<-- [start:bakery]
@pytest.mark.django_db
async def test_in_stock_products_are_listed(async_client):
    await amake(Product, in_stock=True, _quantity=2)
    draft = await aprepare(Product, name="Draft")  # not saved

    response = await async_client.get("/api/async/products/")

    assert len(response.data) == 2
    assert draft.pk is None
# --8<-- [end:bakery]
