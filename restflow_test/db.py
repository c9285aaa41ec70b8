"""Query counting and on_commit capture that work from async tests.

Django's `assertNumQueries` and `captureOnCommitCallbacks` look up
`connections[alias]` in the thread they are entered in. In an async test that is the
event loop's thread, whose connection is not the one holding the test transaction (and
touching it there raises `SynchronousOnlyOperation`). These helpers take the
connection object explicitly: the one the test's awaited ORM calls and views use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.core.signals import request_started
from django.db import connections, reset_queries

from .assertions import caller_outside_package, location

__all__ = ["CaptureOnCommit", "CountQueries", "format_queries", "thread_connections"]

logger = logging.getLogger("restflow_test")


def thread_connections() -> dict[str, Any]:
    """The calling thread's connection objects, by alias."""
    return {alias: connections[alias] for alias in connections}


def format_queries(queries: list[dict[str, Any]]) -> str:
    """A numbered listing of captured queries, for a failed count."""
    return "\n".join(f"{i}. {query['sql']}" for i, query in enumerate(queries, 1))


class CountQueries:
    """Count the queries run on `connection`; check the count on exit.

    Usable as `with` and `async with`. `check(expected, executed, queries, where)` is
    called on a clean exit and raises when the count is wrong; `where` is the
    `path:line` where the block was entered.
    """

    def __init__(self, connection: Any, expected: int | None,
                 check: Callable[[int | None, int, list[dict[str, Any]], str], None]) -> None:
        self.connection = connection
        self.expected = expected
        self._check = check
        self.captured_queries: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.captured_queries)

    def __enter__(self) -> CountQueries:
        # Unlike Django's CaptureQueriesContext we do not call ensure_connection():
        # it is synchronous-only, and the test transaction has the connection open.
        self._entered_at = caller_outside_package()  # the test's line, for the message
        self._debug_cursor = self.connection.force_debug_cursor
        self.connection.force_debug_cursor = True
        self._start = len(self.connection.queries_log)
        # Only the outermost block reconnects it, as Django's CaptureQueriesContext
        # does: an inner block must not let a request reset the outer one's log.
        self._disconnected = request_started.disconnect(reset_queries)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.connection.force_debug_cursor = self._debug_cursor
        if self._disconnected:
            request_started.connect(reset_queries)
        self.captured_queries = list(self.connection.queries_log)[self._start:]
        if exc_type is None:
            self._check(self.expected, len(self.captured_queries), self.captured_queries,
                        location(self._entered_at))

    async def __aenter__(self) -> CountQueries:
        return self.__enter__()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        self.__exit__(exc_type, exc, tb)


class CaptureOnCommit:
    """Capture the `on_commit` callbacks registered on `connection`.

    `with` runs captured callbacks (when `execute`) in the current thread; `async
    with` runs them through `sync_to_async` so callbacks that query the database
    work from an async test.
    """

    def __init__(self, connection: Any, *, execute: bool = False) -> None:
        self.connection = connection
        self.execute = execute
        self.callbacks: list[Callable[[], Any]] = []

    def __enter__(self) -> list[Callable[[], Any]]:
        self._start = len(self.connection.run_on_commit)
        return self.callbacks

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for callback, robust in self._collect():
            if self.execute:
                try:
                    self._run(callback, robust)
                except SynchronousOnlyOperation:
                    raise SynchronousOnlyOperation(
                        f"The on_commit callback {_name(callback)} queries the database, "
                        "which sync code cannot do inside an `async def` test: use `async "
                        "with self.acaptureOnCommitCallbacks(execute=True):` (or `async "
                        "with` the fixture), which runs callbacks through sync_to_async."
                    ) from None

    async def __aenter__(self) -> list[Callable[[], Any]]:
        return self.__enter__()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        for callback, robust in self._collect():
            if self.execute:
                await sync_to_async(self._run, thread_sensitive=True)(callback, robust)

    def _collect(self) -> Any:
        # Callbacks may register further callbacks: keep going until none are new.
        start = self._start
        while True:
            registered = self.connection.run_on_commit
            end = len(registered)
            for _sids, callback, robust in registered[start:end]:
                self.callbacks.append(callback)
                yield callback, robust
            if end == len(self.connection.run_on_commit):
                return
            start = end

    @staticmethod
    def _run(callback: Callable[[], Any], robust: bool) -> None:
        if not robust:
            callback()
            return
        try:
            callback()
        except Exception as exc:
            logger.error("Error calling %s in on_commit() (%s).", _name(callback), exc,
                         exc_info=True)


def _name(callback: Callable[[], Any]) -> str:
    return str(getattr(callback, "__qualname__", callback))
