"""Examples for docs/pytest.md: the plugin's fixtures and its isolation."""

import pytest
from asgiref.sync import sync_to_async

from restflow_test import AsyncAPIClient
from testproject.shop.models import Product
from testproject.shop.views_async import AsyncEchoView

pytestmark = pytest.mark.django_db


# --8<-- [start:fixtures]
async def test_admin_sees_everything(admin_async_api_client):
    response = await admin_async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "admin"  # pytest-django's admin_user


async def test_factory_fixture(async_api_rf):
    request = async_api_rf.get("/api/async/echo/", {"q": "lamp"})
    response = await AsyncEchoView.as_view()(request)
    assert response.data["query"] == {"q": ["lamp"]}
# --8<-- [end:fixtures]


# --8<-- [start:isolation]
@pytest.fixture
def lamp():
    """A sync fixture: its row is inside the test's transaction."""
    return Product.objects.create(name="Lamp", price="12.50")


async def test_writes_in_the_test_and_in_views(async_api_client, lamp, user):
    await Product.objects.acreate(name="Desk", price="99.00")  # awaited ORM call
    async_api_client.force_authenticate(user)
    await async_api_client.post("/api/async/products/", {"name": "Pen", "price": "2"})

    response = await async_api_client.get("/api/async/products/")
    assert [p["name"] for p in response.data] == ["Lamp", "Desk", "Pen"]


async def test_and_none_of_it_leaked():
    assert await Product.objects.acount() == 0
    assert await sync_to_async(Product.objects.count)() == 0
# --8<-- [end:isolation]


# --8<-- [start:alias_use]
async def test_the_alias(async_client):
    assert isinstance(async_client, AsyncAPIClient)
    assert (await async_client.get("/api/async/echo/")).status_code == 200
# --8<-- [end:alias_use]
