"""Checks that only mean something on PostgreSQL (CI sets DATABASE_URL)."""

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from restflow_test.live_server import start_live_server

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
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
        )
        return cursor.fetchone()[0]


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
    assert _sessions_on_test_database() == before
