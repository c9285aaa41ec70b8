"""Examples for docs/failure-reports.md: failures that say why."""

import sys

import pytest
from dirty_equals import IsDatetime, IsInt, IsList, IsPartialDict

from restflow_test import AsyncAPITestCase, assert_status
from testproject.shop.models import Product


# --8<-- [start:assert_status]
@pytest.mark.django_db
async def test_a_wrong_status_shows_the_exchange(async_client, user):
    await async_client.aforce_login(user)
    response = await async_client.post("/api/products/", {"name": "Lamp"})  # no price

    with pytest.raises(AssertionError) as failure:  # to show the message; you'd just call it
        assert_status(response, 201)

    message = str(failure.value)
    assert message.startswith("Expected status 201 Created, got 400 Bad Request.")
    assert "> POST /api/products/" in message  # the request, with its JSON body
    assert '"price": [\n    "This field is required."\n  ]' in message  # the reason
# --8<-- [end:assert_status]


# --8<-- [start:masked]
@pytest.mark.django_db
async def test_secrets_never_reach_the_report(async_client, user):
    login = await async_client.post("/api/token/", {"username": "maria", "password": "s3cret"})
    key = login.json()["token"]
    with pytest.raises(AssertionError) as failure:
        assert_status(login, 201)  # it is a 200
    assert '"password": "***"' in str(failure.value)  # in the request body
    assert '"token": "***"' in str(failure.value)  # in the response body

    async_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = await async_client.post("/api/products/", {"name": "Lamp"})
    with pytest.raises(AssertionError) as failure:
        assert_status(response, 201)
    assert "> Authorization: Token ***" in str(failure.value)  # the scheme stays
    assert "s3cret" not in str(failure.value) and key not in str(failure.value)
# --8<-- [end:masked]


# --8<-- [start:testcase]
class ProductCreateTests(AsyncAPITestCase):
    async def test_anonymous_users_may_not_create(self):
        response = await self.client.post("/api/products/", {"name": "Lamp", "price": "1"})
        assert_status(response, 403)  # on failure: the exchange, in the message
# --8<-- [end:testcase]


# --8<-- [start:count]
class ListQueryCountTests(AsyncAPITestCase):
    async def test_a_wrong_count_points_at_its_block(self):
        with pytest.raises(AssertionError) as failure:
            async with self.aassertNumQueries(2):  # this line is in the message
                await Product.objects.acount()

        assert "in the block at examples/test_failure_reports.py:" in str(failure.value)
# --8<-- [end:count]


@pytest.mark.skipif(sys.version_info < (3, 11),
                    reason="datetime.fromisoformat() reads DRF's trailing Z from Python 3.11")
# --8<-- [start:shapes]
@pytest.mark.django_db
async def test_the_created_product_has_the_right_shape(async_client, user):
    await async_client.aforce_login(user)
    response = await async_client.post("/api/products/", {"name": "Lamp", "price": "12.50"})
    assert_status(response, 201)

    assert response.json() == IsPartialDict(
        id=IsInt(gt=0),
        name="Lamp",
        owner="maria",
        created_at=IsDatetime(iso_string=True),
    )

    listing = await async_client.get("/api/products/")
    assert listing.json() == IsList(IsPartialDict(name="Lamp", price="12.50"), length=1)
# --8<-- [end:shapes]
