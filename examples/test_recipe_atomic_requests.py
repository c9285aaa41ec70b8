"""Examples for docs/recipe-atomic-requests.md: what ATOMIC_REQUESTS adds to a count."""

from unittest import mock

import pytest
from django.db import connection

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product


# --8<-- [start:fixture]
@pytest.fixture
def atomic_requests():
    """Turn on ATOMIC_REQUESTS for one test (every thread shares this settings dict)."""
    with mock.patch.dict(connection.settings_dict, {"ATOMIC_REQUESTS": True}):
        yield
# --8<-- [end:fixture]


# --8<-- [start:count]
@pytest.mark.django_db
async def test_without_atomic_requests_the_list_is_one_query(async_client, async_assert_num_queries):
    await Product.objects.acreate(name="Lamp", price="9.99")
    async with async_assert_num_queries(1) as captured:
        await async_client.get("/api/products/")
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.django_db
async def test_atomic_requests_add_a_savepoint_around_the_view(
        async_client, async_assert_num_queries, atomic_requests):
    await Product.objects.acreate(name="Lamp", price="9.99")
    async with async_assert_num_queries(3) as captured:
        await async_client.get("/api/products/")
    sql = [q["sql"] for q in captured.captured_queries]
    assert sql[0].startswith("SAVEPOINT") and sql[2].startswith("RELEASE SAVEPOINT")
# --8<-- [end:count]


# --8<-- [start:rollback]
@pytest.mark.django_db
async def test_a_rejected_request_rolls_back_its_savepoint_not_the_test(
        async_client, user, atomic_requests, async_assert_num_queries):
    await Product.objects.acreate(name="Kept", price="1.00")
    async_client.force_authenticate(user)

    async with async_assert_num_queries(3) as captured:
        response = await async_client.post("/api/products/", {"name": "", "price": "1.00"})

    assert response.status_code == 400
    assert captured.captured_queries[1]["sql"].startswith("ROLLBACK TO SAVEPOINT")
    assert [p.name async for p in Product.objects.all()] == ["Kept"]  # the test goes on
# --8<-- [end:rollback]


# --8<-- [start:transactional]
@pytest.mark.django_db(transaction=True)
async def test_in_a_transactional_test_the_view_gets_a_real_transaction(
        async_client, async_assert_num_queries, atomic_requests):
    async with async_assert_num_queries(3) as captured:
        await async_client.get("/api/products/")
    sql = [q["sql"] for q in captured.captured_queries]
    assert (sql[0], sql[2]) == ("BEGIN", "COMMIT")
# --8<-- [end:transactional]


# --8<-- [start:async_views]
@pytest.mark.django_db
async def test_async_views_refuse_atomic_requests(async_client, atomic_requests):
    with pytest.raises(RuntimeError, match="ATOMIC_REQUESTS with async views"):
        await async_client.get("/api/async/products/")
# --8<-- [end:async_views]


# --8<-- [start:testcase]
class AtomicRequestsTests(AsyncAPITestCase):
    async def test_the_savepoint_shows_in_the_count(self):
        with mock.patch.dict(connection.settings_dict, {"ATOMIC_REQUESTS": True}):
            async with self.aassertNumQueries(3):  # SAVEPOINT, SELECT, RELEASE SAVEPOINT
                await self.client.get("/api/products/")
# --8<-- [end:testcase]
