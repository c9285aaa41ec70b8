from django.contrib.auth.models import User

from restflow_test import AsyncAPITestCase
from testproject.shop.models import Product


class ProductTests(AsyncAPITestCase):
    async def test_anyone_can_list_products(self):
        await Product.objects.acreate(name="Lamp", price="12.50")

        response = await self.client.get("/api/async/products/")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data[0]["name"], "Lamp")

    async def test_logged_in_user_creates_a_product(self):
        maria = await User.objects.acreate(username="maria")
        self.client.force_authenticate(maria)

        response = await self.client.post("/api/products/", {"name": "Desk", "price": "99.00"})

        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.data["owner"], "maria")
