"""The served application's database work on the thread that holds the test's connection.

Django's test database on SQLite is, by default, a shared-cache in-memory database.
Under ASGI, Django's handler runs each request's sync work (sync views, middleware,
ORM calls) on a fresh thread with a fresh connection; two such connections writing at
once get "database table is locked" (shared-cache table locks do not wait). Django's
WSGI `LiveServerTestCase` avoids this by giving its server threads the test's own
connection object. `PinnedApplication` does the same for ASGI: every request's
thread-sensitive work goes to one thread, which uses the test's connection objects for
the in-memory aliases, so requests take turns on one connection.

Other databases (file SQLite, PostgreSQL) are left alone: a request's connection is
its own and is closed when the request ends.
"""

from __future__ import annotations

from concurrent import futures
from typing import Any

from asgiref.sync import SyncToAsync, ThreadSensitiveContext
from django.db import connections

__all__ = ["PinnedApplication", "in_memory_connections"]

STOP_TIMEOUT = 0.5


def in_memory_connections() -> dict[str, Any]:
    """The calling thread's in-memory SQLite connections, by alias."""
    return {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    }


def _install(shared: dict[str, Any]) -> None:
    for alias, connection in shared.items():
        connections[alias] = connection


def _release(shared: dict[str, Any]) -> None:
    # In-memory SQLite ignores close(), so the shared connections stay open for the test.
    connections.close_all()
    for connection in shared.values():
        connection.dec_thread_sharing()


class PinnedApplication:
    """Wrap an ASGI application so its thread-sensitive work runs on one thread.

    That thread uses `shared` (the test's connection objects) for their aliases. The
    test may query while the server serves: both then use one SQLite connection, as
    with Django's `LiveServerTestCase`.
    """

    def __init__(self, application: Any, shared: dict[str, Any]) -> None:
        self.application = application
        self._shared = shared
        self._executor = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="restflow-live-db"
        )
        for connection in shared.values():
            connection.inc_thread_sharing()
        self._executor.submit(_install, shared).result()
        # Every request runs in this one context, so asgiref sends its thread-sensitive
        # calls to our executor; Django's handler sees a context already set and keeps it.
        self._context = ThreadSensitiveContext()
        SyncToAsync.context_to_thread_executor[self._context] = self._executor

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = SyncToAsync.thread_sensitive_context.set(self._context)
        try:
            await self.application(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)

    def close(self) -> None:
        """Give the connections back and end the thread.

        Waits half a second at most: a sync view still running (a stopped server cancels
        requests, but cannot stop a thread) keeps the thread until it returns.
        """
        SyncToAsync.context_to_thread_executor.pop(self._context, None)
        released = self._executor.submit(_release, self._shared)
        done, _ = futures.wait([released], timeout=STOP_TIMEOUT)
        self._executor.shutdown(wait=bool(done))
