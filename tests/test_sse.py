"""Server-Sent Events: the parser follows the HTML standard; `aiter_events()` reads,
times out and closes the stream, for async and sync streaming views."""

import asyncio
import threading
import time
from contextlib import aclosing

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import include, path

from restflow_test import AsyncAPITestCase
from restflow_test.sse import EventStreamParser, ServerSentEvent
from testproject.shop.models import Product

# -- the parser ----------------------------------------------------------------------


def parse(*chunks):
    parser = EventStreamParser()
    return [event for chunk in chunks for event in parser.feed(chunk)] + parser.end()


def test_fields_of_one_event():
    assert parse(b"event: add\ndata: 1\nid: 7\nretry: 3000\n\n") == [
        ServerSentEvent(event="add", data="1", id="7", retry=3000)]


def test_defaults():
    assert parse(b"data: x\n\n") == [ServerSentEvent(event="message", data="x", id="", retry=None)]


def test_data_lines_join_with_newlines():
    assert parse(b"data: a\ndata:\ndata:  b\n\n")[0].data == "a\n\n b"


def test_only_one_space_after_the_colon_is_dropped():
    assert parse(b"data:x\n\ndata:  y\n\n") == [ServerSentEvent(data="x"), ServerSentEvent(data=" y")]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending(newline):
    body = newline.join([b"event: e", b"data: 1", b"", b"data: 2", b"", b""])
    assert [(e.event, e.data) for e in parse(body)] == [("e", "1"), ("message", "2")]


def test_any_chunking_gives_the_same_events():
    body = "\ufeffid: 1\r\nevent: café\r\ndata: ü\r\n\r\n: comment\r\ndata: z\r\n\r\n".encode()
    whole = parse(body)
    assert [(e.event, e.data, e.id) for e in whole] == [("café", "ü", "1"), ("message", "z", "1")]
    for size in (1, 2, 3, 5):
        assert parse(*(body[i:i + size] for i in range(0, len(body), size))) == whole


def test_only_cr_and_lf_break_lines():
    assert parse("data: a\u2028b\x0cc\n\n".encode()) == [ServerSentEvent(data="a\u2028b\x0cc")]


def test_cr_at_a_chunk_end_followed_by_lf_is_one_line_break():
    assert parse(b"data: a\r", b"\n\r", b"\n") == [ServerSentEvent(data="a")]


def test_comments_and_unknown_fields_are_ignored():
    assert parse(b": ping\nfoo: bar\ndata: x\n\n") == [ServerSentEvent(data="x")]


def test_a_field_without_colon_has_an_empty_value():
    assert parse(b"data\ndata\n\n") == [ServerSentEvent(data="\n")]


def test_block_without_data_dispatches_nothing_and_resets_the_type():
    assert parse(b"event: lost\n\ndata: x\n\n") == [ServerSentEvent(data="x")]


def test_id_carries_over_and_an_empty_id_resets_it():
    events = parse(b"id: 5\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert [e.id for e in events] == ["5", "5", ""]


def test_id_with_nul_is_ignored():
    assert parse(b"id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\n")[1].id == "1"


def test_retry_must_be_digits_and_belongs_to_its_block():
    events = parse(b"retry: 10\ndata: a\n\nretry: 1.5\ndata: b\n\n")
    assert [e.retry for e in events] == [10, None]


def test_an_unfinished_event_at_the_end_is_not_dispatched():
    assert parse(b"data: a\n\ndata: half") == [ServerSentEvent(data="a")]


def test_json_helper():
    assert ServerSentEvent(data='{"a": 1}').json() == {"a": 1}


# -- reading responses -----------------------------------------------------------------

closed = threading.Event()


def sync_endless(request):
    def events():
        try:
            number = 0
            while True:
                number += 1
                yield f"id: {number}\ndata: {Product.objects.count()}\n\n"
                time.sleep(0.01)
        finally:
            closed.set()
    return StreamingHttpResponse(events(), content_type="text/event-stream")


async def async_slow(request):
    async def events():
        yield "data: first\n\n"
        await asyncio.sleep(10)
        yield "data: too late\n\n"
    return StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")


async def keep_alive_only(request):
    async def events():
        while True:
            yield ": keep-alive\n\n"  # a comment, not an event
            await asyncio.sleep(0.01)
    return StreamingHttpResponse(events(), content_type="text/event-stream")


def not_streaming(request):
    return HttpResponse("data: a\n\ndata: b\n\n", content_type="text/event-stream")


urlpatterns = [
    path("sync/", sync_endless),
    path("slow/", async_slow),
    path("keep-alive/", keep_alive_only),
    path("plain/", not_streaming),
    path("", include("testproject.urls")),
]


@pytest.fixture
def sse_urls(settings):
    settings.ROOT_URLCONF = __name__
    closed.clear()


pytestmark = pytest.mark.django_db


async def test_events_from_an_async_generator_view(client):
    await Product.objects.acreate(name="Lamp", price="1")
    response = await client.get("/api/async/products/events/")
    events = [event async for event in response.aiter_events()]
    assert [e.event for e in events] == ["product", "end"]
    assert events[0].json()["name"] == "Lamp"


async def test_events_from_an_endless_sync_generator_view(client, sse_urls):
    await Product.objects.acreate(name="Lamp", price="1")
    response = await client.get("/sync/")
    async with aclosing(response.aiter_events(timeout=1)) as events:
        first_three = [await anext(events) for _ in range(3)]
    assert [(e.id, e.data) for e in first_three] == [("1", "1"), ("2", "1"), ("3", "1")]
    assert closed.is_set()  # and its generator was closed, in its thread


async def test_stopping_an_endless_async_stream_closes_the_view_generator(client, channel_layer):
    response = await client.get("/api/async/products/live/")
    assert len(channel_layer.groups["products"]) == 1
    await channel_layer.group_send("products", {"type": "product.changed", "product": {"id": 1}})
    async with aclosing(response.aiter_events(timeout=1)) as events:
        event = await anext(events)
    assert event.event == "product.changed" and event.json() == {"id": 1}
    assert not channel_layer.groups.get("products")  # the view's `finally` unsubscribed


async def test_breaking_out_closes_the_stream_soon_after(client, channel_layer):
    response = await client.get("/api/async/products/live/")
    await channel_layer.group_send("products", {"type": "product.changed", "product": {"id": 1}})
    async for _event in response.aiter_events(timeout=1):
        break
    for _ in range(3):  # Python closes an abandoned async generator in a later loop step
        await asyncio.sleep(0)
    assert not channel_layer.groups.get("products")


async def test_no_event_within_the_timeout_fails_clearly(client, sse_urls):
    response = await client.get("/slow/")
    events = response.aiter_events(timeout=0.05)
    assert (await anext(events)).data == "first"
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"No event arrived from '/slow/' within 0.05s"):
        await anext(events)
    assert time.monotonic() - started < 1


async def test_keep_alive_comments_do_not_extend_the_timeout(client, sse_urls):
    response = await client.get("/keep-alive/")
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="No event arrived from '/keep-alive/'"):
        async for _event in response.aiter_events(timeout=0.1):
            pass
    assert time.monotonic() - started < 1


async def test_timeout_on_an_endless_stream_unsubscribes_the_view(client, channel_layer):
    response = await client.get("/api/async/products/live/")
    with pytest.raises(TimeoutError):
        async for _event in response.aiter_events(timeout=0.05):
            pass
    assert not channel_layer.groups.get("products")


async def test_a_response_that_is_not_streamed(client, sse_urls):
    response = await client.get("/plain/")
    assert [e.data async for e in response.aiter_events()] == ["a", "b"]


async def test_a_response_that_is_not_an_event_stream_is_refused(client):
    response = await client.get("/api/async/products/")
    with pytest.raises(ValueError, match=r"'application/json' \(status 200\)"):
        async for _event in response.aiter_events():
            pass


class SSETestCase(AsyncAPITestCase):
    async def test_endless_sync_generator_view_in_a_test_case(self):
        closed.clear()
        await Product.objects.acreate(name="Lamp", price="1")
        with self.settings(ROOT_URLCONF=__name__):
            response = await self.client.get("/sync/")
        async with aclosing(response.aiter_events(timeout=1)) as events:
            event = await anext(events)
        self.assertEqual(event.data, "1")
        self.assertTrue(closed.is_set())
