"""Live servers on a real socket: data both ways, streaming, lifecycle, failures."""

import asyncio
import socket
import threading

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from restflow_test import AsyncAPILiveServerTestCase
from restflow_test.live_server import start_live_server
from testproject.shop.models import Product

from .helpers import problems, run_case

BACKENDS = ["daphne", "uvicorn"]


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
    for backend in BACKENDS:
        live = start_live_server(backend)
        port = live.port
        assert httpx.get(f"{live.url}/api/echo/").status_code == 200
        live.stop()
        assert _port_is_closed(port), backend
    names = {t.name for t in threading.enumerate()}
    assert "restflow-uvicorn" not in names


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
