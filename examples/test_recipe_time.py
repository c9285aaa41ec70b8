"""Examples for docs/recipe-time.md: controlling time in async tests."""

import asyncio
import datetime as dt

import pytest
import time_machine
from freezegun import freeze_time

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product

NEW_YEAR = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


# --8<-- [start:fixture]
@pytest.mark.django_db
async def test_new_products_are_stamped_with_the_time_of_creation(async_client, user, time_machine):
    time_machine.move_to(NEW_YEAR, tick=False)  # time-machine's pytest fixture
    async_client.force_authenticate(user)

    response = await async_client.post("/api/async/products/", {"name": "Lamp", "price": "9.99"})
    await asyncio.sleep(0.01)  # the event loop keeps real time: this returns

    assert dt.datetime.fromisoformat(response.data["created_at"]) == NEW_YEAR
# --8<-- [end:fixture]


# --8<-- [start:testcase]
class StampTests(AsyncAPITestCase):
    @time_machine.travel(NEW_YEAR, tick=False)
    async def test_the_stamp_is_the_frozen_time(self):
        lamp = await Product.objects.acreate(name="Lamp", price="9.99")
        response = await self.client.get(f"/api/async/products/{lamp.pk}/")
        self.assertEqual(dt.datetime.fromisoformat(response.data["created_at"]), NEW_YEAR)

    async def test_time_moves_on_when_told(self):
        with time_machine.travel(NEW_YEAR, tick=False) as traveller:
            first = await Product.objects.acreate(name="A", price="1")
            traveller.shift(dt.timedelta(days=1))
            second = await Product.objects.acreate(name="B", price="1")
        self.assertEqual(second.created_at - first.created_at, dt.timedelta(days=1))
# --8<-- [end:testcase]


# --8<-- [start:freezegun]
@pytest.mark.django_db
async def test_freezegun_needs_real_asyncio():
    with freeze_time(NEW_YEAR, real_asyncio=True):  # without it, the sleep never returns
        await asyncio.sleep(0.01)
        lamp = await Product.objects.acreate(name="Lamp", price="9.99")
    assert lamp.created_at == NEW_YEAR
# --8<-- [end:freezegun]
