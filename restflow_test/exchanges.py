"""Remember the HTTP exchanges each test makes, to show them when it fails.

Every test gets its own [ExchangeRecorder][restflow_test.exchanges.ExchangeRecorder],
held in a context variable that is set on the test's main thread before its set-up
runs. Event loop tasks (pytest-asyncio's test and fixture tasks, `asyncio.gather`
children) and `async_to_sync` copy the context they start in, so they all see the
test's recorder; a client used outside any test records nothing.

A recorder keeps references to the last responses only; nothing is formatted unless
the test fails.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from .report import BODY_LIMIT, describe_exchange

__all__ = [
    "DEFAULT_KEPT",
    "ExchangeRecorder",
    "current_recorder",
    "exchanges_option",
    "kept_exchanges",
    "record_exchange",
    "recording",
    "reporting_failures_to",
]

DEFAULT_KEPT = 10
"""How many exchanges a failure report shows when `RESTFLOW_EXCHANGES` is not set."""
SETTING = "RESTFLOW_EXCHANGES"

# Unset outside any test; `None` inside a test whose runner switched reports off.
_recorder: ContextVar[ExchangeRecorder | None] = ContextVar("restflow_test_exchanges")


class ExchangeRecorder:
    """The last `kept` responses a test received through the clients, oldest first.

    Args:
        kept: How many exchanges to keep; older ones are forgotten (and counted).
    """

    __slots__ = ("kept", "responses", "seen")

    def __init__(self, kept: int = DEFAULT_KEPT) -> None:
        self.kept = kept
        self.responses: deque[Any] = deque(maxlen=kept)
        self.seen = 0

    def add(self, response: Any) -> None:
        """Keep a reference to `response` (dropping the oldest beyond `kept`)."""
        self.responses.append(response)
        self.seen += 1

    def report(self, *, limit: int = BODY_LIMIT) -> str:
        """The kept exchanges as text, newest last; empty when there were none.

        Args:
            limit: Characters of each body shown before it is cut.
        """
        if not self.responses:
            return ""
        forgotten = self.seen - len(self.responses)
        parts = []
        if forgotten:
            parts.append(f"({forgotten} earlier exchanges not kept: `{SETTING}` keeps "
                         f"the last {self.kept})")
        for number, response in enumerate(list(self.responses), start=forgotten + 1):
            parts.append(f"#{number}\n{describe_exchange(response, limit=limit)}")
        return "\n\n".join(parts)


def current_recorder() -> ExchangeRecorder | None:
    """The running test's recorder, or `None` outside a test or when switched off."""
    return _recorder.get(None)


def record_exchange(response: Any, request_body: bytes | None = None) -> None:
    """Give a finished response to the running test's recorder, if there is one.

    Args:
        response: The response, with `asgi_request` attached.
        request_body: The body the request was sent with, when the caller has it;
            kept on the response for the report (the request's stream may be
            closed by then). Without it, the report reads the test client's payload.
    """
    if request_body is not None:
        response._restflow_request_body = request_body
    recorder = _recorder.get(None)
    if recorder is not None:
        recorder.add(response)


def kept_exchanges() -> int:
    """The `RESTFLOW_EXCHANGES` setting: exchanges kept per test, `0` for none.

    Raises:
        ImproperlyConfigured: The setting is not a whole number of at least 0.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        kept = getattr(settings, SETTING, DEFAULT_KEPT)
    except ImproperlyConfigured:  # no Django settings: a test that is not Django's
        return DEFAULT_KEPT
    if not isinstance(kept, int) or isinstance(kept, bool) or kept < 0:
        raise ImproperlyConfigured(
            f"`{SETTING}` must be a whole number (how many HTTP exchanges a failure "
            f"report shows), or 0 to turn reports off; got {kept!r}."
        )
    return kept


def exchanges_option(value: str) -> int:
    """Parse pytest's `--restflow-exchanges=N` (a whole number, 0 for none).

    Raises:
        argparse.ArgumentTypeError: `value` is not a whole number of at least 0.
    """
    if not value.isdigit():
        import argparse

        raise argparse.ArgumentTypeError(
            f"expected how many HTTP exchanges to show, a whole number (0 for none), "
            f"got {value!r}"
        )
    return int(value)


@contextmanager
def recording(kept: int) -> Iterator[ExchangeRecorder | None]:
    """Give the code run inside the block its own recorder (none when `kept` is 0).

    Enter it on the thread and in the context the test starts from, before any of
    its event loop tasks are created.
    """
    recorder = ExchangeRecorder(kept) if kept else None
    token = _recorder.set(recorder)
    try:
        yield recorder
    finally:
        _recorder.reset(token)


def add_report_to(exc: BaseException, report: str) -> None:
    """Show `report` under the exception's message in its traceback."""
    text = f"HTTP exchanges (newest last):\n\n{report}"
    if hasattr(exc, "add_note"):  # Python 3.11+
        exc.add_note(text)
    elif len(exc.args) == 1 and isinstance(exc.args[0], str):  # Python 3.10
        exc.args = (f"{exc.args[0]}\n\n{text}",)


def _noting(add: Callable[..., Any], recorder: ExchangeRecorder) -> Callable[..., Any]:
    def add_with_report(*args: Any) -> Any:
        err = args[-1]  # addFailure(test, err), addError(test, err), addSubTest(t, s, err)
        if err is not None and recorder.responses:
            add_report_to(err[1], recorder.report())
        return add(*args)

    return add_with_report


@contextmanager
def reporting_failures_to(result: Any) -> Iterator[None]:
    """Record one unittest test's exchanges and add them to its failures and errors.

    Does nothing when the test runner already decided (pytest's plugin records the
    test and shows the exchanges in its report, or was told not to) or when
    `RESTFLOW_EXCHANGES` is 0.
    The result's `addFailure`, `addError` and `addSubTest` are wrapped for the
    duration of the test only, on this result object only.
    """
    decided = _recorder.get(_UNSET) is not _UNSET
    kept = 0 if decided or result is None else kept_exchanges()
    if not kept:
        yield
        return
    with recording(kept) as started:
        recorder = cast(ExchangeRecorder, started)  # kept > 0, so one was started
        own = vars(result)
        saved = {name: own[name] for name in _RESULT_METHODS if name in own}
        for name in _RESULT_METHODS:
            if hasattr(result, name):
                setattr(result, name, _noting(getattr(result, name), recorder))
        try:
            yield
        finally:
            for name in _RESULT_METHODS:
                own.pop(name, None)
            own.update(saved)


_RESULT_METHODS = ("addFailure", "addError", "addSubTest")
_UNSET: Any = object()
