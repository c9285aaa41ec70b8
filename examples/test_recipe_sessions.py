"""Examples for docs/recipe-sessions.md: reading and writing the client's session."""

import pytest
from django.core.exceptions import SynchronousOnlyOperation

from restflow_test import AsyncAPITestCase

pytestmark = pytest.mark.django_db


# --8<-- [start:prefill]
async def test_the_cart_shows_what_the_session_holds(async_client):
    session = await async_client.asession()  # created, saved, cookie set
    await session.aset("cart", [7, 8])
    await session.asave()

    response = await async_client.get("/api/cart/")

    assert response.data == {"cart": [7, 8]}
# --8<-- [end:prefill]


# --8<-- [start:inspect]
async def test_adding_to_the_cart_is_stored_in_the_session(async_client):
    await async_client.post("/api/cart/", {"product": 7})
    await async_client.post("/api/cart/", {"product": 9})

    session = await async_client.asession()  # the session the cookie points to
    assert await session.aget("cart") == [7, 9]
# --8<-- [end:inspect]


# --8<-- [start:sync_access]
async def test_sync_item_access_needs_the_async_methods(async_client):
    await async_client.post("/api/cart/", {"product": 7})
    session = await async_client.asession()
    with pytest.raises(SynchronousOnlyOperation):
        session["cart"]  # loads from the database synchronously: use `await session.aget()`
# --8<-- [end:sync_access]


# --8<-- [start:testcase]
class CartTests(AsyncAPITestCase):
    async def test_logging_out_empties_the_cart(self):
        await self.client.post("/api/cart/", {"product": 7})
        await self.client.alogout()
        response = await self.client.get("/api/cart/")
        self.assertEqual(response.data, {"cart": []})
# --8<-- [end:testcase]
