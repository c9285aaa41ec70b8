"""Consumers share the test's database transaction; each test gets new channel layers.

The database trap: `database_sync_to_async` calls `close_old_connections()` around every
call, which closes a connection that is inside a transaction. On PostgreSQL the test's
next query then fails ("the connection is closed"); in-memory SQLite ignores `close()`,
so run this module on PostgreSQL too (see the README).
"""

import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import close_old_connections, connections

from restflow_test import AsyncAPITestCase
from restflow_test.realtime import fresh_channel_layers, isolate_realtime, keep_connections_open
from testproject.shop.models import Product

ROLLED_BACK_NAME = "written by a consumer, rolled back with the test"


@pytest.fixture(autouse=True)
def realtime_app(settings):
    settings.ASGI_APPLICATION = "tests.realtime_app.application"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_consumer_sees_rows_the_test_created(client, kind):
    await Product.objects.acreate(name="Lamp", price="1")
    async with client.websocket(f"/ws/products/{kind}/") as ws:
        await ws.send_json({"action": "list"})
        assert await ws.receive_json() == ["Lamp"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_test_sees_rows_the_consumer_wrote(client, kind):
    async with client.websocket(f"/ws/products/{kind}/") as ws:
        await ws.send_json({"action": "create", "name": ROLLED_BACK_NAME})
        assert await ws.receive_json() == [ROLLED_BACK_NAME]
    assert await Product.objects.filter(name=ROLLED_BACK_NAME).aexists()


@pytest.mark.django_db
async def test_consumer_writes_were_rolled_back():
    """Runs after the test above (same worker): nothing it wrote is left."""
    assert not await Product.objects.filter(name=ROLLED_BACK_NAME).aexists()


@pytest.mark.django_db
async def test_database_sync_to_async_keeps_the_test_connection_open():
    await database_sync_to_async(Product.objects.count)()
    assert await Product.objects.acount() == 0  # "the connection is closed" without the fix


@pytest.mark.django_db
async def test_database_sync_to_async_keeps_on_commit_callbacks(async_capture_on_commit_callbacks):
    async with async_capture_on_commit_callbacks() as callbacks:
        await Product.objects.acreate(name="Lamp", price="1")  # registers a callback
        await database_sync_to_async(Product.objects.count)()
    assert len(callbacks) == 1  # Django's close() drops them without the fix


def test_kept_connection_gets_its_own_method_back():
    connection = connections.create_connection("default")  # one nobody else uses
    with keep_connections_open([connection]):
        assert "close_if_unusable_or_obsolete" in vars(connection)
        with keep_connections_open([connection]):  # nested: the outer block restores
            pass
        assert "close_if_unusable_or_obsolete" in vars(connection)
    assert "close_if_unusable_or_obsolete" not in vars(connection)


def test_isolation_is_undone_when_the_test_ends():
    seen = {}

    def in_a_thread_of_its_own():  # its own connection object, outside the plugin's block
        connection = connections["default"]
        with isolate_realtime():
            seen["during"] = "close_if_unusable_or_obsolete" in vars(connection)
        seen["after"] = "close_if_unusable_or_obsolete" in vars(connection)
        connection.close()

    thread = threading.Thread(target=in_a_thread_of_its_own)
    thread.start()
    thread.join()
    assert seen == {"during": True, "after": False}


def test_the_plugin_protects_the_test_connection_during_the_test():
    connection = connections["default"]
    assert "close_if_unusable_or_obsolete" in vars(connection)
    close_old_connections()  # a no-op for the test's connection


def test_fresh_channel_layers_restores_the_previous_layer():
    outer = get_channel_layer()
    with fresh_channel_layers():
        inner = get_channel_layer()
        assert inner is not outer
    assert get_channel_layer() is outer


async def test_layer_groups_from_an_earlier_test_are_gone_first(channel_layer):
    assert channel_layer.groups == {}
    await channel_layer.group_add("leftover", "specific.nobody")


async def test_layer_groups_from_an_earlier_test_are_gone_second(channel_layer):
    assert channel_layer.groups == {}
    await channel_layer.group_add("leftover", "specific.nobody")


@pytest.mark.django_db
async def test_group_send_reaches_the_socket(client, channel_layer):
    async with client.websocket("/ws/news/") as ws:
        await channel_layer.group_send("news", {"type": "news.published", "text": "hello"})
        assert await ws.receive_json() == "hello"


def test_channel_layer_fixture_without_setting(settings, request):
    del settings.CHANNEL_LAYERS
    with pytest.raises(pytest.UsageError, match="CHANNEL_LAYERS"):
        request.getfixturevalue("channel_layer")


class ConsumerDatabaseTestCase(AsyncAPITestCase):
    """The same guarantees in the `AsyncAPITestCase` base."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from django.test import override_settings

        cls.enterClassContext(override_settings(ASGI_APPLICATION="tests.realtime_app.application"))

    async def test_consumer_sees_rows_and_its_writes_stay_in_the_test(self):
        await Product.objects.acreate(name="Lamp", price="1")
        for kind in ("async", "sync"):
            async with self.client.websocket(f"/ws/products/{kind}/") as ws:
                await ws.send_json({"action": "create", "name": kind})
                assert await ws.receive_json() == ["Lamp", "async", "sync"][:2 + (kind == "sync")]
        self.assertEqual(await Product.objects.acount(), 3)

    async def test_database_sync_to_async_keeps_the_test_connection_open(self):
        await database_sync_to_async(Product.objects.count)()
        self.assertEqual(await Product.objects.acount(), 0)

    async def test_a_new_channel_layer_for_each_test_first(self):
        layer = get_channel_layer()
        self.assertEqual(layer.groups, {})
        await layer.group_add("leftover", "specific.nobody")

    async def test_a_new_channel_layer_for_each_test_second(self):
        layer = get_channel_layer()
        self.assertEqual(layer.groups, {})
        await layer.group_add("leftover", "specific.nobody")

    async def test_group_send_reaches_the_socket(self):
        async with self.client.websocket("/ws/news/") as ws:
            await get_channel_layer().group_send("news", {"type": "news.published", "text": "hi"})
            self.assertEqual(await ws.receive_json(), "hi")


class RolledBackTestCase(AsyncAPITestCase):
    async def test_rows_from_the_other_class_are_gone(self):
        self.assertFalse(await Product.objects.exclude(name="Lamp").aexists())
