"""Per-test isolation for realtime code: the test's connections stay open, layers fresh.

Two things go wrong when a test talks to Channels consumers:

- `database_sync_to_async` (and so every sync consumer) calls Django's
  `close_old_connections()` before and after each call. Inside a test transaction the
  connection's autocommit differs from the settings, so Django closes it: on
  PostgreSQL the test's next query fails with "the connection is closed", and on any
  database the transaction's on_commit callbacks are dropped. Django's own test client
  avoids this for HTTP requests by disconnecting `close_old_connections` from the
  request signals; consumers call it directly, so here the test's connection objects
  get a `close_if_unusable_or_obsolete()` that does nothing, for the duration of the
  test (the way Django's `SimpleTestCase` swaps connection methods to refuse queries).
- Channels keeps one channel layer per alias for the whole process: groups and
  messages of one test reach the next, and an in-memory layer's queues stay bound to
  the event loop of the test that created them. Each test gets new layer instances.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .db import thread_connections

__all__ = ["fresh_channel_layers", "isolate_realtime", "keep_connections_open"]


def _keep_open() -> None:
    """Stands in for `close_if_unusable_or_obsolete` on a test's connection."""


@contextmanager
def keep_connections_open(connections: Iterable[Any]) -> Iterator[None]:
    """Make `close_old_connections()` leave these connection objects open.

    Undone on exit: each connection gets back exactly what it had (an instance
    attribute someone else set is restored too).
    """
    replaced = []
    for connection in connections:
        if connection.__dict__.get("close_if_unusable_or_obsolete") is _keep_open:
            continue  # an outer block already protects it
        replaced.append((connection, connection.__dict__.get("close_if_unusable_or_obsolete")))
        connection.close_if_unusable_or_obsolete = _keep_open
    try:
        yield
    finally:
        for connection, previous in replaced:
            if previous is None:
                connection.__dict__.pop("close_if_unusable_or_obsolete", None)
            else:
                connection.close_if_unusable_or_obsolete = previous


@contextmanager
def fresh_channel_layers() -> Iterator[None]:
    """New channel layer instances inside the block; the previous ones after it.

    Until something imports Channels' layers there are none to replace, so this does
    not import Channels itself (a test that creates the first layers still hands new
    ones to the next test).
    """
    layers_module = sys.modules.get("channels.layers")
    if layers_module is None:
        yield
        return
    channel_layers = layers_module.channel_layers
    previous = channel_layers.backends
    channel_layers.backends = {}
    try:
        yield
    finally:
        channel_layers.backends = previous


@contextmanager
def isolate_realtime() -> Iterator[None]:
    """Both of the above for one test, with the calling thread's connections.

    Enter it on the thread that holds the test transaction (the test's main thread).
    """
    with keep_connections_open(thread_connections().values()), fresh_channel_layers():
        yield
