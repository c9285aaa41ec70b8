"""The product API tested in Django TestCase style."""

from django.contrib.auth.models import User

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product


class ProductAPITests(AsyncAPITestCase):
    @classmethod
    async def asetUpTestData(cls):
        cls.owner = await User.objects.acreate_user("olga", password="pw")
        cls.lamp = await Product.objects.acreate(name="Lamp", price="12.50", owner=cls.owner)

    async def asyncSetUp(self):
        await self.client.aforce_login(self.owner)

    async def test_detail(self):
        response = await self.client.get(f"/api/async/products/{self.lamp.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data["name"], "Lamp")

    async def test_owner_updates_price(self):
        response = await self.client.patch(
            f"/api/async/products/{self.lamp.pk}/", {"price": "10.00"}
        )
        self.assertEqual(response.data["price"], "10.00")
        await self.lamp.arefresh_from_db()
        self.assertEqual(str(self.lamp.price), "10.00")

    async def test_create_invalidates_the_cached_list_on_commit(self):
        await self.client.get("/api/async/products/cached/")
        async with self.acaptureOnCommitCallbacks(execute=True) as callbacks:
            response = await self.client.post("/api/async/products/", {"name": "Desk", "price": "9"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(len(callbacks), 1)
        response = await self.client.get("/api/async/products/cached/")
        self.assertEqual(response["X-Cache"], "miss")
        self.assertEqual(len(response.data), 2)

    async def test_list_query_count(self):
        # Session lookup + user lookup (session auth) + the product list.
        async with self.aassertNumQueries(3):
            await self.client.get("/api/async/products/")

    async def test_logout(self):
        await self.client.alogout()
        response = await self.client.post("/api/async/products/", {"name": "X", "price": "1"})
        self.assertEqual(response.status_code, 403)
