"""Examples for docs/migrating.md: one test before and after."""

import pytest
from rest_framework.test import APIClient, APITestCase

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product


# --8<-- [start:before]
class SyncProductTests(APITestCase):
    def test_create(self):
        self.client.credentials(HTTP_X_REQUEST_ID="abc")
        response = self.client.post("/api/products/", {"name": "Desk", "price": "9"},
                                    format="json")
        self.assertEqual(response.status_code, 403)

    def test_list(self):
        Product.objects.create(name="Lamp", price="12.50")
        response = self.client.get("/api/products/")
        self.assertEqual(response.data[0]["name"], "Lamp")
# --8<-- [end:before]


# --8<-- [start:after]
class AsyncProductTests(AsyncAPITestCase):
    async def test_create(self):
        self.client.credentials(HTTP_X_REQUEST_ID="abc")
        response = await self.client.post("/api/products/", {"name": "Desk", "price": "9"},
                                          format="json")
        self.assertEqual(response.status_code, 403)

    async def test_list(self):
        await Product.objects.acreate(name="Lamp", price="12.50")
        response = await self.client.get("/api/products/")
        self.assertEqual(response.data[0]["name"], "Lamp")
# --8<-- [end:after]


# --8<-- [start:pytest_before]
@pytest.mark.django_db
def test_list_sync():
    Product.objects.create(name="Lamp", price="12.50")
    assert APIClient().get("/api/products/").data[0]["name"] == "Lamp"
# --8<-- [end:pytest_before]


# --8<-- [start:pytest_after]
@pytest.mark.django_db
async def test_list_async(async_api_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    assert (await async_api_client.get("/api/products/")).data[0]["name"] == "Lamp"
# --8<-- [end:pytest_after]
