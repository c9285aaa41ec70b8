"""Examples for docs/realtime.md: WebSockets, channel layers and server-sent events.

The test project pushes every committed product change to the `products` group;
`/ws/products/` (a Channels consumer behind `AuthMiddlewareStack`) forwards it to
signed-in users, and `/api/async/products/live/` streams it as server-sent events.
"""

import json
from contextlib import aclosing

import pytest
import websockets

from restflow_test import AsyncAPITestCase
from restflow_test.websocket import WebSocketRefused
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


# --8<-- [start:websocket]
async def test_signed_in_users_hear_about_new_products(async_client, user, async_capture_on_commit_callbacks):
    await async_client.aforce_login(user)  # the session cookie goes with the handshake

    async with async_client.websocket("/ws/products/") as ws:
        async with async_capture_on_commit_callbacks(execute=True):
            await async_client.post("/api/products/", {"name": "Lamp", "price": "12.50"})

        message = await ws.receive_json(timeout=1)
        assert message["type"] == "product.changed"
        assert message["product"]["name"] == "Lamp"
        assert await ws.receive_nothing()  # and nothing else
# --8<-- [end:websocket]


# --8<-- [start:refused]
async def test_anonymous_users_are_refused(async_client):
    with pytest.raises(WebSocketRefused) as refused:
        async with async_client.websocket("/ws/products/"):
            pass
    assert refused.value.code == 4401
# --8<-- [end:refused]


# --8<-- [start:force_authenticate]
async def test_forced_user_and_database(async_client, user):
    async_client.force_authenticate(user)  # becomes scope["user"]
    await Product.objects.acreate(name="Desk", price="99.00")

    async with async_client.websocket("/ws/products/", subprotocols=["shop.v1"]) as ws:
        assert ws.subprotocol == "shop.v1"
        await ws.send_json({"action": "list"})  # the consumer reads with database_sync_to_async
        assert [p["name"] for p in (await ws.receive_json())["products"]] == ["Desk"]
        await ws.send_json({"action": "create", "name": "Pen", "price": "2.00"})
        assert (await ws.receive_json())["product"]["owner"] == "maria"

    assert await Product.objects.acount() == 2  # and the consumer's row is rolled back
# --8<-- [end:force_authenticate]


# --8<-- [start:channel_layer]
async def test_group_messages_reach_the_socket(async_client, user, channel_layer):
    async_client.force_authenticate(user)
    async with async_client.websocket("/ws/products/") as ws:
        await channel_layer.group_send("products", {
            "type": "product.changed", "product": {"id": 7, "name": "Lamp", "price": "1.00"}})
        assert (await ws.receive_json())["product"]["id"] == 7
# --8<-- [end:channel_layer]


# --8<-- [start:testcase]
class ProductSocketTests(AsyncAPITestCase):
    @classmethod
    async def asetUpTestData(cls):
        from django.contrib.auth.models import User

        cls.user = await User.objects.acreate_user("maria", password="s3cret")

    async def test_session_login_reaches_the_consumer(self):
        await self.client.alogin(username="maria", password="s3cret")
        async with self.client.websocket("/ws/products/") as ws:
            async with self.acaptureOnCommitCallbacks(execute=True):
                await Product.objects.acreate(name="Lamp", price="12.50")
            self.assertEqual((await ws.receive_json())["product"]["name"], "Lamp")
# --8<-- [end:testcase]


# --8<-- [start:sse]
async def test_live_events(async_client, async_capture_on_commit_callbacks):
    response = await async_client.get("/api/async/products/live/")  # endless stream
    async with async_capture_on_commit_callbacks(execute=True):
        await Product.objects.acreate(name="Lamp", price="12.50")

    async with aclosing(response.aiter_events(timeout=1)) as events:
        async for event in events:
            assert event.event == "product.changed"
            assert event.id == "1"
            assert event.json()["name"] == "Lamp"
            break  # aclosing() closes the stream, and the view's generator, right here
# --8<-- [end:sse]


# --8<-- [start:sse_timeout]
async def test_no_event_fails_instead_of_hanging(async_client):
    response = await async_client.get("/api/async/products/live/")
    with pytest.raises(TimeoutError, match="No event arrived"):
        async for _event in response.aiter_events(timeout=0.1):
            pass
# --8<-- [end:sse_timeout]


# --8<-- [start:live_server]
@pytest.mark.django_db(transaction=True)
async def test_a_real_websocket_client(async_live_server, async_client, user):
    await async_client.aforce_login(user)
    session = async_client.cookies["sessionid"].value
    url = async_live_server.url.replace("http://", "ws://") + "/ws/products/"

    async with websockets.connect(url, origin=async_live_server.url,
                                  additional_headers={"Cookie": f"sessionid={session}"}) as ws:
        await ws.send(json.dumps({"action": "create", "name": "Lamp", "price": "1.00"}))
        assert json.loads(await ws.recv())["type"] == "created"
        assert json.loads(await ws.recv())["type"] == "product.changed"  # pushed on commit
# --8<-- [end:live_server]


# --8<-- [start:pitfall_no_commit]
async def test_nothing_is_pushed_in_a_rolled_back_test(async_client, user):
    async_client.force_authenticate(user)
    async with async_client.websocket("/ws/products/") as ws:
        await async_client.post("/api/products/", {"name": "Lamp", "price": "12.50"})
        # The push waits for a commit that never comes: capture on_commit callbacks
        # (see above) or use a transactional test to see it.
        assert await ws.receive_nothing(timeout=0.1)
# --8<-- [end:pitfall_no_commit]
