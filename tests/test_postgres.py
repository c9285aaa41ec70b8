"""Checks that only mean something on PostgreSQL (CI sets DATABASE_URL)."""

import asyncio
import contextlib
import gc
import threading
import time

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.http import HttpResponse
from django.urls import ResolverMatch

from restflow_test.live_server import start_live_server
from testproject.shop.models import Product

pytestmark = [
    pytest.mark.postgres,  # `make test` leaves these to `make test-postgres`
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: set DATABASE_URL=postgres://... (scripts/postgres-up.sh starts one)",
    ),
]


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        return cursor.fetchone()[0]


def _sessions_on_test_database():
    """The server processes (pids) of the sessions connected to the test database."""
    with connection.cursor() as cursor:
        cursor.execute("select pid from pg_stat_activity where datname = current_database()")
        return {pid for (pid,) in cursor.fetchall()}


def _new_sessions_left(before, wait=10):
    """Sessions opened since `before` still there after up to `wait` seconds.

    A closed connection's backend leaves pg_stat_activity as its process exits, not at
    once; a connection left open stays.
    """
    deadline = time.monotonic() + wait
    while (left := _sessions_on_test_database() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def main_thread_pid(db):
    """The server process of the connection holding the test transaction."""
    return _backend_pid()


async def test_awaited_orm_calls_use_the_test_transactions_connection(main_thread_pid):
    assert await sync_to_async(_backend_pid)() == main_thread_pid


def test_live_server_leaves_no_connection_behind(transactional_db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    before = _sessions_on_test_database()
    for backend in ("daphne", "uvicorn"):
        server = start_live_server(backend)
        with httpx.Client(base_url=server.url) as http:
            for _ in range(5):
                assert http.get("/api/products/").status_code == 200
                assert http.get("/api/async/products/").status_code == 200
        server.stop()
    left = _new_sessions_left(before)
    assert not left, f"{len(left)} connection(s) of the live server still open"


def _get_dropped(url):
    with contextlib.suppress(httpx.HTTPError):  # stop() drops the connection
        httpx.get(url, timeout=15)


@pytest.mark.parametrize("backend", ["daphne", "uvicorn"])
def test_a_request_cancelled_by_stop_closes_its_connection(backend, transactional_db, settings):
    """stop() cancels a request before Django's `request_finished` closes its connection."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    queried = threading.Event()

    async def view(request):
        await Product.objects.acount()  # opens the request's connection, on its thread
        queried.set()
        await asyncio.sleep(10)
        return HttpResponse("late")

    class Handler(ASGIHandler):
        def resolve_request(self, request):
            return ResolverMatch(view, (), {}, route="slow/")

    before = _sessions_on_test_database()
    # Django's connection objects are in reference cycles: without closing, only the
    # collector would free them (and their sockets), at a moment of its own.
    gc.disable()
    try:
        server = start_live_server(backend, Handler())
        try:
            threading.Thread(target=_get_dropped, args=(server.url,), daemon=True).start()
            assert queried.wait(5)
        finally:
            server.stop()
        left = _new_sessions_left(before)
    finally:
        gc.enable()
    assert not left, f"{len(left)} connection(s) of the live server still open"
