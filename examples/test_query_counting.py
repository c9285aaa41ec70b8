"""Examples for docs/query-counting.md."""

import pytest

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product


# --8<-- [start:testcase]
class ListQueryTests(AsyncAPITestCase):
    async def test_the_list_costs_one_query_however_long_it_is(self):
        for n in range(5):
            await Product.objects.acreate(name=f"p{n}", price="1.00")

        async with self.aassertNumQueries(1):  # select_related: no query per owner
            await self.client.get("/api/async/products/")

    async def test_the_sync_form_counts_awaited_orm_calls_too(self):
        with self.assertNumQueries(2):
            await Product.objects.acreate(name="Lamp", price="12.50")
            await Product.objects.acount()
# --8<-- [end:testcase]


# --8<-- [start:pytest]
@pytest.mark.django_db
async def test_listing_costs_one_query(async_api_client, async_assert_num_queries):
    await Product.objects.acreate(name="Lamp", price="12.50")
    async with async_assert_num_queries(1):
        await async_api_client.get("/api/async/products/")
# --8<-- [end:pytest]
