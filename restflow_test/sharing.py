"""Lend the main thread's database connections to asgiref's executor thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections

from .db import thread_connections

__all__ = ["share_connections_with_executor"]

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


@contextmanager
def share_connections_with_executor() -> Iterator[None]:
    """Run `sync_to_async` code on this thread's connections while the block runs.

    Must be entered from the thread that owns the connections (the main thread in
    pytest). Code that uses `thread_sensitive=False` or its own
    `ThreadSensitiveContext` runs elsewhere and is not covered.
    """
    executor = SyncToAsync.single_thread_executor
    shared = thread_connections()
    for connection in shared.values():
        connection.inc_thread_sharing()
    previous = executor.submit(_swap, shared).result()
    try:
        yield
    finally:
        executor.submit(_swap, previous).result()
        for connection in shared.values():
            connection.dec_thread_sharing()
