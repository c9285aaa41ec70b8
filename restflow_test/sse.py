"""Server-Sent Events: parse a `text/event-stream` response as the browser does.

`response.aiter_events(timeout=...)` (on every response of
[AsyncAPIClient][restflow_test.AsyncAPIClient]) yields
[ServerSentEvent][restflow_test.sse.ServerSentEvent] objects parsed by the rules of
the HTML standard's "event stream interpretation", waits at most `timeout` seconds
for each, and closes the stream (and the view's generator) when the reading stops.

The parser is small and written here: the maintained ones are either private parts of
an HTTP client's package (httpx-sse's decoder needs httpx and its line splitting) or
synchronous.
"""

from __future__ import annotations

import asyncio
import codecs
import inspect
import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async

__all__ = ["EventStreamParser", "ServerSentEvent", "aiter_events"]

DEFAULT_TIMEOUT = 5.0
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # only these: not str.splitlines()'s others


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event.

    Attributes:
        event: The event type; `"message"` when the stream gave none.
        data: The data lines joined with newlines.
        id: The last event ID seen so far in the stream (it carries over).
        retry: The reconnection time (ms) given in this event's block, else `None`.
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        """The data decoded as JSON."""
        return json.loads(self.data)


class EventStreamParser:
    """Incremental parser: feed bytes in any chunking, get complete events out."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._first = True
        self._data: list[str] = []
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Parse a chunk of the body; return the events it completed."""
        text = self._pending + self._decoder.decode(chunk)
        if self._first and text:
            text = text.removeprefix("\ufeff")
            self._first = False
        # A CR at the end may be the first half of a CRLF split across chunks.
        text, held = (text[:-1], "\r") if text.endswith("\r") else (text, "")
        *lines, rest = _LINE_BREAK.split(text)
        self._pending = rest + held
        return list(self._lines(lines))

    def end(self) -> list[ServerSentEvent]:
        """The stream ended: return an event completed by a final lone CR, if any."""
        pending, self._pending = self._pending, ""
        return list(self._lines([pending[:-1]])) if pending.endswith("\r") else []

    def _lines(self, lines: Iterable[str]) -> Iterator[ServerSentEvent]:
        for line in lines:
            if not line:
                event = self._dispatch()
                if event is not None:
                    yield event
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                self._field(name, value.removeprefix(" "))

    def _field(self, name: str, value: str) -> None:
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\x00" not in value:
            self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> ServerSentEvent | None:
        data, event, retry = self._data, self._event, self._retry
        self._data, self._event, self._retry = [], "", None
        if not data:
            return None
        return ServerSentEvent(event or "message", "\n".join(data), self._last_id, retry)


def _check_event_stream(response: Any) -> None:
    content_type = response.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() != "text/event-stream":
        raise ValueError(
            f"`aiter_events()` reads Server-Sent Events, but the response is "
            f"{content_type or 'without a content type'!r} (status "
            f"{response.status_code}): check the URL, or read it with `await "
            "response.aread()`.")


async def aiter_events(response: Any, *, timeout: float = DEFAULT_TIMEOUT
                       ) -> AsyncIterator[ServerSentEvent]:
    """Yield the events of a `text/event-stream` response as they arrive.

    Args:
        response: A response from [AsyncAPIClient][restflow_test.AsyncAPIClient].
        timeout: Seconds to wait for each event.

    Yields:
        Each event, parsed by the HTML standard's rules.

    Raises:
        ValueError: The response is not `text/event-stream`.
        TimeoutError: No event arrived within `timeout` seconds.
    """
    _check_event_stream(response)
    parser = EventStreamParser()
    if not response.streaming:
        for event in [*parser.feed(bytes(response.content)), *parser.end()]:
            yield event
        return
    chunks = aiter(response.streaming_content)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout  # for the next event: comments do not reset it
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(anext(chunks), deadline - loop.time())
            except StopAsyncIteration:
                for event in parser.end():
                    yield event
                return
            except (TimeoutError, asyncio.TimeoutError):
                raise TimeoutError(
                    f"No event arrived from {response.request['path']!r} within "
                    f"{timeout}s: pass a longer `timeout=` to `aiter_events()`, or stop "
                    "reading once you have the events you expect.") from None
            for event in parser.feed(chunk):
                yield event
                deadline = loop.time() + timeout
    finally:
        await _close(response, chunks)


def _generator_chain(stream: Any) -> list[Any]:
    """`stream` and the async generators it wraps, outermost first.

    Closing an async generator does not close the one it iterates (`async for` leaves
    it open), so each must be closed, down to the view's own generator.
    """
    chain = []
    while inspect.isasyncgen(stream) and stream.ag_frame is not None:
        chain.append(stream)
        inner = [value for value in stream.ag_frame.f_locals.values()
                 if inspect.isasyncgen(value)]
        stream = inner[0] if len(inner) == 1 else None
    return chain


async def _close(response: Any, chunks: Any) -> None:
    """Close the stream, and with it the view's generator."""
    for stream in _generator_chain(chunks):
        await stream.aclose()
    if not response.closed:
        # A sync generator: the client reads it in a thread, which aclose() does not
        # reach. Close it there, as Django's test client would at the end.
        await sync_to_async(response.close, thread_sensitive=True)()
