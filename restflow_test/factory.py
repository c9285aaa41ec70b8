"""`AsyncAPIRequestFactory`: DRF's `format=` on top of ASGI requests."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http.cookie import SimpleCookie
from django.test.client import AsyncRequestFactory as DjangoAsyncRequestFactory
from django.utils.http import urlencode

from .encoding import encode_body
from .headers import build_scope, check_extra_keys, headers_to_environ, url_environ

__all__ = ["AsyncAPIRequestFactory", "force_authenticate"]

Data = Any
Headers = Mapping[str, Any]
# Each verb's own keyword arguments, for "Did you mean ...?" on a misspelt one.
_BODYLESS_ARGUMENTS = ("data", "follow", "secure", "headers", "query_params")
_BODY_ARGUMENTS = (*_BODYLESS_ARGUMENTS, "format", "content_type")


def force_authenticate(request: Any, user: Any = None, token: Any = None) -> None:
    """Make DRF's `Request` skip authentication and use `user` and `token`.

    For requests built by a request factory and passed to a view directly;
    `request.user` and `request.auth` are then exactly these values.

    Args:
        request: A request from
            [AsyncAPIRequestFactory][restflow_test.AsyncAPIRequestFactory] (or any
            Django request factory).
        user: The user the view sees, or `None`.
        token: What `request.auth` is, or `None`.
    """
    request._force_auth_user = user
    request._force_auth_token = token


def make_request(scope: dict[str, Any], body: bytes, meta: dict[str, Any],
                 *, enforce_csrf_checks: bool) -> ASGIRequest:
    """The `ASGIRequest` for a scope and its body, as an ASGI server would build it.

    `meta` holds the WSGI-only environ keys (`REMOTE_USER` ...) that an ASGI scope
    cannot carry; they are copied into `request.META`.
    """
    request = ASGIRequest(scope, io.BytesIO(body))
    if meta:
        request.META.update(meta)
    request._dont_enforce_csrf_checks = not enforce_csrf_checks  # type: ignore[attr-defined]
    return request


def as_bytes(data: bytes | str | None) -> bytes:
    """A ready-encoded body as bytes (str is encoded with `DEFAULT_CHARSET`)."""
    if isinstance(data, str):
        return data.encode(settings.DEFAULT_CHARSET)
    return bytes(data or b"")


def _query(data: Any, query_params: Any) -> Any:
    if data and query_params:
        raise ValueError(
            "`data` and `query_params` both set the query string of a GET/HEAD "
            "request: pass only one of them."
        )
    return data or query_params


class AsyncAPIRequestFactory(DjangoAsyncRequestFactory):
    """Build `ASGIRequest` objects for calling DRF views directly.

    The verbs are plain methods: `request = factory.post("/x/", {"a": 1})` then
    `response = await View.as_view()(request)`. No middleware runs, and CSRF is not
    enforced unless `enforce_csrf_checks=True`. Header keys follow Django's WSGI
    convention (`HTTP_AUTHORIZATION=...`) or go in `headers={"Authorization": ...}`.
    The verbs are the same as [AsyncAPIClient][restflow_test.AsyncAPIClient]'s,
    which sends what the factory builds.

    Args:
        enforce_csrf_checks: Enforce CSRF for session-authenticated requests.
        json_encoder: The encoder for JSON bodies sent with `content_type=`
            (`format="json"` uses the renderer's own encoder, as in DRF).
        headers: Headers for every request, by HTTP name.
        query_params: Query parameters added to every request.
        **defaults: WSGI-style environ keys for every request.
    """

    __test__ = False

    def __init__(
        self,
        enforce_csrf_checks: bool = False,
        *,
        json_encoder: type = DjangoJSONEncoder,
        headers: Headers | None = None,
        query_params: Mapping[str, Any] | None = None,
        **defaults: Any,
    ) -> None:
        super().__init__(json_encoder=json_encoder)
        self.enforce_csrf_checks = enforce_csrf_checks
        check_extra_keys(defaults, where=f"{type(self).__name__}()",
                         accepted=("enforce_csrf_checks", "raise_request_exception",
                                   "json_encoder", "headers", "query_params"))
        environ: dict[str, Any] = {**defaults, **headers_to_environ(headers)}
        if query_params:
            environ["QUERY_STRING"] = urlencode(query_params, doseq=True)
        self.defaults: dict[str, Any] = environ  # type: ignore[assignment]
        if environ:  # fail on a bad default header now, not at the first request
            build_scope("GET", "/", body=b"", secure=False, layers=[environ])

    # -- verbs ------------------------------------------------------------------
    # `follow` sits where Django's and DRF's clients have it, so that the client
    # inherits these verbs unchanged; a factory has no response to follow.
    def get(  # type: ignore[override]
        self, path: str, data: Data = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """GET `path`; `data` (a mapping) becomes the query string.

        Args:
            path: The URL path, or an absolute URL (its scheme and host are used);
                a query string in it is kept when there is no `data`.
            data: Query parameters, like `query_params`.
            follow: Client only: follow redirects; the response gets
                `redirect_chain`.
            secure: Make an `https` request.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters (not together with `data`).
            **extra: WSGI-style environ keys for this request
                (`HTTP_AUTHORIZATION="Token ..."`, `REMOTE_ADDR="10.0.0.1"`).

        Returns:
            The factory's `ASGIRequest`; on the client, an awaitable of the response.

        Raises:
            ValueError: A bad header key or value; raised before anything is sent.
            TypeError: `None` as a query parameter value.
        """
        return self._build("GET", path, b"", None, None, secure, follow, headers,
                           _query(data, query_params), extra)

    def head(  # type: ignore[override]
        self, path: str, data: Data = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """HEAD `path`; takes the same arguments as `get()`."""
        return self._build("HEAD", path, b"", None, None, secure, follow, headers,
                           _query(data, query_params), extra)

    def trace(  # type: ignore[override]
        self, path: str, data: bytes | str = "", follow: bool = False, secure: bool = False,
        *, headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """TRACE `path`; `data` is a ready-encoded body, as with Django's client."""
        return self._build("TRACE", path, as_bytes(data), "application/octet-stream", None,
                           secure, follow, headers, query_params, extra)

    def post(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """POST `data`, rendered by the renderer for `format`.

        The other body verbs (`put`, `patch`, `delete`, `options`) take the same
        arguments.

        Args:
            path: The URL path, or an absolute URL, optionally with a query string.
            data: The body: rendered with `format`, or sent as it is with
                `content_type`. `None` sends no body.
            format: A renderer's format from `TEST_REQUEST_RENDERER_CLASSES`
                (`"json"`, `"multipart"`, ...). Default `"multipart"` when `data`
                holds a file, else `"json"`, or the project's
                `TEST_REQUEST_DEFAULT_FORMAT` when it sets one.
            content_type: Send `data` (bytes or str) with this content type
                instead of rendering it.
            follow: Client only: follow redirects; the response gets
                `redirect_chain`.
            secure: Make an `https` request.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters for this request.
            **extra: WSGI-style environ keys for this request (`HTTP_X_API_KEY="k"`).

        Returns:
            The factory's `ASGIRequest`; on the client, an awaitable of the response.

        Raises:
            AssertionError: Both `format` and `content_type` were given.
            ValueError: Unknown format, data the renderer cannot render, or a bad
                header key or value; raised before anything is sent.
        """
        return self._with_body("POST", path, data, format, content_type, follow, secure,
                               headers, query_params, extra)

    def put(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """PUT `data`; see `post()`."""
        return self._with_body("PUT", path, data, format, content_type, follow, secure,
                               headers, query_params, extra)

    def patch(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """PATCH `data`; see `post()`."""
        return self._with_body("PATCH", path, data, format, content_type, follow, secure,
                               headers, query_params, extra)

    def delete(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """DELETE, with an optional body; see `post()`."""
        return self._with_body("DELETE", path, data, format, content_type, follow, secure,
                               headers, query_params, extra)

    def options(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, follow: bool = False, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """OPTIONS, with an optional body; see `post()`."""
        return self._with_body("OPTIONS", path, data, format, content_type, follow, secure,
                               headers, query_params, extra)

    def generic(  # type: ignore[override]
        self, method: str, path: str, data: bytes | str = b"",
        content_type: str | None = "application/octet-stream", secure: bool = False, *,
        follow: bool = False, headers: Headers | None = None, query_params: Any = None,
        **extra: Any,
    ) -> Any:
        """Any method with a ready-encoded body, as Django's `generic()`.

        Args:
            method: The HTTP method.
            path: The URL path, or an absolute URL.
            data: The body, bytes or str (encoded with `DEFAULT_CHARSET`).
            content_type: The body's content type; `None` sends none.
            secure: Make an `https` request.
            follow: Client only: follow redirects.
            headers: Headers for this request, by HTTP name.
            query_params: Query parameters for this request.
            **extra: WSGI-style environ keys for this request.

        Returns:
            The factory's `ASGIRequest`; on the client, an awaitable of the response.
        """
        return self._build(method, path, as_bytes(data), content_type, None, secure,
                           follow, headers, query_params, extra)

    # -- building -------------------------------------------------------------------
    def _with_body(self, method: str, path: str, data: Data, format: str | None,
                   content_type: str | None, follow: bool, secure: bool,
                   headers: Headers | None, query_params: Any, extra: dict[str, Any]) -> Any:
        body, body_type = encode_body(data, format, content_type,
                                      json_encoder=self.json_encoder)
        if content_type is None:
            # A renderer's content type is only a default: any explicit
            # CONTENT_TYPE (constructor, credentials, per request) replaces it.
            return self._build(method, path, body, None, body_type, secure, follow,
                               headers, query_params, extra)
        return self._build(method, path, body, body_type, None, secure, follow,
                           headers, query_params, extra)

    def _build(self, method: str, path: str, body: bytes, content_type: str | None,
               rendered_type: str | None, secure: bool, follow: bool,
               headers: Headers | None, query_params: Any, extra: dict[str, Any]) -> Any:
        scope, meta = self._prepare(method, path, body, content_type, rendered_type,
                                    secure, headers, query_params, extra)
        return self._send(scope, body, meta, follow=follow)

    def _prepare(self, method: str, path: str, body: bytes, content_type: str | None,
                 rendered_type: str | None, secure: bool, headers: Headers | None,
                 query_params: Any, extra: dict[str, Any],
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Validate everything and return `(scope, meta)` for one request."""
        if extra:
            check_extra_keys(extra, where=f"{method.lower()}()",
                             accepted=_BODYLESS_ARGUMENTS if method in ("GET", "HEAD")
                             else _BODY_ARGUMENTS)
        builtin = self._cookie_layer()
        if body and rendered_type:
            builtin["CONTENT_TYPE"] = rendered_type
        request_layer: dict[str, Any] = {}
        if body and content_type:
            request_layer["CONTENT_TYPE"] = content_type
        if query_params:
            request_layer["QUERY_STRING"] = urlencode(query_params, doseq=True)
        request_layer.update(extra)
        request_layer.update(headers_to_environ(headers))
        url = urlsplit(str(path))
        layers = self._layers(builtin, url_environ(url), request_layer)
        return build_scope(method, url, body=body, secure=secure, layers=layers)

    def _layers(self, builtin: dict[str, Any], url: dict[str, Any],
                request: dict[str, Any]) -> list[Any]:
        """Environ layers, weakest first: built-in, constructor defaults, an absolute
        URL's host and scheme, per request."""
        return [builtin, self.defaults, url, request]

    def _cookie_layer(self) -> dict[str, str]:
        cookies = self.cookies if isinstance(self.cookies, SimpleCookie) else {}
        if not cookies:
            return {}
        return {"HTTP_COOKIE": "; ".join(
            sorted(f"{m.key}={m.coded_value}" for m in cookies.values())
        )}

    def _send(self, scope: dict[str, Any], body: bytes, meta: dict[str, Any], *,
              follow: bool) -> Any:
        if follow:
            raise TypeError(
                "`follow=True` needs a client: a request factory builds a request and "
                "sends nothing. Use `AsyncAPIClient` to follow redirects."
            )
        return make_request(scope, body, meta, enforce_csrf_checks=self.enforce_csrf_checks)

    def _full_scope(self, **request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """A full scope from the given keys, the rest filled in as for a verb."""
        scope, meta = self._prepare(str(request.get("method", "GET")),
                                    str(request.get("path", "/")), b"", None, None, False,
                                    None, None, {})
        scope.update(request)
        return scope, meta

    def request(self, **request: Any) -> ASGIRequest:  # type: ignore[override]
        """Turn ASGI scope keys (no body) into a request marked for CSRF.

        Keys you leave out are filled in as for a verb (host, server, client
        address, cookies, constructor defaults), as Django's factory does.
        """
        scope, meta = self._full_scope(**request)
        return make_request(scope, b"", meta, enforce_csrf_checks=self.enforce_csrf_checks)
