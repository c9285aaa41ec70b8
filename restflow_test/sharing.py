"""Lend the main thread's database connections to asgiref's executor thread."""

from __future__ import annotations

from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections

from .db import thread_connections

__all__ = [
    "lend_connections_to_executor",
    "take_back_connections",
]

_MISSING = object()


def _swap(replacements: dict[str, Any]) -> dict[str, Any]:
    """In the calling thread, set these connections; return what was there."""
    previous = {}
    for alias, connection in replacements.items():
        previous[alias] = getattr(connections._connections, alias, _MISSING)  # type: ignore[attr-defined]
        if connection is _MISSING:
            delattr(connections._connections, alias)  # type: ignore[attr-defined]
        else:
            connections[alias] = connection
    return previous


# What the executor thread currently uses instead of its own connections, and its own
# connections to give back. Kept between tests: pytest-django keeps the same connection
# objects for the whole session, so lending once saves two thread hops per test.
_lent: dict[str, Any] = {}
_own: dict[str, Any] = {}


def lend_connections_to_executor() -> None:
    """Make `sync_to_async` code use the calling thread's connections from now on.

    Must be called from the thread that owns the connections (the main thread in
    pytest). The loan stays until `take_back_connections()`; calling again with the
    same connection objects costs nothing, with different ones the old loan is
    returned first. Code that uses `thread_sensitive=False` or its own
    `ThreadSensitiveContext` runs elsewhere and is not covered.
    """
    shared = thread_connections()
    if shared.keys() == _lent.keys() and all(
            shared[alias] is _lent[alias] for alias in shared):
        return
    take_back_connections()
    for connection in shared.values():
        connection.inc_thread_sharing()
    _own.update(SyncToAsync.single_thread_executor.submit(_swap, shared).result())
    _lent.update(shared)


def take_back_connections() -> None:
    """End the loan: the executor thread gets its own connections back."""
    if not _lent:
        return
    SyncToAsync.single_thread_executor.submit(_swap, dict(_own)).result()
    for connection in _lent.values():
        connection.dec_thread_sharing()
    _lent.clear()
    _own.clear()
