"""Real ASGI servers in a background thread of the test process.

`start_live_server()` serves the project's ASGI application (plus static files) on
127.0.0.1 at a free port and returns a started server with `.url`; `.stop()`
closes its socket and connections. Daphne is the default; uvicorn is the alternative.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

__all__ = ["LiveServer", "load_application", "resolve_backend", "start_live_server"]

BACKENDS = ("daphne", "uvicorn")
BACKEND_SETTING = "RESTFLOW_LIVE_SERVER_BACKEND"


class LiveServer(Protocol):
    host: str
    port: int

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


class ServerAddress:
    """`host`/`port` and the `url` (also `str(server)`) built from them."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url


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
    return ASGIStaticFilesHandler(application)


def start_live_server(backend: str | None = None, application: Any = None,
                      *, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
    """Start a live server and return it once it accepts connections.

    Args:
        backend: `"daphne"` or `"uvicorn"`; default
            `settings.RESTFLOW_LIVE_SERVER_BACKEND`, else `"daphne"`.
        application: An ASGI application; default `settings.ASGI_APPLICATION`
            wrapped in Django's static files handler.
        host: The address to listen on.
        port: The port; 0 picks a free one.

    Returns:
        The running server: `.url`, `.host`, `.port`, and `.stop()`.

    Raises:
        RuntimeError: The server could not start (port taken, ...), with the cause.
        ImproperlyConfigured: Unknown backend, or an application that does not import.
    """
    backend = resolve_backend(backend)
    application = application if application is not None else load_application()
    if backend == "uvicorn":
        from .uvicorn import UvicornLiveServer

        return UvicornLiveServer.start(application, host, port)
    from .daphne import DaphneLiveServer

    return DaphneLiveServer.start(application, host, port)
