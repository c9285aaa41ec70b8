"""The async client handler: Django's test request path, plus forced authentication."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from asgiref.sync import sync_to_async
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.dispatch import Signal
from django.http import HttpResponseBase
from django.test.client import AsyncClientHandler as DjangoAsyncClientHandler
from django.test.client import (
    aclosing_iterator_wrapper,
    closing_iterator_wrapper,
    conditional_content_removal,
)

from .factory import force_authenticate, make_request

__all__ = ["ForceAuthAsyncClientHandler"]


class _KeepConnectionsOpen:
    """Take `close_old_connections` off a signal while any test request is in flight.

    A test's connection holds its transaction, so the signals a test request sends
    must not close it (Django's test handlers do the same). Django toggles the
    receiver around each send; with concurrent requests (`asyncio.gather`) one
    request would put it back while another is still sending. Here it comes back
    when the last request is done, and only if it was connected before.
    """

    def __init__(self, signal: Signal) -> None:
        self.signal = signal
        self.depth = 0
        self.disconnected = False

    def __enter__(self) -> None:
        if self.depth == 0:
            self.disconnected = self.signal.disconnect(close_old_connections)
        self.depth += 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.depth -= 1
        if self.depth == 0 and self.disconnected:
            self.signal.connect(close_old_connections)


_start_open = _KeepConnectionsOpen(request_started)
_finish_open = _KeepConnectionsOpen(request_finished)


class ForceAuthAsyncClientHandler(DjangoAsyncClientHandler):
    """Django's async client handler, plus forced authentication on every request.

    It builds the `ASGIRequest` from our own scope and body (Django's handler takes
    the body through a private scope key), attaches the forced user and token
    before any middleware runs (as DRF's sync `ForceAuthClientHandler` does), and
    otherwise does what Django's does: request signals, the async middleware
    chain, and closing the response like a server.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.force_user: Any = None
        self.force_token: Any = None
        super().__init__(*args, **kwargs)

    async def __call__(  # type: ignore[override]
        self, scope: dict[str, Any], body: bytes = b"", meta: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        if self._middleware_chain is None:  # type: ignore[attr-defined]
            self.load_middleware(is_async=True)
        with _start_open:
            await request_started.asend(sender=self.__class__, scope=scope)
        request = make_request(scope, body, meta or {},
                               enforce_csrf_checks=self.enforce_csrf_checks)
        force_authenticate(request, self.force_user, self.force_token)
        response: Any = await self.get_response_async(request)
        conditional_content_removal(request, response)
        response.asgi_request = request
        if response.streaming:
            wrap = aclosing_iterator_wrapper if response.is_async else closing_iterator_wrapper
            response.streaming_content = wrap(response.streaming_content, response.close)
        else:
            with _finish_open:
                await sync_to_async(response.close, thread_sensitive=False)()
        return response  # type: ignore[no-any-return]
