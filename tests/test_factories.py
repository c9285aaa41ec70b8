"""Async factory_boy and model_bakery helpers, against the real stack."""

import asyncio
import subprocess
import sys

import factory
import httpx
import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from examples.test_factories import ProductFactory, UserFactory
from restflow_test import AsyncAPITestCase
from restflow_test.bakery import amake, aprepare
from restflow_test.factories import AsyncDjangoModelFactory
from testproject.shop.models import Product

from .helpers import problems, run_case
from .test_pytest_plugin import inner  # noqa: F401  (the inner pytest run fixture)

pytestmark = pytest.mark.django_db


async def test_acreate_saves_a_row_that_views_see(client):
    product = await ProductFactory.acreate(name="Lamp")
    for url in ("/api/products/", "/api/async/products/"):
        response = await client.get(url)
        assert [p["name"] for p in response.data] == ["Lamp"], url
    assert product.pk and product.owner.pk


async def test_acreate_awaits_async_post_generation_hooks():
    user = await UserFactory.acreate()
    assert await Token.objects.filter(user=user).aexists()


async def test_async_hook_gets_the_extracted_value():
    user = await UserFactory.acreate(token=False)
    assert not await Token.objects.filter(user=user).aexists()


async def test_async_hooks_of_sub_factories_are_awaited_too():
    product = await ProductFactory.acreate()
    assert await Token.objects.filter(user_id=product.owner_id).aexists()


async def test_acreate_batch_creates_all_and_awaits_every_hook():
    users = await UserFactory.acreate_batch(3)
    assert len({user.pk for user in users}) == 3
    assert await Token.objects.filter(user__in=users).acount() == 3


async def test_concurrent_acreate_calls_each_await_their_own_hooks():
    users = await asyncio.gather(*(UserFactory.acreate() for _ in range(3)))
    tokens = [user_id async for user_id in Token.objects.values_list("user_id", flat=True)]
    assert sorted(tokens) == sorted(user.pk for user in users)


async def test_abuild_saves_nothing_and_hooks_see_create_false():
    user = await UserFactory.abuild()
    assert user.pk is None
    assert await User.objects.acount() == 0
    assert await Token.objects.acount() == 0


async def test_hooks_run_after_the_instance_is_saved():
    seen = []

    class RecordingFactory(AsyncDjangoModelFactory):
        class Meta:
            model = Product

        name = "Recorded"
        price = "1.00"

        @factory.post_generation
        async def check(product, create, extracted, **kwargs):
            seen.append(await Product.objects.filter(pk=product.pk).aexists())

    await RecordingFactory.acreate()
    assert seen == [True]


def test_sync_create_with_an_async_hook_says_to_use_acreate():
    with pytest.raises(TypeError, match=r"`token`.*await UserFactory\.acreate\(\.\.\.\)"):
        UserFactory.create()


def test_sync_build_with_an_async_hook_says_to_use_abuild():
    with pytest.raises(TypeError, match=r"sync `build\(\)` cannot await: use `await UserFactory\.abuild"):
        UserFactory.build()


def test_sync_create_without_async_hooks_still_works():
    product = ProductFactory.create(owner=None)
    assert Product.objects.get().pk == product.pk


async def test_a_failing_async_hook_propagates_and_closes_the_rest():
    class FailingFactory(AsyncDjangoModelFactory):
        class Meta:
            model = Product

        name = "Failing"
        price = "1.00"

        @factory.post_generation
        async def first(product, create, extracted, **kwargs):
            raise ValueError("hook failed")

        @factory.post_generation
        async def second(product, create, extracted, **kwargs):
            raise AssertionError("must not run")

    with pytest.raises(ValueError, match="hook failed"):
        await FailingFactory.acreate()


async def test_amake_saves_a_row_that_views_see(client):
    await amake(Product, name="Baked", price="2.00", owner=None)
    response = await client.get("/api/async/products/")
    assert [p["name"] for p in response.data] == ["Baked"]


async def test_amake_with_quantity_returns_a_list():
    products = await amake(Product, _quantity=3, owner=None)
    assert len(products) == 3
    assert await Product.objects.acount() == 3


async def test_aprepare_saves_nothing():
    product = await aprepare(Product, name="Draft")
    assert product.pk is None and product.name == "Draft"
    assert await Product.objects.acount() == 0


class FactoryTestCaseTests(AsyncAPITestCase):
    async def test_1_acreate_rows_reach_the_view(self):
        await ProductFactory.acreate(name="In a TestCase")
        await amake(Product, name="Baked in a TestCase", owner=None)
        response = await self.client.get("/api/products/")
        assert [p["name"] for p in response.data] == ["In a TestCase", "Baked in a TestCase"]

    async def test_2_nothing_is_left_behind(self):
        assert await Product.objects.acount() == 0
        assert await User.objects.acount() == 0


def test_testcase_rows_are_rolled_back_between_tests():
    result = run_case(FactoryTestCaseTests, "test_1_acreate_rows_reach_the_view",
                      "test_2_nothing_is_left_behind")
    assert problems(result) == []
    assert result.testsRun == 2


FACTORY_SUITE = '''
import pytest
from restflow_test.bakery import amake
from examples.test_factories import ProductFactory, UserFactory
from testproject.shop.models import Product
from django.contrib.auth.models import User


@pytest.mark.django_db
async def test_1_create(async_api_client):
    await ProductFactory.acreate(name="from-factory")
    await UserFactory.acreate_batch(2)
    await amake(Product, name="from-bakery", owner=None)
    response = await async_api_client.get("/api/async/products/")
    assert sorted(p["name"] for p in response.data) == ["from-bakery", "from-factory"]


@pytest.mark.django_db
def test_2_nothing_left():
    assert Product.objects.count() == 0
    assert User.objects.count() == 0
'''


def test_pytest_rows_are_rolled_back_between_tests(inner):  # noqa: F811
    result = inner("auto", source=FACTORY_SUITE)
    result.assert_outcomes(passed=2)


def test_without_the_isolation_fix_factory_rows_leak(inner):  # noqa: F811
    result = inner("auto", "-o", "restflow_share_db_connections=false", source=FACTORY_SUITE)
    assert result.parseoutcomes().get("failed", 0) >= 1


@pytest.mark.parametrize(("module", "library"), [("factories", "factory"),
                                                  ("bakery", "model_bakery")])
def test_missing_library_names_the_extra(module, library):
    code = (
        f"import sys; sys.modules[{library!r}] = None\n"
        f"import restflow_test.{module}\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert 'pip install "restflow-test[factories]"' in result.stderr
    assert "During handling" not in result.stderr  # raised `from None`


async def test_live_server_sees_factory_rows(async_live_server):
    await ProductFactory.acreate(name="Over the wire")
    await amake(Product, name="Baked over the wire", owner=None)
    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        response = await http.get("/api/async/products/")
    assert [p["name"] for p in response.json()] == ["Over the wire", "Baked over the wire"]
