"""Examples for docs/testcases.md: the bases and the async lifecycle."""

from django.contrib.auth.models import User

from restflow_test import AsyncAPISimpleTestCase, AsyncAPITestCase
from testproject.shop.models import Product


# --8<-- [start:lifecycle]
class ProductDetailTests(AsyncAPITestCase):
    @classmethod
    async def asetUpTestData(cls):  # once per class; rolled back when the class ends
        cls.owner = await User.objects.acreate(username="olga")
        cls.lamp = await Product.objects.acreate(name="Lamp", price="12.50", owner=cls.owner)

    async def asyncSetUp(self):  # before each test, in the test's event loop
        self.client.force_authenticate(self.owner)

    async def test_owner_renames_the_product(self):
        response = await self.client.patch(f"/api/products/{self.lamp.pk}/", {"name": "Desk"})
        self.assertEqual(response.status_code, 200)
        await self.lamp.arefresh_from_db()
        self.assertEqual(self.lamp.name, "Desk")  # a per-test copy: the next test sees "Lamp"

    async def test_someone_else_may_not(self):
        self.client.force_authenticate(await User.objects.acreate(username="sam"))
        response = await self.client.patch(f"/api/products/{self.lamp.pk}/", {"name": "Desk"})
        self.assertEqual(response.status_code, 403)

    async def asyncTearDown(self):  # after each test, in the same event loop
        await self.client.alogout()
# --8<-- [end:lifecycle]


# --8<-- [start:simple]
class EchoTests(AsyncAPISimpleTestCase):
    """No database: a query in here fails with Django's explanation."""

    async def test_echo_sees_the_header(self):
        response = await self.client.get("/api/async/echo/", HTTP_X_REQUEST_ID="42")
        self.assertEqual(response.data["headers"]["HTTP_X_REQUEST_ID"], "42")
# --8<-- [end:simple]


# --8<-- [start:redirects]
class OldURLTests(AsyncAPITestCase):
    async def test_old_list_url_redirects(self):
        response = await self.client.get("/api/old-products/")
        await self.aassertRedirects(response, "/api/products/")  # fetches the target

    async def test_followed(self):
        response = await self.client.get("/api/old-products/", follow=True)
        self.assertRedirects(response, "/api/products/")  # nothing left to fetch
# --8<-- [end:redirects]
