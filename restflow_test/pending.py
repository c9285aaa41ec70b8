"""Forgotten `await`: the coroutine a client verb returns, and the test that owns it.

Python only warns about an un-awaited coroutine, and only when it is collected: a
test that forgets `await` would pass while sending nothing. Every client verb
returns a `PendingRequest` that remembers the test that created it (its *owner*)
and the line that did. When it is collected un-awaited it is reported to its owner,
which fails; one collected after its owner ended (kept alive by a traceback or a
reference cycle) becomes a warning that names the owner, never a failure of
whichever test happens to be running.

The test runners (the pytest plugin, the test-case bases) mark where a test starts
and ends with `begin_test()`/`end_test()`. Only a pointer to the running test is
module state; what each test collected lives on its own `TestOwner`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from .assertions import caller_outside_package, location

__all__ = ["PendingRequest", "TestOwner", "begin_test", "end_test", "forgotten_await_message"]


class TestOwner:
    """One running test: its name and the un-awaited calls reported to it."""

    __test__ = False
    __slots__ = ("active", "name", "never_awaited", "previous")

    def __init__(self, name: str, previous: TestOwner | None) -> None:
        self.name = name
        self.previous = previous
        self.active = True
        self.never_awaited: list[tuple[str, str]] = []

    def take(self) -> list[tuple[str, str]]:
        """Return and forget the calls reported so far."""
        taken, self.never_awaited = self.never_awaited, []
        return taken


_running: TestOwner | None = None


def begin_test(name: str) -> TestOwner:
    """Mark the start of a test; requests created from now on belong to it."""
    global _running
    _running = TestOwner(name, _running)
    return _running


def end_test(owner: TestOwner) -> None:
    """Mark the end of `owner`; what is collected later only warns."""
    global _running
    owner.active = False
    if _running is owner:
        _running = owner.previous


def forgotten_await_message(calls: list[tuple[str, str]]) -> str:
    """Say which calls were never awaited, where, and how to fix it."""
    listed = ", ".join(f"`{call}` (at {where})" for call, where in calls)
    return (
        f"{listed} was never awaited, so no request was sent. AsyncAPIClient methods "
        f"are coroutines: write `response = await {calls[0][0]}`."
    )


class PendingRequest(Coroutine[Any, Any, Any]):
    """The coroutine a client verb returns; it notices when it is never awaited.

    Reading a response attribute from it (`client.get(...).status_code`) raises an
    `AttributeError` that says what is missing; that counts as reported.
    """

    __slots__ = ("_call", "_coro", "_owner", "_reported", "_start", "_where")

    def __init__(self, start: Callable[[], Coroutine[Any, Any, Any]], call: str) -> None:
        # The coroutine itself is only created when awaited: an un-awaited one that
        # the cyclic collector finalizes before us would warn on its own.
        self._start: Callable[[], Coroutine[Any, Any, Any]] | None = start
        self._coro: Coroutine[Any, Any, Any] | None = None
        self._call = call
        self._reported = False
        self._owner = _running
        self._where = caller_outside_package()  # formatted only if reported

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        if self._coro is None:
            assert self._start is not None
            self._coro, self._start = self._start(), None
        return self._coro

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coroutine().__await__()

    def send(self, value: Any) -> Any:
        return self._coroutine().send(value)

    def throw(self, *args: Any) -> Any:  # type: ignore[override]
        return self._coroutine().throw(*args)

    def close(self) -> None:
        self._coroutine().close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("cr_", "__")):
            return getattr(self._coroutine(), name)
        self._reported = True  # by this error: the collector must not report it again
        raise AttributeError(
            f"`{self._call}` returned a coroutine, not a response, so it has no "
            f"`.{name}`: write `response = await {self._call}`."
        )

    def __repr__(self) -> str:
        return f"<PendingRequest {self._call}>"

    def __del__(self) -> None:
        if self._coro is not None or self._reported:
            return
        entry = (self._call, location(self._where))
        owner = self._owner
        if owner is not None and owner.active:
            owner.never_awaited.append(entry)
            return
        where = (f" It was created by the test {owner.name}, which had already ended."
                 if owner is not None else "")
        try:
            warnings.warn(forgotten_await_message([entry]) + where, RuntimeWarning,
                          stacklevel=2)
        except Warning:
            pass  # warnings are errors here, and an exception cannot leave __del__
