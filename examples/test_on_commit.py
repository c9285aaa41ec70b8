"""Examples for docs/on-commit.md: testing work deferred with transaction.on_commit.

The test project drops its cached product list in an on_commit callback; the cached
view answers with ``X-Cache: hit`` or ``miss``.
"""

import pytest

from restflow_test import AsyncAPITestCase, AsyncAPITransactionTestCase
from testproject.shop.models import Product

CACHED = "/api/async/products/cached/"


# --8<-- [start:capture]
class CaptureTests(AsyncAPITestCase):
    async def test_a_new_product_drops_the_cached_list(self):
        await self.client.get(CACHED)  # fills the cache

        async with self.acaptureOnCommitCallbacks(execute=True) as callbacks:
            await Product.objects.acreate(name="Lamp", price="12.50")

        self.assertEqual(len(callbacks), 1)
        response = await self.client.get(CACHED)
        self.assertEqual(response["X-Cache"], "miss")
# --8<-- [end:capture]


# --8<-- [start:transaction_base]
class CommitTests(AsyncAPITransactionTestCase):
    async def test_a_new_product_drops_the_cached_list(self):
        await self.client.get(CACHED)

        await Product.objects.acreate(name="Lamp", price="12.50")  # commits: callback runs

        response = await self.client.get(CACHED)
        self.assertEqual(response["X-Cache"], "miss")
        self.assertEqual([p["name"] for p in response.data], ["Lamp"])
# --8<-- [end:transaction_base]


# --8<-- [start:pytest_transaction]
@pytest.mark.django_db(transaction=True)
async def test_commit_for_real(async_api_client):
    await async_api_client.get(CACHED)
    await Product.objects.acreate(name="Lamp", price="12.50")
    assert (await async_api_client.get(CACHED))["X-Cache"] == "miss"
# --8<-- [end:pytest_transaction]


# --8<-- [start:pytest_capture]
@pytest.mark.django_db
async def test_capture_in_pytest(async_api_client, async_capture_on_commit_callbacks, user):
    async_api_client.force_authenticate(user)
    await async_api_client.get(CACHED)

    async with async_capture_on_commit_callbacks(execute=True) as callbacks:
        # The view's write registers the callback; it is captured all the same.
        await async_api_client.post("/api/async/products/", {"name": "Lamp", "price": "1"})

    assert len(callbacks) == 1
    assert (await async_api_client.get(CACHED))["X-Cache"] == "miss"
# --8<-- [end:pytest_capture]


# --8<-- [start:pitfall]
class ForgottenCaptureTests(AsyncAPITestCase):
    async def test_nothing_commits_so_the_callback_never_runs(self):
        await self.client.get(CACHED)
        await Product.objects.acreate(name="Lamp", price="12.50")
        response = await self.client.get(CACHED)
        self.assertEqual(response["X-Cache"], "hit")  # stale: the callback never ran
# --8<-- [end:pitfall]
