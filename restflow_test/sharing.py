"""Lend the main thread's database connections to asgiref's executor thread."""

from __future__ import annotations

import concurrent.futures
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections

from .db import thread_connections

__all__ = [
    "drain_executor",
    "lend_connections_to_executor",
    "take_back_connections",
]


def _swap(replacements: dict[str, Any]) -> dict[str, Any]:
    """In the calling thread, set these connections; return what was there.

    `None` removes an alias, so that the thread opens its own connection again
    the next time it needs one.
    """
    own = {connection.alias: connection
           for connection in connections.all(initialized_only=True)}
    previous = {alias: own.get(alias) for alias in replacements}
    for alias, connection in replacements.items():
        if connection is None:
            if alias in own:
                del connections[alias]
        else:
            connections[alias] = connection
    return previous


# What the executor thread uses instead of its own connections, its own connections
# to give back, and the executor the loan went to. Kept between tests:
# pytest-django keeps the same connection objects for the whole session, so
# lending once saves two thread hops per test.
_lent: dict[str, Any] = {}
_own: dict[str, Any] = {}
_executor: list[concurrent.futures.Executor] = []


def lend_connections_to_executor() -> None:
    """Make `sync_to_async` code use the calling thread's connections from now on.

    Must be called from the thread that owns the connections (the main thread in
    pytest). The loan stays until `take_back_connections()`; calling again with the
    same connection objects and the same asgiref executor costs nothing; otherwise
    the old loan is returned first. Code that uses `thread_sensitive=False` or its
    own `ThreadSensitiveContext` runs elsewhere and is not covered.
    """
    shared = thread_connections()
    executor = SyncToAsync.single_thread_executor
    if (_executor and _executor[0] is executor and shared.keys() == _lent.keys()
            and all(shared[alias] is _lent[alias] for alias in shared)):
        return
    take_back_connections()
    for connection in shared.values():
        connection.inc_thread_sharing()
    _own.update(executor.submit(_swap, shared).result())
    _lent.update(shared)
    _executor.append(executor)


def take_back_connections() -> None:
    """End the loan: the executor thread gets its own connections back."""
    if not _lent:
        return
    executor = _executor.pop()
    try:
        executor.submit(_swap, dict(_own)).result()
    except RuntimeError:  # asgiref replaced and shut down that executor
        pass
    for connection in _lent.values():
        connection.dec_thread_sharing()
    _lent.clear()
    _own.clear()


def drain_executor(timeout: float) -> None:
    """Wait until asgiref's executor thread has finished what it was given.

    A sync view whose request the test stopped waiting for keeps running there;
    this returns once it is done (the executor runs one call at a time, in order).

    Raises:
        RuntimeError: The thread was still busy after `timeout` seconds.
    """
    try:
        SyncToAsync.single_thread_executor.submit(lambda: None).result(timeout)
    except concurrent.futures.TimeoutError:
        raise RuntimeError(
            f"A sync view or `sync_to_async` call was still running {timeout:.0f} s after "
            "the test ended (a request the test stopped waiting for?). It uses the "
            "test's database connection, so the test's rollback cannot safely happen: "
            "make the view finish, or await the request."
        ) from None
