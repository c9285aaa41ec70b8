"""The realtime side in pytest style: the product WebSocket and the live event stream."""

from contextlib import aclosing

import pytest

from restflow_test.websocket import WebSocketRefused
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


async def test_anonymous_users_are_refused(async_client):
    with pytest.raises(WebSocketRefused) as refused:
        async with async_client.websocket("/ws/products/"):
            pass
    assert refused.value.code == 4401


async def test_signed_in_users_list_products_over_the_socket(auth_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    async with auth_client.websocket("/ws/products/", subprotocols=["shop.v1"]) as ws:
        assert ws.subprotocol == "shop.v1"
        await ws.send_json({"action": "list"})
        message = await ws.receive_json()
    assert [p["name"] for p in message["products"]] == ["Lamp"]


async def test_products_created_over_the_socket_belong_to_the_user(auth_client):
    async with auth_client.websocket("/ws/products/") as ws:
        await ws.send_json({"action": "create", "name": "Desk", "price": "99.00"})
        message = await ws.receive_json()
    assert message["product"]["owner"] == "maria"
    assert await Product.objects.filter(name="Desk").aexists()


async def test_a_saved_product_is_pushed_on_commit(auth_client, async_capture_on_commit_callbacks):
    async with auth_client.websocket("/ws/products/") as ws:
        async with async_capture_on_commit_callbacks(execute=True):
            response = await auth_client.post("/api/products/", {"name": "Pen", "price": "2.00"})
        message = await ws.receive_json()
        assert message == {"type": "product.changed",
                           "product": {"id": response.data["id"], "name": "Pen", "price": "2.00"}}
        assert await ws.receive_nothing()


async def test_nothing_is_pushed_before_commit(auth_client):
    async with auth_client.websocket("/ws/products/") as ws:
        await auth_client.post("/api/products/", {"name": "Pen", "price": "2.00"})
        assert await ws.receive_nothing()  # the test transaction never commits


async def test_live_events_stream_product_changes(async_client, async_capture_on_commit_callbacks):
    response = await async_client.get("/api/async/products/live/")
    async with async_capture_on_commit_callbacks(execute=True):
        await Product.objects.acreate(name="Lamp", price="12.50")
    async with aclosing(response.aiter_events(timeout=2)) as events:
        event = await anext(events)
    assert (event.event, event.id) == ("product.changed", "1")
    assert event.json()["name"] == "Lamp"


async def test_count_events_from_a_sync_view(async_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    response = await async_client.get("/api/product-count/events/")
    async with aclosing(response.aiter_events(timeout=2)) as events:
        event = await anext(events)
    assert (event.event, event.data) == ("count", "1")
