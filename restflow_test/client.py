"""`AsyncAPIClient`: DRF's `APIClient` for async tests, over Django's async handler."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Coroutine, Generator, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.test.client import AsyncClient as DjangoAsyncClient
from django.test.client import RedirectCycleError

from .contract.client import ContractClientMixin
from .contract.loading import SchemaSource
from .factory import AsyncAPIRequestFactory, Headers, as_bytes
from .handler import ForceAuthAsyncClientHandler
from .headers import build_scope, headers_to_environ, validate_environ_keys

__all__ = ["AsyncAPIClient"]

REDIRECT_STATUS_CODES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20

# Descriptions of client calls whose coroutine was dropped without being awaited.
# The test-case bases and the pytest plugin turn entries into a test failure.
never_awaited: list[str] = []


def take_never_awaited() -> list[str]:
    """Return and forget the client calls that were never awaited."""
    taken = list(never_awaited)
    never_awaited.clear()
    return taken


def forgotten_await_message(calls: list[str]) -> str:
    listed = ", ".join(f"`{call}`" for call in calls)
    return (
        f"{listed} was never awaited, so no request was sent. AsyncAPIClient methods "
        f"are coroutines: write `response = await {calls[0]}`."
    )


class PendingRequest(Coroutine[Any, Any, Any]):
    """The coroutine a client verb returns; it notices when it is never awaited.

    Python only warns about an un-awaited coroutine, and only when it is collected;
    a test that forgets `await` would otherwise pass while sending nothing. This
    wrapper records the call so the test fails, and reading a response attribute
    from it (`client.get(...).status_code`) says what is missing.
    """

    __slots__ = ("_call", "_coro", "_started")

    def __init__(self, coro: Coroutine[Any, Any, Any], call: str) -> None:
        self._coro = coro
        self._call = call
        self._started = False

    def __await__(self) -> Generator[Any, None, Any]:
        self._started = True
        return self._coro.__await__()

    def send(self, value: Any) -> Any:
        self._started = True
        return self._coro.send(value)

    def throw(self, *args: Any) -> Any:  # type: ignore[override]
        self._started = True
        return self._coro.throw(*args)

    def close(self) -> None:
        self._started = True
        self._coro.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("cr_", "__")):
            return getattr(self._coro, name)
        raise AttributeError(
            f"`{self._call}` returned a coroutine, not a response, so it has no "
            f"`.{name}`: write `response = await {self._call}`."
        )

    def __repr__(self) -> str:
        return f"<PendingRequest {self._call}>"

    def __del__(self) -> None:
        if self._started:
            return
        self._coro.close()  # silences Python's generic "never awaited" warning
        never_awaited.append(self._call)
        try:
            warnings.warn(forgotten_await_message([self._call]), RuntimeWarning, stacklevel=2)
        except Warning:
            pass  # warnings are errors here; the recorded call still fails the test


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


def _refuse_in_event_loop(method: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"`client.{method}()` cannot run inside an event loop: it would query the "
        f"database synchronously. Use `await client.a{method}()` in async code."
    )


class AsyncAPIClient(ContractClientMixin, AsyncAPIRequestFactory, DjangoAsyncClient):
    """DRF's `APIClient` for async tests.

    Every verb is awaited and runs the request through Django's async handler (the
    full middleware stack). Bodies are rendered with `format=` like DRF; header
    keys follow Django's WSGI convention everywhere (`HTTP_AUTHORIZATION=...`).

    Args:
        enforce_csrf_checks: Enforce CSRF for session-authenticated requests, as
            DRF's `APIClient(enforce_csrf_checks=True)` does.
        raise_request_exception: Re-raise exceptions raised by a view in the test
            (the default); when false the response is Django's 500.
        headers: Headers sent with every request, by HTTP name
            (`{"Accept-Language": "fr"}`).
        query_params: Query parameters added to every request.
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
        headers: Headers | None = None,
        query_params: Mapping[str, Any] | None = None,
        schema: SchemaSource | Literal[False] | None = None,
        **defaults: Any,
    ) -> None:
        super().__init__(
            enforce_csrf_checks, headers=headers, query_params=query_params, **defaults
        )
        self.handler: ForceAuthAsyncClientHandler = ForceAuthAsyncClientHandler(  # type: ignore[assignment]
            enforce_csrf_checks
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
        `request.auth` are exactly these values. With no arguments, stop forcing and
        forget the session cookie. This does not touch the database, so it is safe in
        async code.

        Args:
            user: The user the views see, or `None`.
            token: What `request.auth` is, or `None`.
        """
        self.handler.force_user = user
        self.handler.force_token = token
        if user is None and token is None:
            self.cookies.pop(settings.SESSION_COOKIE_NAME, None)

    def _layers(self, builtin: dict[str, Any], request: dict[str, Any]) -> list[Any]:
        return [builtin, self.defaults, self._credentials, request]

    # -- sessions ---------------------------------------------------------------------
    def login(self, **credentials: Any) -> bool:
        """Sync session login, for sync code; use `alogin()` in async tests."""
        _refuse_in_event_loop("login")
        return super().login(**credentials)

    def force_login(self, user: Any, backend: str | None = None) -> None:
        """Sync forced session login; use `aforce_login()` in async tests."""
        _refuse_in_event_loop("force_login")
        super().force_login(user, backend)

    def logout(self) -> None:
        """Sync logout; use `alogout()` in async tests."""
        _refuse_in_event_loop("logout")
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

    # -- verbs --------------------------------------------------------------------------
    def get(  # type: ignore[override]
        self, path: str, data: Any = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """GET `path`; `data` (a mapping) becomes the query string.

        Args:
            path: The URL path; a query string in it is kept when there is no `data`.
            data: Query parameters, like `query_params`.
            follow: Follow redirects; the response gets `redirect_chain`.
            secure: Make an `https` request.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters (not together with `data`).
            **extra: WSGI-style environ keys for this request.

        Returns:
            An awaitable of the response; await it.
        """
        return super().get(path, data, secure, headers=headers,
                           query_params=query_params, follow=follow, **extra)

    def head(  # type: ignore[override]
        self, path: str, data: Any = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """HEAD `path`; `data` becomes the query string."""
        return super().head(path, data, secure, headers=headers,
                            query_params=query_params, follow=follow, **extra)

    def trace(  # type: ignore[override]
        self, path: str, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """TRACE `path`."""
        return super().trace(path, secure, headers=headers,
                             query_params=query_params, follow=follow, **extra)

    def post(  # type: ignore[override]
        self, path: str, data: Any = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """POST `data`, rendered by the renderer for `format`.

        The other body verbs (`put`, `patch`, `delete`, `options`) take the same
        arguments.

        Args:
            path: The URL path, optionally with a query string.
            data: The body: rendered with `format`, or sent as it is with
                `content_type`. `None` sends no body.
            format: A renderer's format from `TEST_REQUEST_RENDERER_CLASSES`
                (`"json"`, `"multipart"`, ...). Default `"json"`, or the project's
                `TEST_REQUEST_DEFAULT_FORMAT` when it sets one.
            content_type: Send `data` (bytes or str) with this content type
                instead of rendering it.
            follow: Follow redirects; the response gets `redirect_chain`.
            secure: Make an `https` request.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters for this request.
            **extra: WSGI-style environ keys for this request (`HTTP_X_API_KEY="k"`).

        Returns:
            An awaitable of the response; await it.

        Raises:
            AssertionError: Both `format` and `content_type` were given.
            ValueError: Unknown format, data the renderer cannot render, or a bad
                header key or value; raised before anything is sent.
        """
        return super().post(path, data, format, content_type, secure, headers=headers,
                            query_params=query_params, follow=follow, **extra)

    def put(  # type: ignore[override]
        self, path: str, data: Any = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """PUT `data`; see `post()`."""
        return super().put(path, data, format, content_type, secure, headers=headers,
                           query_params=query_params, follow=follow, **extra)

    def patch(  # type: ignore[override]
        self, path: str, data: Any = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """PATCH `data`; see `post()`."""
        return super().patch(path, data, format, content_type, secure, headers=headers,
                             query_params=query_params, follow=follow, **extra)

    def delete(  # type: ignore[override]
        self, path: str, data: Any = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """DELETE, with an optional body; see `post()`."""
        return super().delete(path, data, format, content_type, secure, headers=headers,
                              query_params=query_params, follow=follow, **extra)

    def options(  # type: ignore[override]
        self, path: str, data: Any = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> PendingRequest:
        """OPTIONS, with an optional body; see `post()`."""
        return super().options(path, data, format, content_type, secure, headers=headers,
                               query_params=query_params, follow=follow, **extra)

    def generic(  # type: ignore[override]
        self, method: str, path: str, data: bytes | str = b"",
        content_type: str | None = "application/octet-stream", secure: bool = False, *,
        follow: bool = False, headers: Headers | None = None, query_params: Any = None,
        **extra: Any,
    ) -> PendingRequest:
        """Send any method with a ready-encoded body.

        Args:
            method: The HTTP method.
            path: The URL path.
            data: The body, bytes or str (encoded with `DEFAULT_CHARSET`).
            content_type: The body's content type; `None` sends none.
            secure: Make an `https` request.
            follow: Follow redirects; the response gets `redirect_chain`.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters for this request.
            **extra: WSGI-style environ keys for this request.

        Returns:
            An awaitable of the response; await it.
        """
        scope = self._scope(method, path, data, content_type, secure, headers,
                            query_params, extra)
        call = f"client.{method.lower()}({str(path)!r})"
        body = as_bytes(data) if follow else b""  # only redirects re-send it
        return PendingRequest(self._send(scope, body, follow, headers, extra), call)

    # -- sending ------------------------------------------------------------------------
    async def request(self, **scope: Any) -> Any:  # type: ignore[override]
        """Send one built scope through the handler and return the response."""
        body = self._contract_body(scope)
        response: Any = await DjangoAsyncClient.request(self, **scope)
        if response.streaming and not response.is_async:
            response.streaming_content = _in_thread(iter(response.streaming_content))
        response.aread = lambda: _aread(response)
        self._check_contract(scope, body, response)
        return response

    async def _send(self, scope: dict[str, Any], body: bytes, follow: bool,
                    headers: Headers | None, extra: dict[str, Any]) -> Any:
        response = await self.request(**scope)
        if follow:
            response = await self._follow_redirects(response, body, headers, extra)
        return response

    async def _follow_redirects(self, response: Any, body: bytes,
                                headers: Headers | None, extra: dict[str, Any]) -> Any:
        chain: list[tuple[str, int]] = []
        seen: set[tuple[str, str]] = set()
        extra = {k: v for k, v in extra.items() if k != "QUERY_STRING"}
        headers = headers_to_environ(headers)
        while response.status_code in REDIRECT_STATUS_CODES:
            previous = response.request
            location = response["Location"]
            chain.append((location, response.status_code))
            url = urljoin(_url_of(previous), location)
            target = urlsplit(url)
            method, data = previous["method"], body
            if response.status_code in (301, 302, 303) and method != "HEAD":
                method, data = "GET", b""
            if (url, method) in seen or len(chain) > MAX_REDIRECTS:
                response.redirect_chain = chain
                reason = "Redirect loop detected." if len(chain) <= MAX_REDIRECTS else (
                    "Too many redirects.")
                raise RedirectCycleError(f"{reason} Chain: {chain}", last_response=response)
            seen.add((url, method))
            step = {**extra, **headers, "HTTP_HOST": target.netloc or _host_of(previous)}
            content_type = _header(previous, b"content-type") if data else None
            if content_type:
                step["CONTENT_TYPE"] = content_type
            path = target.path or "/"
            if target.query:
                path = f"{path}?{target.query}"
            scope = self._scope(method, path, data, None, target.scheme == "https",
                                None, None, step)
            response = await self.request(**scope)
        response.redirect_chain = chain
        return response


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _host_of(scope: dict[str, Any]) -> str:
    return _header(scope, b"host") or "testserver"


def _url_of(scope: dict[str, Any]) -> str:
    query = scope["query_string"].decode()
    return f"{scope['scheme']}://{_host_of(scope)}{scope['path']}" + (
        f"?{query}" if query else "")
