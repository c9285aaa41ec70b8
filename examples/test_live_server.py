"""Examples for docs/live-server.md: the project served on a real socket."""

from importlib.util import find_spec
from unittest import skipUnless

import httpx
import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from restflow_test import AsyncAPILiveServerTestCase
from testproject.shop.models import Product


# --8<-- [start:testcase]
class OverTheWireTests(AsyncAPILiveServerTestCase):
    async def test_the_server_sees_the_tests_rows(self):
        await Product.objects.acreate(name="Lamp", price="12.50")

        async with httpx.AsyncClient(base_url=self.live_server_url) as http:
            response = await http.get("/api/async/products/")

        assert [p["name"] for p in response.json()] == ["Lamp"]
# --8<-- [end:testcase]


# --8<-- [start:uvicorn]
class OnUvicornTests(AsyncAPILiveServerTestCase):
    live_server_backend = "uvicorn"  # or RESTFLOW_LIVE_SERVER_BACKEND in settings

    async def test_the_test_sees_what_the_server_wrote(self):
        await User.objects.acreate_user("web", password="pw")

        async with httpx.AsyncClient(base_url=self.live_server_url) as http:
            response = await http.post("/api/token/", data={"username": "web", "password": "pw"})

        self.assertEqual(response.json()["token"], (await Token.objects.aget()).key)
# --8<-- [end:uvicorn]


# --8<-- [start:fixture]
@pytest.mark.django_db
async def test_over_the_wire(async_live_server, django_user_model):
    await django_user_model.objects.acreate_user("web", password="pw")

    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        response = await http.post("/api/token/", data={"username": "web", "password": "pw"})
        token = response.json()["token"]
        response = await http.post(
            "/api/products/", json={"name": "Desk", "price": "99.00"},
            headers={"Authorization": f"Token {token}"},
        )

    assert response.status_code == 201
    assert await Product.objects.filter(name="Desk", owner__username="web").aexists()
# --8<-- [end:fixture]


async def echo(scope, receive, send):
    """A plain ASGI application that echoes WebSocket messages."""
    if scope["type"] != "websocket":
        raise ValueError("WebSockets only")
    while (event := await receive())["type"] != "websocket.disconnect":
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        else:
            await send({"type": "websocket.send", "text": event["text"]})


@skipUnless(find_spec("websockets"), "needs `pip install websockets`")
# --8<-- [start:websocket]
class WebSocketTests(AsyncAPILiveServerTestCase):
    # With Channels, leave this out: ASGI_APPLICATION serves your consumers.
    asgi_application = "examples.test_live_server.echo"

    async def test_echo(self):
        from websockets.asyncio.client import connect

        async with connect(f"{self.live_server_ws_url}/ws/echo/") as websocket:
            await websocket.send("hello")
            self.assertEqual(await websocket.recv(), "hello")
# --8<-- [end:websocket]
