"""Real ASGI servers in a background thread of the test process.

`start_live_server()` serves the project's ASGI application (plus static files) on
127.0.0.1 at a free port and returns a started server with `.url` and `.ws_url`;
`.stop()` closes its socket and connections. Daphne is the default; uvicorn is the
alternative.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

__all__ = [
    "IDLE_TIMEOUT",
    "LiveServer",
    "RequestsInFlight",
    "load_application",
    "resolve_backend",
    "start_live_server",
    "still_running_error",
    "url_host",
]

BACKENDS = ("daphne", "uvicorn")
BACKEND_SETTING = "RESTFLOW_LIVE_SERVER_BACKEND"
#: How long a test's end waits for the server to finish the requests it is serving.
IDLE_TIMEOUT = 10.0


class LiveServer(Protocol):
    host: str
    port: int

    @property
    def url(self) -> str: ...

    @property
    def ws_url(self) -> str: ...

    def stop(self) -> None: ...

    def wait_idle(self, timeout: float | None = None) -> list[str]: ...


class ServerAddress:
    """`host`/`port`, the `url` (also `str(server)`) and `ws_url` built from them."""

    host: str
    port: int
    _on_stop: tuple[Callable[[], None], ...] = ()
    _idle_checks: tuple[Callable[[float], list[str]], ...] = ()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` (an IPv6 host in brackets: `http://[::1]:<port>`)."""
        return f"http://{url_host(self.host)}:{self.port}"

    @property
    def ws_url(self) -> str:
        """`ws://127.0.0.1:<port>`, the same server for WebSocket clients."""
        return f"ws://{url_host(self.host)}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def call_on_stop(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the server has stopped."""
        self._on_stop = (*self._on_stop, callback)

    def _stopped(self) -> None:
        self._idle_checks = ()
        callbacks, self._on_stop = self._on_stop, ()
        for callback in callbacks:
            callback()

    def wait_idle(self, timeout: float | None = None) -> list[str]:
        """Wait until the server has finished every HTTP request it is serving.

        A request the test stopped waiting for (a client timeout, a browser still
        loading) keeps running in the server, and a sync view keeps running even
        when the server gives up on it. The test cases and the `async_live_server`
        fixture call this before the tables are flushed, so that such a request
        cannot write into the next test. WebSocket connections are not waited for.

        Returns:
            The requests (`"POST /api/things/"`) still running after `timeout`
            seconds (default `IDLE_TIMEOUT`, 10); empty when the server is idle.
        """
        deadline = time.monotonic() + (IDLE_TIMEOUT if timeout is None else timeout)
        for check in self._idle_checks:
            still_running = check(max(deadline - time.monotonic(), 0.0))
            if still_running:
                return still_running
        return []


def still_running_error(still_running: list[str]) -> RuntimeError:
    """The error for a test whose live-server requests outlived it by `IDLE_TIMEOUT`."""
    return RuntimeError(
        f"The live server was still serving {', '.join(still_running)} {IDLE_TIMEOUT:g} s after "
        "the test ended; what it writes may land in the next test. Let the test wait for "
        "its requests to finish (await each response, close streams and browsers' pending "
        "loads) before it returns."
    )


class RequestsInFlight:
    """Wrap an ASGI application to know which HTTP requests it is serving."""

    def __init__(self, application: Any) -> None:
        from asgiref.compatibility import guarantee_single_callable

        self.application = guarantee_single_callable(application)
        self._running: dict[int, str] = {}
        self._changed = threading.Condition()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        key = id(scope)
        with self._changed:
            self._running[key] = f"{scope['method']} {scope['path']}"
        try:
            await self.application(scope, receive, send)
        finally:
            with self._changed:
                del self._running[key]
                self._changed.notify_all()

    def wait_idle(self, timeout: float) -> list[str]:
        """Wait for no request in flight; the ones still running after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: not self._running, timeout)
            return sorted(self._running.values())


def url_host(host: str) -> str:
    """`host` as it goes in a URL or a Host header: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def resolve_backend(backend: str | None) -> str:
    """The backend to use: the argument, else the project setting, else Daphne."""
    chosen = backend or getattr(settings, BACKEND_SETTING, None) or "daphne"
    if chosen not in BACKENDS:
        raise ImproperlyConfigured(
            f"Unknown live server backend {chosen!r}: use one of {', '.join(BACKENDS)} "
            f"(per class with `live_server_backend`, or project-wide with "
            f"settings.{BACKEND_SETTING})."
        )
    return chosen


def load_application(path: str | None = None) -> Any:
    """The ASGI application to serve, with Django's static files handler around it."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    path = path or getattr(settings, "ASGI_APPLICATION", None)
    if not path:
        raise ImproperlyConfigured(
            "The live server needs an ASGI application: set ASGI_APPLICATION = "
            "'yourproject.asgi.application' in settings, or `asgi_application` on the "
            "test class."
        )
    try:
        application = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"The live server could not import the ASGI application {path!r}: {exc}. "
            "Check ASGI_APPLICATION (or the class's `asgi_application`)."
        ) from exc
    if not callable(application):
        raise ImproperlyConfigured(
            f"The live server's ASGI application {path!r} is a "
            f"{type(application).__name__}, not an ASGI application: point "
            "ASGI_APPLICATION (or the class's `asgi_application`) at the application "
            "object, e.g. 'yourproject.asgi.application'."
        )
    return ASGIStaticFilesHandler(application)


def start_live_server(backend: str | None = None, application: Any = None,
                      *, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
    """Start a live server and return it once it accepts connections.

    Args:
        backend: `"daphne"` or `"uvicorn"`; default
            `settings.RESTFLOW_LIVE_SERVER_BACKEND`, else `"daphne"`.
        application: An ASGI application; default `settings.ASGI_APPLICATION`
            wrapped in Django's static files handler.
        host: The address to listen on; IPv6 works too (`"::1"`).
        port: The port; 0 picks a free one.

    Returns:
        The running server: `.url`, `.ws_url`, `.host`, `.port`, and `.stop()`.

    Raises:
        RuntimeError: The server could not start (port taken, ...), with the cause.
        ImproperlyConfigured: Unknown backend, or an application that does not import.
        TypeError: `application` is not callable.

    With an in-memory SQLite test database, the application's thread-sensitive work
    (sync views, middleware, ORM calls) runs on one thread that shares the test's
    connection, as Django's `LiveServerTestCase` does; see `connections.py`.
    """
    backend = resolve_backend(backend)
    host = host.strip("[]")  # "[::1]" as in a URL, or "::1"
    if application is None:
        application = load_application()
    elif not callable(application):
        raise TypeError(
            f"start_live_server() needs an ASGI application (an async callable), got "
            f"{type(application).__name__}: pass the application object itself."
        )
    from .connections import PinnedApplication, RequestThreads, in_memory_connections

    shared = in_memory_connections()
    pinned = PinnedApplication(application, shared) if shared else None
    in_flight = RequestsInFlight(pinned or RequestThreads(application))
    server_class = _server_class(backend)
    try:
        server = server_class.start(in_flight, host, port)
    except BaseException:
        if pinned is not None:
            pinned.close()
        raise
    server._idle_checks = (in_flight.wait_idle,)
    if pinned is not None:
        # A request's application call returns before a sync view that outlived it
        # (the client went away) is done with the pinned thread: wait for it too.
        server._idle_checks += (pinned.wait_idle,)
        server.call_on_stop(pinned.close)
    return server


def _server_class(backend: str) -> Any:
    if backend == "uvicorn":
        from .uvicorn import UvicornLiveServer

        return UvicornLiveServer
    from .daphne import DaphneLiveServer

    return DaphneLiveServer
