"""Live servers on a real socket: data both ways, streaming, lifecycle, failures."""

import asyncio
import json
import socket
import threading
import time

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from rest_framework.authtoken.models import Token

import testproject.asgi  # noqa: F401  (so "testproject.asgi" names a loaded module)
from restflow_test import AsyncAPIClient, AsyncAPILiveServerTestCase, AsyncAPITransactionTestCase
from restflow_test.live_server import start_live_server
from restflow_test.live_server.connections import in_memory_connections
from testproject.shop.models import Product

from .helpers import problems, run_case

BACKENDS = ["daphne", "uvicorn"]
# How long stop() may take and still count as "did not wait". What it must not wait
# for takes far longer: the requests and views below run for 10 s, and a server thread
# that does not end is given 5 s. stop() itself takes up to ~0.7 s on an idle machine
# (0.5 s of it waiting for a sync view that is still running); a busy CI machine
# (2 cores, other suites) needs more than a 1 s limit leaves.
STOP_IS_PROMPT = 3.0


@pytest.fixture(params=BACKENDS)
def server(request, transactional_db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    live = start_live_server(request.param)
    yield live
    live.stop()


def _port_is_closed(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


async def test_test_data_is_visible_to_the_server_and_back(server):
    await Product.objects.acreate(name="from-test", price="1.00")
    async with httpx.AsyncClient(base_url=server.url) as http:
        listed = (await http.get("/api/async/products/")).json()
        assert [p["name"] for p in listed] == ["from-test"]
        synced = (await http.get("/api/products/")).json()
        assert [p["name"] for p in synced] == ["from-test"]
    await Product.objects.filter(name="from-test").aupdate(name="renamed")
    from django.contrib.auth.models import User

    await User.objects.acreate_user("web", password="pw")
    async with httpx.AsyncClient(base_url=server.url) as http:
        token = (await http.post("/api/token/", data={"username": "web", "password": "pw"})).json()
        response = await http.post(
            "/api/async/products/", json={"name": "from-server", "price": "2.00"},
            headers={"Authorization": f"Token {token['token']}"},
        )
        assert response.status_code == 201
    assert await Product.objects.filter(name="from-server").aexists()


async def test_streaming_arrives_in_chunks(server):
    for n in range(3):
        await Product.objects.acreate(name=f"p{n}", price="1")
    chunks = []
    async with httpx.AsyncClient(base_url=server.url) as http:
        async with http.stream("GET", "/api/async/products/events/") as response:
            assert response.headers.get("transfer-encoding") == "chunked"
            async for chunk in response.aiter_raw():
                chunks.append(chunk)
    assert b"".join(chunks).count(b"event: product") == 3


def test_uvicorn_connections_do_not_wait_for_delayed_acks(transactional_db, settings):
    """Nagle off on accepted sockets; with it on, every keep-alive response waited ~40 ms."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    live = start_live_server("uvicorn")
    try:
        with httpx.Client(base_url=live.url) as http:
            assert http.get("/api/echo/").status_code == 200
            connections = list(live._server.server_state.connections)
            assert connections, "the keep-alive connection should still be open"
            for protocol in connections:
                sock = protocol.transport.get_extra_info("socket")
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        live.stop()


def test_stop_releases_port_and_threads(transactional_db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    before = set(threading.enumerate())
    for backend in BACKENDS:
        live = start_live_server(backend)
        port = live.port
        assert httpx.get(f"{live.url}/api/echo/").status_code == 200
        live.stop()
        assert _port_is_closed(port), backend
    # Left: at most the process's one Twisted reactor (not the server's database thread).
    assert _new_threads(before) <= {"restflow-daphne-reactor"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_port_in_use_is_reported_not_hung(backend, transactional_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"could not listen on 127.0.0.1:{port}") as info:
            start_live_server(backend, port=port)
    assert info.value.__cause__ is not None


def test_bad_application_path_is_explained(transactional_db, settings):
    settings.ASGI_APPLICATION = "testproject.nowhere.application"
    with pytest.raises(ImproperlyConfigured, match="could not import the ASGI application"):
        start_live_server()


def test_unknown_backend_is_explained():
    with pytest.raises(ImproperlyConfigured, match="Unknown live server backend 'gunicorn'"):
        start_live_server("gunicorn")


def test_live_server_test_case_both_backends(transactional_db):
    seen = {}

    def make(backend):
        class Case(AsyncAPILiveServerTestCase):
            live_server_backend = backend

            async def test_round_trip(self):
                await Product.objects.acreate(name=backend, price="1")
                async with httpx.AsyncClient(base_url=self.live_server_url) as http:
                    response = await http.get("/api/async/products/")
                seen[backend] = [p["name"] for p in response.json()]
                # The in-process client still works alongside.
                self.assertEqual((await self.client.get("/api/async/products/")).status_code, 200)

        return Case

    for backend in BACKENDS:
        result = run_case(make(backend))
        assert result.wasSuccessful(), problems(result)
    assert seen == {"daphne": ["daphne"], "uvicorn": ["uvicorn"]}


def test_live_server_test_case_waits_for_requests_a_test_left_running(transactional_db):
    """A request the test stopped waiting for finishes before the flush, not in the next test."""
    counts = {}

    def make(backend):
        class Case(AsyncAPILiveServerTestCase):
            live_server_backend = backend

            async def test_1_stops_waiting(self):
                async with httpx.AsyncClient(base_url=self.live_server_url) as http:
                    await http.get("/api/echo/")  # warm up: the view must start in time
                    with self.assertRaises(httpx.TimeoutException):
                        await http.post("/api/slow-write/?seconds=0.8", timeout=0.3)

            async def test_2_starts_clean(self):
                await asyncio.sleep(1)  # the view, if still running, has written by now
                counts[backend] = await Product.objects.acount()

        return Case

    for backend in BACKENDS:
        result = run_case(make(backend))
        assert result.wasSuccessful(), problems(result)
    assert counts == {"daphne": 0, "uvicorn": 0}


def test_a_request_outliving_the_wait_fails_its_test(transactional_db, monkeypatch):
    from restflow_test import live_server

    monkeypatch.setattr(live_server, "IDLE_TIMEOUT", 0.2)

    class Case(AsyncAPILiveServerTestCase):
        async def test_leaves_a_slow_request(self):
            async with httpx.AsyncClient(base_url=self.live_server_url) as http:
                # The view must have started when the client gives up, or nothing is
                # left running: warm the server up, and give up after 0.5 s, not 0.1 s
                # (a first request took longer); the view still runs 1.5 s past that.
                await http.get("/api/echo/")
                with self.assertRaises(httpx.TimeoutException):
                    await http.post("/api/slow-write/?seconds=2", timeout=0.5)

    before = set(threading.enumerate())
    found = problems(run_case(Case))
    assert len(found) == 1
    assert "still serving POST /api/slow-write/ 0.2 s after the test ended" in found[0]
    # The view is still running and writes when it is done: in this test, whose end
    # flushes it away, not in the next one. Its thread (long started) is the server's
    # database thread (in-memory SQLite) or the request's own (other databases); not
    # the helper that joins the latter, which may be starting just now.
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith(("restflow-live-db_", "restflow-live-request_")):
            thread.join(10)


def test_bad_application_on_the_class_fails_the_class(transactional_db):
    class Case(AsyncAPILiveServerTestCase):
        asgi_application = "testproject.nowhere.application"

        def test_never_runs(self):
            pass

    assert "could not import the ASGI application" in problems(run_case(Case))[0]


async def test_async_live_server_fixture(async_live_server):
    await Product.objects.acreate(name="fixture", price="1")
    assert str(async_live_server) == async_live_server.url
    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        responses = await asyncio.gather(*(http.get("/api/products/") for _ in range(10)))
    assert all(r.json()[0]["name"] == "fixture" for r in responses)


async def _token_headers():
    user = await User.objects.acreate_user("writer", password="pw")
    token = await Token.objects.acreate(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.parametrize("path", ["/api/products/", "/api/async/products/"], ids=["sync-view", "async-view"])
async def test_twenty_concurrent_writes_all_succeed(server, path):
    """On in-memory SQLite, requests on their own connections hit "database table is locked"."""
    headers = await _token_headers()
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
        for round_ in range(5):
            responses = await asyncio.gather(*(
                http.post(path, json={"name": f"p{round_}-{n}", "price": "1.00"}) for n in range(20)
            ))
            assert [r.status_code for r in responses] == [201] * 20, responses[0].text
    assert await Product.objects.acount() == 100


async def test_the_test_can_query_while_the_server_writes(server):
    """Both write the same table with the same SQL; none lost, none doubled."""
    headers = await _token_headers()
    owner = await User.objects.aget(username="writer")

    async def test_side():
        counts = []
        for n in range(40):
            await Product.objects.acreate(name=f"test-{n}", price="1.00", owner=owner)
            counts.append(await Product.objects.acount())
        return counts

    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
        *responses, counts = await asyncio.gather(
            *(http.post("/api/products/", json={"name": f"web-{n}", "price": "1.00"}) for n in range(40)),
            test_side(),
        )
    assert [r.status_code for r in responses] == [201] * 40
    assert counts == sorted(counts) and counts[-1] >= 40
    names = [name async for name in Product.objects.values_list("name", flat=True)]
    assert sorted(names) == sorted([f"test-{n}" for n in range(40)] + [f"web-{n}" for n in range(40)])


async def _twenty_posts(server):
    headers = await _token_headers()
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
        return await asyncio.gather(*(
            http.post("/api/products/", json={"name": f"p{n}", "price": "1.00"}) for n in range(20)
        ))


@pytest.fixture
def connections_opened(transactional_db):
    """Names of the threads that open a database connection (in-memory SQLite only).

    On other databases each request opens its own connection, by design.
    """
    if not in_memory_connections():
        pytest.skip("the test database is not in-memory SQLite")
    opened = []

    def record(sender, connection, **kwargs):
        opened.append(threading.current_thread().name)

    connection_created.connect(record)
    yield opened
    connection_created.disconnect(record)


async def test_a_server_started_in_async_code_uses_the_tests_connection(connections_opened):
    live = start_live_server("uvicorn")
    try:
        responses = await _twenty_posts(live)
    finally:
        live.stop()
    assert [r.status_code for r in responses] == [201] * 20
    assert connections_opened == []


def test_a_server_started_in_an_async_test_method_uses_the_tests_connection(connections_opened):
    seen = []

    class Case(AsyncAPITransactionTestCase):
        async def test_serve(self):
            live = start_live_server("daphne")
            try:
                seen.extend(r.status_code for r in await _twenty_posts(live))
            finally:
                live.stop()

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)
    assert seen == [201] * 20
    assert connections_opened == []


def _new_threads(before):
    return {t.name for t in threading.enumerate() if t not in before and t.is_alive()}


@pytest.mark.parametrize("backend", BACKENDS)
def test_stop_cancels_a_request_in_flight_at_once(backend):
    started, cancelled = threading.Event(), threading.Event()

    async def slow(scope, receive, send):
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    before = set(threading.enumerate())
    live = start_live_server(backend, slow)
    outcome = []
    client = threading.Thread(target=lambda: outcome.append(_get_error(live.url)))
    client.start()
    assert started.wait(5)
    began = time.monotonic()
    live.stop()
    assert time.monotonic() - began < STOP_IS_PROMPT
    assert cancelled.wait(5)  # cancelled, not left to run its 10 s
    client.join(5)
    assert outcome and outcome[0] is not None  # the client saw its connection dropped
    assert _new_threads(before) <= {"restflow-daphne-reactor"}


def _get_error(url):
    try:
        httpx.get(url, timeout=15)
    except httpx.HTTPError as exc:
        return exc
    return None


@pytest.mark.parametrize("backend", BACKENDS)
def test_stop_does_not_wait_for_a_sync_view(backend, transactional_db, settings):
    """A sync view cannot be interrupted; stop() returns anyway and its thread ends later."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    started, release = threading.Event(), threading.Event()

    def view(request):
        started.set()
        release.wait(10)
        from django.http import HttpResponse

        return HttpResponse("late")

    from django.core.handlers.asgi import ASGIHandler

    class Handler(ASGIHandler):
        def resolve_request(self, request):
            from django.urls import ResolverMatch

            return ResolverMatch(view, (), {}, route="slow/")

    live = start_live_server(backend, Handler())
    client = threading.Thread(target=_get_error, args=(live.url,))
    client.start()
    try:
        assert started.wait(5)
        began = time.monotonic()
        live.stop()
        assert time.monotonic() - began < STOP_IS_PROMPT
    finally:
        release.set()
        client.join(5)


def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
@pytest.mark.parametrize("backend", BACKENDS)
def test_ipv6_loopback(backend, transactional_db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "[::1]"]
    live = start_live_server(backend, host="::1")
    try:
        assert live.url == f"http://[::1]:{live.port}"
        assert live.ws_url == f"ws://[::1]:{live.port}"
        assert httpx.get(f"{live.url}/api/echo/").status_code == 200
    finally:
        live.stop()


def test_ipv6_test_case(transactional_db):
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    seen = []

    class Case(AsyncAPILiveServerTestCase):
        host = "::1"

        async def test_get(self):
            async with httpx.AsyncClient(base_url=self.live_server_url) as http:
                seen.append((await http.get("/api/echo/")).status_code)

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)
    assert seen == [200]


def test_a_module_as_asgi_application_is_refused_at_start(transactional_db, settings):
    settings.ASGI_APPLICATION = "testproject.asgi"
    with pytest.raises(ImproperlyConfigured, match=r"'testproject\.asgi' is a module, not an ASGI application"):
        start_live_server()


def test_a_non_callable_application_argument_is_refused(transactional_db):
    with pytest.raises(TypeError, match="needs an ASGI application"):
        start_live_server("uvicorn", {"not": "an app"})


async def echo(scope, receive, send):
    """A plain ASGI WebSocket echo application (and 404 for HTTP)."""
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif event["type"] == "websocket.receive":
            key = "text" if event.get("text") is not None else "bytes"
            await send({"type": "websocket.send", key: event[key]})
        else:
            return


@pytest.fixture(params=BACKENDS)
def ws_server(request):
    live = start_live_server(request.param, echo)
    yield live
    live.stop()


async def test_websocket_echo_over_a_real_socket(ws_server):
    ws_client = pytest.importorskip("websockets.asyncio.client", reason="needs `pip install websockets`")
    assert ws_server.ws_url == f"ws://127.0.0.1:{ws_server.port}"
    async with ws_client.connect(f"{ws_server.ws_url}/echo/") as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.send(b"\x00\x01")
        assert await ws.recv() == b"\x00\x01"


async def test_daphne_websocket_limits_match_the_daphne_command():
    """`daphne` caps messages at 1 MiB (--websocket_max_message_size) and drops the connection."""
    ws_client = pytest.importorskip("websockets.asyncio.client", reason="needs `pip install websockets`")
    from websockets.exceptions import ConnectionClosed

    live = start_live_server("daphne", echo)
    try:
        async with ws_client.connect(live.ws_url, max_size=None) as ws:
            await ws.send("x" * 1024 * 1024)
            assert len(await ws.recv()) == 1024 * 1024
            await ws.send("x" * (1024 * 1024 + 1))
            with pytest.raises(ConnectionClosed):
                await ws.recv()
    finally:
        live.stop()


def test_live_server_ws_url_on_the_test_case(transactional_db):
    seen = []

    class Case(AsyncAPILiveServerTestCase):
        def test_urls(self):
            seen.append((self.live_server_url, self.live_server_ws_url))

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)
    [(http_url, ws_url)] = seen
    assert ws_url == "ws://" + http_url.removeprefix("http://")


async def test_stop_with_a_websocket_open(ws_server):
    ws_client = pytest.importorskip("websockets.asyncio.client", reason="needs `pip install websockets`")
    from websockets.exceptions import ConnectionClosed

    async with ws_client.connect(ws_server.ws_url) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        began = time.monotonic()
        await asyncio.to_thread(ws_server.stop)
        assert time.monotonic() - began < STOP_IS_PROMPT
        with pytest.raises(ConnectionClosed):
            await ws.recv()


async def test_the_projects_channels_consumer_over_a_real_socket(server):
    """Session auth from a cookie, and the consumer's ORM calls on the test's database."""
    ws_client = pytest.importorskip("websockets.asyncio.client", reason="needs `pip install websockets`")
    user = await User.objects.acreate_user("ws", password="pw")
    client = AsyncAPIClient()
    await client.aforce_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    async with ws_client.connect(f"{server.ws_url}/ws/products/", origin=server.url,
                                 additional_headers={"Cookie": cookie}) as ws:
        await ws.send(json.dumps({"action": "create", "name": "Lamp", "price": "12.50"}))
        assert json.loads(await ws.recv())["type"] == "created"
    assert await Product.objects.filter(name="Lamp", owner=user).aexists()
