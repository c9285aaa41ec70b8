"""`AsyncAPIClient`: DRF's `APIClient` for async tests, over Django's async handler."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import urljoin

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import got_request_exception
from django.test import client as django_test_client
from django.test import signals
from django.test.client import AsyncClient as DjangoAsyncClient
from django.test.client import RedirectCycleError
from django.urls import resolve
from django.utils.functional import SimpleLazyObject

from .contract.client import ContractClientMixin
from .contract.loading import SchemaSource
from .exchanges import record_exchange
from .factory import AsyncAPIRequestFactory, Headers
from .handler import ForceAuthAsyncClientHandler
from .headers import build_scope, validate_environ_keys
from .pagination import PaginationMixin
from .pending import PendingRequest
from .sse import aiter_events
from .websocket import WebSocketClientMixin

__all__ = ["AsyncAPIClient"]

REDIRECT_STATUS_CODES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20

# Templates rendered for the request in flight in this context. Each request (and so
# each task of an `asyncio.gather`) has its own store; sync views see it through
# `sync_to_async`, which carries the context into its thread.
_rendered: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "restflow_rendered_templates", default=None)


def _store_template(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
    store = _rendered.get()
    if store is not None:
        django_test_client.store_rendered_templates(  # type: ignore[attr-defined]
            store, None, sender, template, context)


signals.template_rendered.connect(_store_template, dispatch_uid="restflow-templates")

# The request in flight in this context and the view exceptions raised for it.
# Django's client keeps one exception slot per client, fed by a global signal: with
# requests in flight at once, one would raise another's error.
_raised: contextvars.ContextVar[tuple[dict[str, Any], list[Any]] | None] = (
    contextvars.ContextVar("restflow_raised", default=None))


def _store_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
    slot = _raised.get()
    if slot is not None and getattr(request, "scope", None) is slot[0]:
        slot[1].append(sys.exc_info())


got_request_exception.connect(_store_exception, dispatch_uid="restflow-exceptions")

async def _in_thread(iterator: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Iterate a sync streaming body from async code, one chunk per thread hop."""
    end = object()
    next_chunk: Any = sync_to_async(next, thread_sensitive=True)
    while (chunk := await next_chunk(iterator, end)) is not end:
        yield chunk


async def _aread(response: Any) -> bytes:
    if not response.streaming:
        return bytes(response.content)
    if not hasattr(response, "_restflow_body"):
        response._restflow_body = b"".join(
            [chunk async for chunk in response.streaming_content]
        )
    return bytes(response._restflow_body)


def _refuse_in_event_loop(used: str, instead: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"{used} cannot run inside an event loop: it would query the session store "
        f"synchronously. Use {instead} in async code."
    )


class AsyncAPIClient(  # type: ignore[misc]
    ContractClientMixin, WebSocketClientMixin, PaginationMixin, AsyncAPIRequestFactory,
    DjangoAsyncClient,
):
    """DRF's `APIClient` for async tests.

    Every verb is awaited and runs the request through Django's async handler (the
    full middleware stack). Bodies are rendered with `format=` like DRF; header
    keys follow Django's WSGI convention everywhere (`HTTP_AUTHORIZATION=...`).

    Args:
        enforce_csrf_checks: Enforce CSRF for session-authenticated requests, as
            DRF's `APIClient(enforce_csrf_checks=True)` does.
        raise_request_exception: Re-raise exceptions raised by a view in the test
            (the default); when false the response is Django's 500. Each request
            raises only its own view's exception, also with requests in flight at
            once.
        json_encoder: The encoder for JSON bodies sent with `content_type=`.
        headers: Headers sent with every request, by HTTP name
            (`{"Accept-Language": "fr"}`).
        query_params: Query parameters added to every request.
        coalesce: Run stock middleware hooks, the view hooks and a sync view in one
            thread hop (see the client guide); `None` follows
            `settings.RESTFLOW_COALESCE_HOPS` (default on), `False` sends every
            request through Django's async handler path exactly.
        schema: Validate every request and response against this OpenAPI schema
            (a dict, a JSON or YAML file, or `"drf-spectacular"`) and raise
            [ContractError][restflow_test.ContractError] at the first violation.
            `None` uses the project-wide schema, if any; `False` validates nothing.
        **defaults: WSGI-style environ keys sent with every request
            (`HTTP_ACCEPT="application/json"`, `REMOTE_ADDR="10.0.0.1"`).
    """

    __test__ = False

    def __init__(
        self,
        enforce_csrf_checks: bool = False,
        raise_request_exception: bool = True,
        *,
        json_encoder: type = DjangoJSONEncoder,
        headers: Headers | None = None,
        query_params: Mapping[str, Any] | None = None,
        coalesce: bool | None = None,
        schema: SchemaSource | Literal[False] | None = None,
        **defaults: Any,
    ) -> None:
        super().__init__(enforce_csrf_checks, json_encoder=json_encoder, headers=headers,
                         query_params=query_params, **defaults)
        self.handler: ForceAuthAsyncClientHandler = ForceAuthAsyncClientHandler(  # type: ignore[assignment]
            enforce_csrf_checks, coalesce=coalesce
        )
        self.raise_request_exception = raise_request_exception
        self.exc_info = None
        self._credentials: dict[str, Any] = {}
        self.schema = schema

    # -- state that later requests carry ---------------------------------------------
    def credentials(self, **kwargs: Any) -> None:
        """Send these WSGI-style headers with every later request.

        Args:
            **kwargs: `HTTP_*` or `CONTENT_*` keys, for example
                `HTTP_AUTHORIZATION=f"Token {key}"`. They replace the previous
                credentials; no arguments clears them.

        Raises:
            ValueError: A key that is not a header key, or a value that cannot be sent.
        """
        validate_environ_keys(kwargs, where="credentials()")
        build_scope("GET", "/", body=b"", secure=False, layers=[kwargs])
        self._credentials = kwargs

    def force_authenticate(self, user: Any = None, token: Any = None) -> None:
        """Authenticate every later request as `user` and `token`.

        The view's authentication classes are skipped: `request.user` and
        `request.auth` are exactly these values. With no arguments, stop forcing,
        clear `credentials()` and forget the session cookie, as DRF's client does
        (through its `logout()`). This does not touch the database, so it is safe in
        async code.

        Args:
            user: The user the views see, or `None`.
            token: What `request.auth` is, or `None`.
        """
        self.handler.force_user = user
        self.handler.force_token = token
        if user is None and token is None:
            self._credentials = {}
            self.cookies.pop(settings.SESSION_COOKIE_NAME, None)

    def _layers(self, builtin: dict[str, Any], url: dict[str, Any],
                request: dict[str, Any]) -> list[Any]:
        return [builtin, self.defaults, self._credentials, url, request]

    # -- sessions ---------------------------------------------------------------------
    @property
    def session(self) -> Any:
        """The session, from sync code; in async code use `await client.asession()`."""
        _refuse_in_event_loop("`client.session`", "`session = await client.asession()`")
        return super().session

    def login(self, **credentials: Any) -> bool:
        """Sync session login, for sync code; use `alogin()` in async tests."""
        _refuse_in_event_loop("`client.login()`", "`await client.alogin()`")
        return super().login(**credentials)

    def force_login(self, user: Any, backend: str | None = None) -> None:
        """Sync forced session login; use `aforce_login()` in async tests."""
        _refuse_in_event_loop("`client.force_login()`", "`await client.aforce_login()`")
        super().force_login(user, backend)

    def logout(self) -> None:
        """Sync logout; use `alogout()` in async tests."""
        _refuse_in_event_loop("`client.logout()`", "`await client.alogout()`")
        super().logout()
        self._forget_identity()

    async def alogout(self) -> None:
        """End the session and clear `credentials()` and forced authentication."""
        await super().alogout()
        self._forget_identity()

    def _forget_identity(self) -> None:
        self._credentials = {}
        self.handler.force_user = None
        self.handler.force_token = None

    # -- sending ------------------------------------------------------------------------
    def _send(self, scope: dict[str, Any], body: bytes, meta: dict[str, Any], *,
              follow: bool) -> PendingRequest:
        query = scope["query_string"].decode("latin-1")
        path = scope["path"] + (f"?{query}" if query else "")
        call = f"client.{scope['method'].lower()}({path!r})"
        # Like the headers, the forced identity is the one in force at the call.
        force = (self.handler.force_user, self.handler.force_token)
        return PendingRequest(
            functools.partial(self._respond, scope, body, meta, follow, force), call)

    async def _respond(self, scope: dict[str, Any], body: bytes, meta: dict[str, Any],
                       follow: bool, force: tuple[Any, Any]) -> Any:
        response = await self._request(scope, body, meta, force)
        if follow:
            response = await self._follow_redirects(response, body, meta, force)
        return response

    async def request(self, **request: Any) -> Any:  # type: ignore[override]
        """Send one ASGI scope (no body) and return the response.

        Keys you leave out come from the client, as with Django's `AsyncClient`:
        host, server, client address, the cookie jar and the constructor defaults.
        """
        scope, meta = self._full_scope(**request)
        return await self._request(scope, b"", meta)

    async def _request(self, scope: dict[str, Any], body: bytes, meta: dict[str, Any],
                       force: tuple[Any, Any] | None = None) -> Any:
        """Send one request; return its response with the test client's extras.

        `force` is the forced `(user, token)`; `None` takes the client's current one.
        """
        raised: list[Any] = []
        rendered: dict[str, Any] = {}
        raised_token = _raised.set((scope, raised))
        rendered_token = _rendered.set(rendered)
        try:
            response: Any = await self.handler(scope, body, meta, force=force)
        finally:
            _raised.reset(raised_token)
            _rendered.reset(rendered_token)
        response.exc_info = self.exc_info = raised[0] if raised else None
        if raised and self.raise_request_exception:
            self.exc_info = None
            raise raised[0][1]
        response.client = self
        response.request = scope
        response.templates = rendered.get("templates", [])
        context = rendered.get("context")
        response.context = context[0] if context and len(context) == 1 else context
        response.json = functools.partial(self._parse_json, response)  # type: ignore[attr-defined]
        # DRF's and Django's sync clients call it `wsgi_request`; tests written for
        # them read `response.wsgi_request.user`.
        response.wsgi_request = response.asgi_request
        urlconf = getattr(response.asgi_request, "urlconf", None)
        path_info = response.asgi_request.path_info
        response.resolver_match = SimpleLazyObject(lambda: resolve(path_info, urlconf=urlconf))
        if response.cookies:
            self.cookies.update(response.cookies)
        if response.streaming and not response.is_async:
            response.streaming_content = _in_thread(iter(response.streaming_content))
        response.aread = lambda: _aread(response)
        response.aiter_events = lambda **kwargs: aiter_events(response, **kwargs)
        record_exchange(response, body)  # shown in the report if the test fails
        self._check_contract(scope, body, response)
        return response

    async def _follow_redirects(self, response: Any, body: bytes, meta: dict[str, Any],
                                force: tuple[Any, Any]) -> Any:
        chain: list[tuple[str, int]] = []
        seen: set[tuple[str, str]] = set()
        while response.status_code in REDIRECT_STATUS_CODES:
            previous = response.request
            location = response["Location"]
            chain.append((location, response.status_code))
            url = urljoin(_url_of(previous), location)
            method = previous["method"]
            if response.status_code in (301, 302, 303) and method != "HEAD":
                method, body = "GET", b""  # and so for every later hop
            if (url, method) in seen or len(chain) > MAX_REDIRECTS:
                response.redirect_chain = chain
                reason = "Redirect loop detected." if len(chain) <= MAX_REDIRECTS else (
                    "Too many redirects.")
                raise RedirectCycleError(f"{reason} Chain: {chain}", last_response=response)
            seen.add((url, method))
            scope, step_meta = self._next_request(previous, meta, method, url, body)
            response = await self._request(scope, body, step_meta, force)
        response.redirect_chain = chain
        return response


    def _next_request(self, previous: dict[str, Any], meta: dict[str, Any], method: str,
                      url: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
        """The scope of a request that follows `previous` to `url` (a redirect).

        The new URL decides host and scheme; the client address, headers and META
        keys of the previous request carry over (cookies come from the jar).
        """
        environ = {**meta, "REMOTE_ADDR": previous["client"][0]}
        for name, value in previous["headers"]:
            if name not in _NOT_CARRIED_OVER:
                key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
                environ[key] = value.decode("latin-1")
        content_type = _header(previous, b"content-type") if body else None
        if content_type:
            environ["CONTENT_TYPE"] = content_type
        return self._prepare(method, url, body, None, None, False, None, None, environ)


_NOT_CARRIED_OVER = frozenset({b"host", b"content-type", b"content-length", b"cookie"})


def _awaitable(verb: Callable[..., Any]) -> Callable[..., Any]:
    """The factory's verb, marked as a coroutine function for the client.

    The factory's verbs build a request; on the client `_send()` turns it into a
    `PendingRequest`. The mark lets `inspect`/asgiref see an async callable (so
    `async_to_sync(client.get)` does not warn) without a second copy of each verb.
    """

    @functools.wraps(verb)
    def send(self: AsyncAPIClient, *args: Any, **kwargs: Any) -> PendingRequest:
        return verb(self, *args, **kwargs)  # type: ignore[no-any-return]

    return markcoroutinefunction(send)


for _name in ("get", "head", "trace", "post", "put", "patch", "delete", "options", "generic"):
    setattr(AsyncAPIClient, _name, _awaitable(getattr(AsyncAPIRequestFactory, _name)))


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _host_of(scope: dict[str, Any]) -> str:
    return _header(scope, b"host") or "testserver"


def _url_of(scope: dict[str, Any]) -> str:
    # The encoded path: a decoded `%3F` or `%23` would end the path early.
    query = scope["query_string"].decode("latin-1")
    path = scope["raw_path"].decode("latin-1")
    return f"{scope['scheme']}://{_host_of(scope)}{path}" + (f"?{query}" if query else "")
