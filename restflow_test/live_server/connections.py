"""The served application's database work on the thread that holds the test's connection.

Django's test database on SQLite is, by default, a shared-cache in-memory database.
Under ASGI, Django's handler runs each request's sync work (sync views, middleware,
ORM calls) on a fresh thread with a fresh connection; two such connections writing at
once get "database table is locked" (shared-cache table locks do not wait). Django's
WSGI `LiveServerTestCase` avoids this by giving its server threads the test's own
connection object. `PinnedApplication` does the same for ASGI: every request's
thread-sensitive work goes to one thread, which uses the test's connection objects for
the in-memory aliases, so requests take turns on one connection.

The test keeps using that connection while the server serves, from its own thread.
Two threads on one `sqlite3` connection need two precautions, both taken while the
server runs:

- Statements run one at a time (a lock around each `execute`), so that what SQLite
  reports after one (`rowcount`) is about that statement.
- The server's SQL carries a trailing comment. `sqlite3` caches prepared statements
  by SQL text and a cursor resets its statement when it finishes, so a cursor in one
  thread could reset the very statement a cursor in the other thread had just taken
  from the cache: rows lost (`RETURNING` gives nothing) or inserted twice. With
  distinct text the two threads never share a statement.

Transactions are not isolated from each other: the test's statements may land inside
a view's `atomic()` block and the other way round, as with Django's
`LiveServerTestCase`.

Other databases (file SQLite, PostgreSQL): a request's connection is its own, on a
thread of its own, as under Django's ASGI handler. `RequestThreads` gives each request
that thread, so that the request's connections are closed when it ends even when the
server cancels it (`stop()`) before Django's `request_finished` would close them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any

from asgiref.compatibility import guarantee_single_callable
from asgiref.sync import AsyncToSync, SyncToAsync, ThreadSensitiveContext
from django.db import connections

__all__ = ["PinnedApplication", "RequestThreads", "in_memory_connections"]

STOP_TIMEOUT = 0.5
SERVER_SQL_MARK = "/* restflow-test live server */"


def _in_memory_connections() -> dict[str, Any]:
    return {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    }


def in_memory_connections() -> dict[str, Any]:
    """The test's in-memory SQLite connections, by alias.

    From sync code, the calling thread's. From async code (a running event loop),
    Django keeps other connection objects for the loop, which no query uses; the
    test's are those its awaited ORM calls use, on the thread `sync_to_async` sends
    them to: the thread of the enclosing `async_to_sync` (an async test method of a
    Django test case), else asgiref's single thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _in_memory_connections()
    executor = getattr(AsyncToSync.executors, "current", None)
    executor = executor or SyncToAsync.single_thread_executor
    return executor.submit(_in_memory_connections).result()


def _install(shared: dict[str, Any]) -> int:
    for alias, connection in shared.items():
        connections[alias] = connection
    return threading.get_ident()


def _release(shared: dict[str, Any]) -> None:
    # In-memory SQLite ignores close(), so the shared connections stay open for the test.
    connections.close_all()
    for connection in shared.values():
        connection.dec_thread_sharing()


class PinnedApplication:
    """Wrap an ASGI application so its thread-sensitive work runs on one thread.

    That thread uses `shared` (the test's connection objects) for their aliases. The
    test may query while the server serves: both then use one SQLite connection, with
    the precautions in the module docstring.
    """

    def __init__(self, application: Any, shared: dict[str, Any]) -> None:
        self.application = guarantee_single_callable(application)
        self._shared = shared
        self._statement_lock = threading.RLock()
        self._executor = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="restflow-live-db"
        )
        for connection in shared.values():
            connection.inc_thread_sharing()
            connection.execute_wrappers.insert(0, self._one_statement_at_a_time)
        self._thread_id = self._executor.submit(_install, shared).result()
        # Every request runs in this one context, so asgiref sends its thread-sensitive
        # calls to our executor; Django's handler sees a context already set and keeps it.
        self._context = ThreadSensitiveContext()
        SyncToAsync.context_to_thread_executor[self._context] = self._executor

    def _one_statement_at_a_time(self, execute: Callable[..., Any], sql: str, params: Any,
                                 many: bool, context: dict[str, Any]) -> Any:
        if threading.get_ident() == self._thread_id:
            sql = f"{sql} {SERVER_SQL_MARK}"
        with self._statement_lock:
            return execute(sql, params, many, context)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = SyncToAsync.thread_sensitive_context.set(self._context)
        try:
            await self.application(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)

    def wait_idle(self, timeout: float) -> list[str]:
        """Wait for the thread to finish what it was given; what still runs after `timeout`."""
        finished = self._executor.submit(lambda: None)
        done, _ = futures.wait([finished], timeout=timeout)
        return [] if done else ["a sync view or ORM call on the live server's thread"]

    def close(self) -> None:
        """Give the connections back and end the thread.

        Waits half a second at most: a sync view still running (a stopped server cancels
        requests, but cannot stop a thread) keeps the thread until it returns.
        """
        SyncToAsync.context_to_thread_executor.pop(self._context, None)
        released = self._executor.submit(_release, self._shared)
        done, _ = futures.wait([released], timeout=STOP_TIMEOUT)
        self._executor.shutdown(wait=bool(done))
        for connection in self._shared.values():
            connection.execute_wrappers.remove(self._one_statement_at_a_time)


class RequestThreads:
    """Wrap an ASGI application so each HTTP request's connections are closed at its end.

    Django's handler runs a request's thread-sensitive work (sync views, middleware,
    ORM calls) on a thread of its own, and closes that thread's connections when the
    request finishes (`request_finished`). A server that stops cancels the requests it
    is serving; one cancelled before that point left its connections open for the
    garbage collector to close (connection objects are in reference cycles), some
    time later: on PostgreSQL, sessions on the test database. Here each request gets
    that thread from us (Django's handler sees a context already set and keeps it),
    and its connections are closed on it once the request's work there is done,
    however the request ended. As with Django's own thread, the application call
    returns only then.
    """

    def __init__(self, application: Any) -> None:
        self.application = guarantee_single_callable(application)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        executor = _RequestExecutor(max_workers=1, thread_name_prefix="restflow-live-request")
        context = ThreadSensitiveContext()
        SyncToAsync.context_to_thread_executor[context] = executor
        token = SyncToAsync.thread_sensitive_context.set(context)
        try:
            await self.application(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            SyncToAsync.context_to_thread_executor.pop(context, None)
            if executor.used:  # else there is no thread, and no connection on it
                executor.submit(connections.close_all)  # after what the request left running
                await _joined(executor)


class _RequestExecutor(futures.ThreadPoolExecutor):
    """A request's thread (started on first use); `used` once given work."""

    used = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> futures.Future[Any]:
        self.used = True
        return super().submit(fn, *args, **kwargs)


async def _joined(executor: futures.ThreadPoolExecutor) -> None:
    """Shut `executor` down and wait for its thread without blocking the event loop.

    Joined in a thread of its own, as asgiref's `ThreadSensitiveContext` does: the
    worker may be waiting for this loop. If the wait is cancelled, the thread still
    finishes its work.
    """
    joined: futures.Future[None] = futures.Future()

    def join() -> None:
        executor.shutdown(wait=True)
        with contextlib.suppress(futures.InvalidStateError):  # the wait was cancelled
            joined.set_result(None)

    threading.Thread(target=join, name="restflow-live-request-join", daemon=True).start()
    await asyncio.wrap_future(joined)
