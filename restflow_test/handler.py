"""The async client handler: Django's test request path, plus forced authentication."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
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
from django.urls import set_urlconf
from django.utils.log import log_response

from .coalesce import Stage, Steps, coalesce_enabled, drive, load_coalesced_middleware
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
            # A strong reference: `close_old_connections` is a module-level function
            # that lives as long as Django, so this is the same receiver, but a weak
            # connect would also register a `weakref.finalize` that is never freed:
            # two per request, kept for the whole test session.
            self.signal.connect(close_old_connections, weak=False)


_start_open = _KeepConnectionsOpen(request_started)
_finish_open = _KeepConnectionsOpen(request_finished)


class ForceAuthAsyncClientHandler(DjangoAsyncClientHandler):
    """Django's async client handler, plus forced authentication on every request.

    It builds the `ASGIRequest` from our own scope and body (Django's handler takes
    the body through a private scope key), attaches the forced user and token
    before any middleware runs (as DRF's sync `ForceAuthClientHandler` does), and
    otherwise does what Django's does: request signals, the async middleware
    chain, and closing the response like a server.

    With `coalesce` (the default, see `settings.RESTFLOW_COALESCE_HOPS`) the chain
    is Django's async chain with stock `MiddlewareMixin` middleware run as stages
    (see `restflow_test.coalesce`): the request signals, those middleware's hooks,
    the view hooks and a sync view share one thread hop.
    """

    _middleware_chain: Any  # Django's chain, or ours with stages (`Stage`)

    def __init__(self, *args: Any, coalesce: bool | None = None, **kwargs: Any) -> None:
        self.force_user: Any = None
        self.force_token: Any = None
        self.coalesce = coalesce_enabled(coalesce)
        super().__init__(*args, **kwargs)

    async def __call__(  # type: ignore[override]
        self, scope: dict[str, Any], body: bytes = b"", meta: dict[str, Any] | None = None,
        *, force: tuple[Any, Any] | None = None,
    ) -> HttpResponseBase:
        if self._middleware_chain is None:
            if self.coalesce:
                self._middleware_chain = load_coalesced_middleware(self)
            else:
                self.load_middleware(is_async=True)
        chain: Any = self._middleware_chain
        if isinstance(chain, Stage):
            return await drive(self._coalesced(chain, scope, body, meta or {}, force))  # type: ignore[no-any-return]
        with _start_open:
            await request_started.asend(sender=self.__class__, scope=scope)
        request = self._make_request(scope, body, meta or {}, force)
        response: Any = await self.get_response_async(request)
        self._finish(request, response)
        if not response.streaming:
            with _finish_open:
                await sync_to_async(response.close, thread_sensitive=False)()
        return response  # type: ignore[no-any-return]

    def _coalesced(self, chain: Stage, scope: dict[str, Any], body: bytes,
                   meta: dict[str, Any], force: tuple[Any, Any] | None) -> Steps:
        """`__call__` and `get_response_async` as one stage: the signals join the hop."""
        with _start_open:
            request_started.send(sender=self.__class__, scope=scope)
        request = self._make_request(scope, body, meta, force)
        set_urlconf(settings.ROOT_URLCONF)
        response = yield from chain.steps(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path,
                         response=response, request=request)
        self._finish(request, response)
        if not response.streaming:
            with _finish_open:
                response.close()
        return response

    def _make_request(self, scope: dict[str, Any], body: bytes, meta: dict[str, Any],
                      force: tuple[Any, Any] | None) -> Any:
        request = make_request(scope, body, meta, enforce_csrf_checks=self.enforce_csrf_checks)
        user, token = force if force is not None else (self.force_user, self.force_token)
        force_authenticate(request, user, token)
        return request

    def _finish(self, request: Any, response: Any) -> None:
        """What a server does before sending: strip HEAD bodies, close streams at the end."""
        conditional_content_removal(request, response)
        response.asgi_request = request
        if response.streaming:
            wrap = aclosing_iterator_wrapper if response.is_async else closing_iterator_wrapper
            response.streaming_content = wrap(response.streaming_content, response.close)
