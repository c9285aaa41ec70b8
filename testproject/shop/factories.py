"""factory_boy factories for the shop, written once for sync and async tests."""

import factory
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from restflow_test.factories import AsyncDjangoModelFactory

from .models import Product


class UserFactory(AsyncDjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("s3cret")

    @factory.post_generation
    async def token(user, create, extracted, **kwargs):
        """An API token for every saved user (`token=False` skips it)."""
        if create and extracted is not False:
            await Token.objects.acreate(user=user)


class ProductFactory(AsyncDjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    price = "9.99"
    owner = factory.SubFactory(UserFactory)
