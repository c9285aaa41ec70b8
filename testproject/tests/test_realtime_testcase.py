"""The realtime side in Django TestCase style, with AsyncAPITestCase."""

from contextlib import aclosing

from channels.layers import get_channel_layer

from restflow_test import AsyncAPITestCase
from restflow_test.websocket import WebSocketRefused
from testproject.shop.models import Product


class ProductSocketTests(AsyncAPITestCase):
    @classmethod
    async def asetUpTestData(cls):
        from django.contrib.auth.models import User

        cls.user = await User.objects.acreate_user("maria", password="s3cret")

    async def test_anonymous_users_are_refused(self):
        with self.assertRaises(WebSocketRefused) as refused:
            async with self.client.websocket("/ws/products/"):
                pass
        self.assertEqual(refused.exception.code, 4401)

    async def test_session_login_reaches_the_consumer(self):
        await self.client.alogin(username="maria", password="s3cret")
        await Product.objects.acreate(name="Lamp", price="12.50")
        async with self.client.websocket("/ws/products/") as ws:
            await ws.send_json({"action": "list"})
            message = await ws.receive_json()
        self.assertEqual([p["name"] for p in message["products"]], ["Lamp"])

    async def test_a_saved_product_is_pushed_on_commit(self):
        self.client.force_authenticate(self.user)
        async with self.client.websocket("/ws/products/") as ws:
            async with self.acaptureOnCommitCallbacks(execute=True):
                await self.client.post("/api/async/products/", {"name": "Pen", "price": "2.00"})
            message = await ws.receive_json()
        self.assertEqual(message["product"]["name"], "Pen")

    async def test_group_messages_reach_the_socket(self):
        self.client.force_authenticate(self.user)
        async with self.client.websocket("/ws/products/") as ws:
            await get_channel_layer().group_send("products", {
                "type": "product.changed", "product": {"id": 1, "name": "Lamp", "price": "1"}})
            self.assertEqual((await ws.receive_json())["product"]["name"], "Lamp")

    async def test_live_events_stream_product_changes(self):
        response = await self.client.get("/api/async/products/live/")
        async with self.acaptureOnCommitCallbacks(execute=True):
            await Product.objects.acreate(name="Lamp", price="12.50")
        async with aclosing(response.aiter_events(timeout=2)) as events:
            event = await anext(events)
        self.assertEqual(event.json()["name"], "Lamp")
