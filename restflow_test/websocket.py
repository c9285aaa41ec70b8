"""WebSocket connections from the test client, through the project's ASGI application.

`client.websocket(path)` opens a connection with Channels' `WebsocketCommunicator`,
but to `settings.ASGI_APPLICATION` (routing, origin check, auth middleware included)
and with the client's identity: its cookies (so `AuthMiddlewareStack` finds the session
of `alogin()`/`aforce_login()`), `credentials()` and constructor headers, and a
`force_authenticate()` user as `scope["user"]`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import LazyObject

from .headers import build_scope, headers_to_environ

__all__ = ["WebSocket", "WebSocketClientMixin", "WebSocketClosed", "WebSocketRefused"]

MISSING_CHANNELS = (
    "`client.websocket()` needs Django Channels: install it with "
    '`pip install "restflow-test[channels]"`.'
)
DEFAULT_TIMEOUT = 1.0


class WebSocketClosed(Exception):
    """The server closed the connection; `.code` is the WebSocket close code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class WebSocketRefused(WebSocketClosed):
    """The server refused the handshake; `.code` is the close code it sent."""


class _ForcedUser(LazyObject):
    """`scope["user"]` for a forced user, which `AuthMiddleware` cannot replace.

    Channels' `AuthMiddleware` keeps a `scope["user"]` that is already there and sets
    its `_wrapped` to the session's user; this object ignores that assignment.
    """

    def __init__(self, user: Any) -> None:
        self.__dict__["_wrapped"] = user

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "_wrapped":
            setattr(self._wrapped, name, value)

    def _setup(self) -> None:  # pragma: no cover - `_wrapped` is always set
        raise AssertionError("unreachable")


class WebSocket:
    """An open WebSocket connection to a consumer, as `client.websocket()` yields it.

    Every `receive_*` waits at most `timeout` seconds (default 1) and raises
    `TimeoutError` when nothing came; `WebSocketClosed` when the consumer closed the
    connection instead of sending.

    Attributes:
        subprotocol: The subprotocol the consumer accepted, or `None`.
        close_code: The close code once the connection is closed, else `None`.
    """

    def __init__(self, communicator: Any, path: str, subprotocol: str | None) -> None:
        self._communicator = communicator
        self._path = path
        self.subprotocol = subprotocol
        self.close_code: int | None = None

    async def send_text(self, text: str) -> None:
        """Send a text frame.

        Raises:
            TypeError: `text` is not a str.
        """
        if not isinstance(text, str):
            raise TypeError(f"`send_text()` takes a str, not {type(text).__name__}: "
                            "use `send_bytes()` for binary frames.")
        await self._send({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame.

        Raises:
            TypeError: `data` is not bytes.
        """
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"`send_bytes()` takes bytes, not {type(data).__name__}: "
                            "use `send_text()` for text frames.")
        await self._send({"type": "websocket.receive", "bytes": bytes(data)})

    async def send_json(self, data: Any) -> None:
        """Send `data` encoded as JSON in a text frame."""
        await self.send_text(json.dumps(data))

    async def receive_text(self, *, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait for the next frame and return it; it must be a text frame.

        Raises:
            TimeoutError: Nothing arrived within `timeout` seconds.
            WebSocketClosed: The consumer closed the connection.
            TypeError: The frame was binary.
        """
        frame = await self._receive(timeout)
        if "text" not in frame or frame["text"] is None:
            raise TypeError(f"Expected a text frame from {self._path!r} but got a binary "
                            "one: use `receive_bytes()`.")
        return str(frame["text"])

    async def receive_bytes(self, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
        """Wait for the next frame and return it; it must be a binary frame.

        Raises:
            TimeoutError: Nothing arrived within `timeout` seconds.
            WebSocketClosed: The consumer closed the connection.
            TypeError: The frame was text.
        """
        frame = await self._receive(timeout)
        if frame.get("bytes") is None:
            raise TypeError(f"Expected a binary frame from {self._path!r} but got a text "
                            "one: use `receive_text()` or `receive_json()`.")
        return bytes(frame["bytes"])

    async def receive_json(self, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
        """Wait for the next text frame and decode it as JSON.

        Raises:
            TimeoutError: Nothing arrived within `timeout` seconds.
            WebSocketClosed: The consumer closed the connection.
            TypeError: The frame was binary.
        """
        return json.loads(await self.receive_text(timeout=timeout))

    async def receive_nothing(self, *, timeout: float = 0.1) -> bool:
        """Wait `timeout` seconds; `True` when the consumer sent nothing meanwhile.

        A frame that arrived stays queued for the next `receive_*`.
        """
        return bool(await self._noting_failure(self._communicator.receive_nothing(timeout=timeout)))

    async def close(self, code: int = 1000, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Disconnect with `code` and wait for the consumer to finish.

        An exception the consumer raised is raised here. Leaving the
        `async with` block calls this for you.
        """
        if self.close_code is not None:
            return
        self.close_code = code
        await self._communicator.disconnect(code=code, timeout=timeout)

    async def _send(self, message: dict[str, Any]) -> None:
        if self.close_code is not None:
            raise WebSocketClosed(
                f"The connection to {self._path!r} is closed (code {self.close_code}): "
                "nothing can be sent any more.", self.close_code)
        await self._noting_failure(self._communicator.send_input(message))

    async def _noting_failure(self, awaitable: Any) -> Any:
        """Await a communicator call; a consumer failure it raises ends the connection."""
        try:
            return await awaitable
        except Exception:
            if self._communicator.future.done():
                self.close_code = 1011  # the test has seen the consumer's error
            raise

    async def _handshake(self, timeout: float) -> None:
        await self._communicator.send_input({"type": "websocket.connect"})
        try:
            message = await self._next_message(timeout)
        except TimeoutError:
            raise TimeoutError(
                f"The consumer at {self._path!r} neither accepted nor refused the "
                f"connection within {timeout}s: call `accept()` or `close()` in "
                "`connect()`, or pass a longer `timeout=`.") from None
        if message["type"] == "websocket.close":
            code = int(message.get("code") or 1000)
            self.close_code = code
            await self._communicator.disconnect(code=code, timeout=timeout)
            raise WebSocketRefused(
                f"The consumer at {self._path!r} refused the connection (close code "
                f"{code}).", code=code)
        self.subprotocol = message.get("subprotocol")

    async def _receive(self, timeout: float) -> dict[str, Any]:
        if self.close_code is not None:
            raise WebSocketClosed(
                f"The connection to {self._path!r} is closed (code {self.close_code}): "
                "nothing more can arrive.", self.close_code)
        message = await self._next_message(timeout)
        if message["type"] == "websocket.close":
            self.close_code = int(message.get("code") or 1000)
            # As a server does: confirm the close, then let the consumer finish.
            await self._communicator.disconnect(code=self.close_code, timeout=DEFAULT_TIMEOUT)
            raise WebSocketClosed(
                f"The consumer at {self._path!r} closed the connection (code "
                f"{self.close_code}) instead of sending a frame.", self.close_code)
        return message

    async def _next_message(self, timeout: float) -> dict[str, Any]:
        # Unlike `receive_output()`, a timeout leaves the consumer running: the test
        # may go on. A consumer that fails meanwhile is noticed at once.
        communicator = self._communicator
        application = communicator.future
        get = asyncio.ensure_future(communicator.output_queue.get())
        done, _ = await asyncio.wait({get, application}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if get in done:
            return dict(get.result())
        get.cancel()
        if application.done():
            self.close_code = 1011  # the consumer is gone; its error goes to the test
            application.result()
            raise WebSocketClosed(
                f"The consumer at {self._path!r} returned without closing the "
                "connection.", self.close_code)
        raise TimeoutError(
            f"Nothing arrived from {self._path!r} within {timeout}s. Pass a longer "
            "`timeout=`, or check that nothing arrives with "
            "`assert await ws.receive_nothing()`.")


class WebSocketClientMixin:
    """Adds `websocket()` to a client that has cookies, headers and forced auth."""

    cookies: Any
    defaults: Any
    _credentials: dict[str, Any]
    handler: Any

    def websocket(
        self,
        path: str,
        *,
        subprotocols: Sequence[str] | None = None,
        headers: dict[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> AbstractAsyncContextManager[WebSocket]:
        """Connect to the project's ASGI application: `async with client.websocket(path) as ws:`.

        The connection goes through `settings.ASGI_APPLICATION` (read at call time,
        so `override_settings` works) with this client's cookies, `credentials()`,
        constructor headers and `headers=`, an `Origin` of the client's host, and a
        `force_authenticate()` user as `scope["user"]` (and token as
        `scope["auth"]`). Leaving the block disconnects and waits for the consumer to
        finish; an exception the consumer raised is raised in the test.

        Args:
            path: The URL path, optionally with a query string.
            subprotocols: Subprotocols to offer, in order of preference.
            headers: Handshake headers, by HTTP name (`{"Origin": ...}`).
            timeout: Seconds to wait for the handshake and for the consumer to finish.

        Returns:
            An async context manager whose target is a
            [WebSocket][restflow_test.websocket.WebSocket].

        Raises:
            WebSocketRefused: The consumer refused the handshake (its `.code`).
            ImportError: Django Channels is not installed.
            TypeError: `subprotocols` is a single string instead of a list.
            ValueError: `path` or a header cannot be sent.
        """
        scope = self._websocket_scope(path, subprotocols, headers)
        return _Connecting(scope, path, timeout, _load_application())

    def _websocket_scope(self, path: str, subprotocols: Sequence[str] | None,
                         headers: dict[str, Any] | None) -> dict[str, Any]:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"`websocket()` takes a path that starts with '/', not "
                             f"{path!r}: write `client.websocket('/ws/chat/')`.")
        if isinstance(subprotocols, str) or not all(
                isinstance(p, str) for p in subprotocols or ()):
            raise TypeError(f"`subprotocols=` takes a list of str, not {subprotocols!r}: "
                            f"write `subprotocols=[{subprotocols!r}]`.")
        builtin = {}
        if self.cookies:
            builtin["HTTP_COOKIE"] = "; ".join(
                f"{morsel.key}={morsel.coded_value}" for morsel in self.cookies.values())
        layers = [builtin, self.defaults, self._credentials, headers_to_environ(headers)]
        scope, _meta = build_scope("GET", path, body=b"", secure=False, layers=layers)
        if not any(name == b"origin" for name, _ in scope["headers"]):
            host = dict(scope["headers"])[b"host"]
            scope["headers"].append((b"origin", b"http://" + host))
        scope.update(type="websocket", scheme="ws", subprotocols=list(subprotocols or ()))
        del scope["method"]
        if self.handler.force_user is not None:
            scope["user"] = _ForcedUser(self.handler.force_user)
        if self.handler.force_token is not None:
            scope["auth"] = self.handler.force_token
        return scope


def _load_application() -> Any:
    try:
        from channels.routing import get_default_application
    except ImportError:
        raise ImportError(MISSING_CHANNELS) from None
    if not getattr(settings, "ASGI_APPLICATION", None):
        raise ImproperlyConfigured(
            "`client.websocket()` connects to `settings.ASGI_APPLICATION`, which is not "
            "set: point it at your Channels `ProtocolTypeRouter`.")
    return get_default_application()


class _Connecting:
    """What `client.websocket()` returns: used with `async with`, never awaited."""

    def __init__(self, scope: dict[str, Any], path: str, timeout: float,
                 application: Any) -> None:
        self._session = _session(scope, path, timeout, application)

    async def __aenter__(self) -> WebSocket:
        return await self._session.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._session.__aexit__(*exc_info)

    def __await__(self) -> Any:
        raise TypeError("`client.websocket()` is used with `async with`, not awaited: "
                        "write `async with client.websocket(path) as ws:`.")


@asynccontextmanager
async def _session(scope: dict[str, Any], path: str, timeout: float,
                   application: Any) -> AsyncIterator[WebSocket]:
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(application, path)
    # The full scope instead of Channels' minimal one, filled into the very dict the
    # application will be called with.
    communicator.scope.update(scope)
    socket = WebSocket(communicator, path, None)
    try:
        await socket._handshake(timeout)
    except ValueError as exc:
        if "can only handle ASGI/HTTP" not in str(exc):
            raise
        raise ImproperlyConfigured(
            f"`settings.ASGI_APPLICATION` ({settings.ASGI_APPLICATION}) only serves "
            "HTTP: route `websocket` connections with Channels' `ProtocolTypeRouter`."
        ) from None
    except BaseException:
        await _cancel(communicator)  # a consumer stuck in `connect()`
        raise
    try:
        yield socket
    except BaseException:
        # The test failed: still let the consumer run its `disconnect()`, but do not
        # hide the test's exception behind one from the consumer.
        if socket.close_code is None:
            socket.close_code = 1000
            with suppress(Exception):
                await communicator.disconnect(timeout=timeout)
        raise
    await socket.close(timeout=timeout)


async def _cancel(communicator: Any) -> None:
    application = communicator.future
    if not application.done():
        application.cancel()
        with suppress(asyncio.CancelledError):
            await application
