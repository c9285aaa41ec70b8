"""`client.websocket()`: the project's ASGI app, the client's identity, the connection API."""

import asyncio
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from restflow_test.websocket import WebSocketClosed, WebSocketRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def realtime_app(settings):
    settings.ASGI_APPLICATION = "tests.realtime_app.application"


async def test_connects_through_the_setting_read_at_call_time(client):
    async with client.websocket("/ws/scope/?room=1") as ws:
        handshake = await ws.receive_json()
    assert handshake["path"] == "/ws/scope/"
    assert handshake["query_string"] == "room=1"


async def test_session_cookie_reaches_auth_middleware_stack(client, alice):
    await client.aforce_login(alice)
    async with client.websocket("/ws/scope/") as ws:
        assert (await ws.receive_json())["user"] == "alice"


async def test_alogin_session_reaches_auth_middleware_stack(client, alice):
    assert await client.alogin(username="alice", password="wonderland")
    async with client.websocket("/ws/scope/") as ws:
        assert (await ws.receive_json())["user"] == "alice"


async def test_without_identity_the_user_is_anonymous(client):
    async with client.websocket("/ws/scope/") as ws:
        assert (await ws.receive_json())["user"] is None


async def test_forced_user_wins_over_auth_middleware_stack(client, alice):
    client.force_authenticate(alice, token="tok")
    async with client.websocket("/ws/scope/") as ws:
        handshake = await ws.receive_json()
    assert handshake["user"] == "alice"
    assert handshake["auth"] == "tok"


async def test_forced_user_object_is_left_untouched(client, alice):
    client.force_authenticate(alice)
    async with client.websocket("/ws/scope/") as ws:
        await ws.receive_json()
    assert "_wrapped" not in vars(alice)


async def test_logout_forgets_the_forced_user(client, alice):
    client.force_authenticate(alice)
    await client.alogout()
    async with client.websocket("/ws/scope/") as ws:
        assert (await ws.receive_json())["user"] is None


async def test_credentials_defaults_and_headers_are_handshake_headers(alice):
    from restflow_test import AsyncAPIClient

    client = AsyncAPIClient(HTTP_X_TENANT="acme", headers={"Accept-Language": "fr"})
    client.credentials(HTTP_AUTHORIZATION="Token abc")
    async with client.websocket("/ws/scope/", headers={"X-Request-Id": "42"}) as ws:
        headers = (await ws.receive_json())["headers"]
    assert headers["authorization"] == "Token abc"
    assert headers["x-tenant"] == "acme"
    assert headers["accept-language"] == "fr"
    assert headers["x-request-id"] == "42"
    assert headers["host"] == "testserver"


async def test_default_origin_passes_the_allowed_hosts_check(client):
    async with client.websocket("/ws/scope/") as ws:
        assert (await ws.receive_json())["headers"]["origin"] == "http://testserver"


async def test_origin_follows_the_client_host(client):
    async with client.websocket("/ws/scope/", headers={"Host": "api.example.com"}) as ws:
        assert (await ws.receive_json())["headers"]["origin"] == "http://api.example.com"


async def test_foreign_origin_is_refused(client):
    with pytest.raises(WebSocketRefused) as refused:
        async with client.websocket("/ws/scope/", headers={"Origin": "http://evil.example"}):
            pass
    assert refused.value.code == 1000


async def test_refused_handshake_raises_with_the_close_code(client):
    with pytest.raises(WebSocketRefused, match="refused the connection") as refused:
        async with client.websocket("/ws/refuse/"):
            pytest.fail("the block must not run")
    assert refused.value.code == 4403


async def test_accepted_subprotocol(client):
    async with client.websocket("/ws/scope/", subprotocols=["chat.v2", "chat.v1"]) as ws:
        assert ws.subprotocol == "chat.v2"


async def test_no_subprotocol(client):
    async with client.websocket("/ws/scope/") as ws:
        assert ws.subprotocol is None


async def test_text_bytes_and_json_frames(client):
    async with client.websocket("/ws/scope/") as ws:
        await ws.receive_json()
        await ws.send_text("hello")
        assert await ws.receive_text() == "hello"
        await ws.send_bytes(b"\x00\x01")
        assert await ws.receive_bytes() == b"\x00\x01"
        await ws.send_json({"a": [1, 2]})
        assert await ws.receive_json() == {"a": [1, 2]}


async def test_receiving_the_wrong_frame_kind_says_which_method_to_use(client):
    async with client.websocket("/ws/scope/") as ws:
        await ws.receive_json()
        await ws.send_bytes(b"raw")
        with pytest.raises(TypeError, match=r"use `receive_bytes\(\)`"):
            await ws.receive_json()


async def test_receive_times_out_with_a_clear_error(client):
    async with client.websocket("/ws/scope/") as ws:
        await ws.receive_json()
        with pytest.raises(TimeoutError, match=r"Nothing arrived from '/ws/scope/' within 0.05s"):
            await ws.receive_text(timeout=0.05)


async def test_receive_nothing(client):
    async with client.websocket("/ws/scope/") as ws:
        assert not await ws.receive_nothing(timeout=0.05)  # the handshake report is queued
        await ws.receive_json()
        assert await ws.receive_nothing(timeout=0.05)


async def test_consumer_closing_raises_websocket_closed_with_its_code(client):
    async with client.websocket("/ws/scope/") as ws:
        await ws.receive_json()
        await ws.send_text("close me")
        with pytest.raises(WebSocketClosed) as closed:
            await ws.receive_text()
    assert closed.value.code == ws.close_code == 4000


async def test_close_sends_the_code_and_ends_the_connection(client):
    async with client.websocket("/ws/scope/") as ws:
        await ws.close(4001)
        assert ws.close_code == 4001
        with pytest.raises(WebSocketClosed, match="closed"):
            await ws.send_text("late")


async def test_consumer_exception_is_raised_in_the_test(client):
    with pytest.raises(RuntimeError, match="consumer failed on 'hi'"):
        async with client.websocket("/ws/broken/") as ws:
            await ws.send_text("hi")


async def test_consumer_exception_while_receiving(client):
    async with client.websocket("/ws/broken/") as ws:
        await ws.send_text("hi")
        with pytest.raises(RuntimeError, match="consumer failed"):
            await ws.receive_text()


async def test_handshake_that_never_ends_times_out(client):
    with pytest.raises(TimeoutError, match=r"neither accepted nor refused"):
        async with client.websocket("/ws/silent/", timeout=0.05):
            pass


async def test_handshake_timeout_stops_the_stuck_consumer(client):
    tasks_before = asyncio.all_tasks()
    with pytest.raises(TimeoutError):
        async with client.websocket("/ws/silent/", timeout=0.05):
            pass
    assert asyncio.all_tasks() == tasks_before


async def test_awaiting_instead_of_async_with_says_how_to_use_it(client):
    with pytest.raises(TypeError, match=r"write `async with client\.websocket"):
        await client.websocket("/ws/scope/")


async def test_test_failure_inside_the_block_is_not_hidden(client):
    with pytest.raises(ZeroDivisionError):
        async with client.websocket("/ws/broken/") as ws:
            await ws.send_text("hi")
            raise ZeroDivisionError


async def test_plain_django_asgi_application_is_refused_clearly(client, settings):
    settings.ASGI_APPLICATION = "tests.realtime_app.django_only_application"
    with pytest.raises(ImproperlyConfigured, match="only serves HTTP"):
        async with client.websocket("/ws/scope/"):
            pass


async def test_missing_asgi_application_setting(client, settings):
    del settings.ASGI_APPLICATION
    with pytest.raises(ImproperlyConfigured, match="ASGI_APPLICATION"):
        client.websocket("/ws/scope/")


def test_missing_channels_names_the_extra(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "channels.routing", None)
    with pytest.raises(ImportError, match=r'pip install "restflow-test\[channels\]"') as error:
        client.websocket("/ws/scope/")
    assert error.value.__cause__ is None and error.value.__suppress_context__


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"path": "ws/scope/"}, ValueError, "starts with '/'"),
    ({"path": "/ws/scope/", "subprotocols": "chat"}, TypeError, r"subprotocols=\['chat'\]"),
    ({"path": "/ws/scope/", "headers": {"X-Bad": "a\nb"}}, ValueError, "line break"),
    ({"path": "/ws/scope/", "headers": {"Bad Name": "x"}}, ValueError, "not a valid HTTP header name"),
], ids=["relative-path", "subprotocols-str", "header-value", "header-name"])
def test_bad_input_fails_before_connecting(client, kwargs, error, message):
    with pytest.raises(error, match=message):
        client.websocket(**kwargs)


async def test_consumer_exception_while_sending_is_raised_once(client):
    async with client.websocket("/ws/broken/") as ws:
        await ws.send_text("hi")
        # Let the consumer fail first. Not a fixed sleep: Channels sends each message
        # through a thread (`aclose_old_connections()`) before the handler runs.
        consumer = ws._communicator.future
        await asyncio.wait([consumer], timeout=10)
        assert consumer.done()
        with pytest.raises(RuntimeError, match="consumer failed"):
            await ws.send_text("again")
