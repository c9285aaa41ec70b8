"""`AsyncAPIRequestFactory`: DRF's `format=` on top of ASGI requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http.cookie import SimpleCookie
from django.test.client import AsyncRequestFactory as DjangoAsyncRequestFactory
from django.test.client import FakePayload

from .encoding import encode_body
from .headers import build_scope, headers_to_environ

__all__ = ["AsyncAPIRequestFactory", "force_authenticate"]

Data = Any
_RENDERED_TYPE = "_restflow_rendered_content_type"
Headers = Mapping[str, Any]


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


def apply_extra_meta(request: ASGIRequest) -> None:
    """Copy the WSGI-only keys (`REMOTE_USER` ...) that an ASGI scope cannot carry."""
    scope: dict[str, Any] = request.scope  # type: ignore[assignment]
    request.META.update(scope.pop("_restflow_meta", None) or {})


def as_bytes(data: bytes | str | None) -> bytes:
    """A ready-encoded body as bytes (str is encoded with `DEFAULT_CHARSET`)."""
    if isinstance(data, str):
        return data.encode(settings.DEFAULT_CHARSET)
    return bytes(data or b"")


def _query(data: Any, query_params: Any) -> dict[str, Any]:
    if data and query_params:
        raise ValueError(
            "`data` and `query_params` both set the query string of a GET/HEAD "
            "request: pass only one of them."
        )
    params = data or query_params
    return {"QUERY_STRING": urlencode(params, doseq=True)} if params else {}


class AsyncAPIRequestFactory(DjangoAsyncRequestFactory):
    """Build `ASGIRequest` objects for calling DRF views directly.

    The verbs are plain methods: `request = factory.post("/x/", {"a": 1})` then
    `response = await View.as_view()(request)`. No middleware runs, and CSRF is not
    enforced unless `enforce_csrf_checks=True`. Header keys follow Django's WSGI
    convention (`HTTP_AUTHORIZATION=...`) or go in `headers={"Authorization": ...}`.
    The verbs take the same arguments as
    [AsyncAPIClient][restflow_test.AsyncAPIClient]'s, minus `follow`.

    Args:
        enforce_csrf_checks: Enforce CSRF for session-authenticated requests.
        headers: Headers for every request, by HTTP name.
        query_params: Query parameters added to every request.
        **defaults: WSGI-style environ keys for every request.
    """

    __test__ = False

    def __init__(
        self,
        enforce_csrf_checks: bool = False,
        *,
        headers: Headers | None = None,
        query_params: Mapping[str, Any] | None = None,
        **defaults: Any,
    ) -> None:
        super().__init__()
        self.enforce_csrf_checks = enforce_csrf_checks
        environ: dict[str, Any] = {**defaults, **headers_to_environ(headers)}
        if query_params:
            environ["QUERY_STRING"] = urlencode(query_params, doseq=True)
        self.defaults: dict[str, Any] = environ  # type: ignore[assignment]
        if environ:  # fail on a bad default header now, not at the first request
            build_scope("GET", "/", body=b"", secure=False, layers=[environ])

    # -- verbs ------------------------------------------------------------------
    def get(  # type: ignore[override]
        self, path: str, data: Data = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A GET request; `data` becomes the query string."""
        extra.update(_query(data, query_params))
        return self.generic("GET", path, secure=secure, headers=headers, **extra)

    def head(  # type: ignore[override]
        self, path: str, data: Data = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A HEAD request; `data` becomes the query string."""
        extra.update(_query(data, query_params))
        return self.generic("HEAD", path, secure=secure, headers=headers, **extra)

    def trace(  # type: ignore[override]
        self, path: str, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A TRACE request."""
        return self.generic(
            "TRACE", path, secure=secure, headers=headers, query_params=query_params, **extra
        )

    def _with_body(self, method: str, path: str, data: Data, format: str | None,
                   content_type: str | None, secure: bool, headers: Headers | None,
                   query_params: Any, extra: dict[str, Any]) -> Any:
        body, body_type = encode_body(data, format, content_type)
        if content_type is None and body_type is not None:
            # A renderer's content type is only a default: any explicit
            # CONTENT_TYPE (constructor, credentials, per request) replaces it.
            extra[_RENDERED_TYPE] = body_type
            body_type = None
        return self.generic(
            method, path, body, body_type, secure=secure, headers=headers,
            query_params=query_params, **extra,
        )

    def post(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A POST request with `data` rendered by `format` (default `"json"`)."""
        return self._with_body("POST", path, data, format, content_type, secure,
                               headers, query_params, extra)

    def put(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A PUT request; see `post()`."""
        return self._with_body("PUT", path, data, format, content_type, secure,
                               headers, query_params, extra)

    def patch(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A PATCH request; see `post()`."""
        return self._with_body("PATCH", path, data, format, content_type, secure,
                               headers, query_params, extra)

    def delete(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """A DELETE request; see `post()`."""
        return self._with_body("DELETE", path, data, format, content_type, secure,
                               headers, query_params, extra)

    def options(  # type: ignore[override]
        self, path: str, data: Data = None, format: str | None = None,
        content_type: str | None = None, secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """An OPTIONS request; see `post()`."""
        return self._with_body("OPTIONS", path, data, format, content_type, secure,
                               headers, query_params, extra)

    def generic(  # type: ignore[override]
        self, method: str, path: str, data: bytes | str = b"",
        content_type: str | None = "application/octet-stream", secure: bool = False, *,
        headers: Headers | None = None, query_params: Any = None, **extra: Any,
    ) -> Any:
        """Any method with a ready-encoded body, as Django's `generic()`."""
        return self.request(**self._scope(method, path, data, content_type, secure,
                                          headers, query_params, extra))

    # -- scope building -----------------------------------------------------------
    def _layers(self, builtin: dict[str, Any], request: dict[str, Any]) -> list[Any]:
        """Environ layers, weakest first: built-in, constructor defaults, per request."""
        return [builtin, self.defaults, request]

    def _cookie_layer(self) -> dict[str, str]:
        cookies = self.cookies if isinstance(self.cookies, SimpleCookie) else {}
        if not cookies:
            return {}
        return {"HTTP_COOKIE": "; ".join(
            sorted(f"{m.key}={m.coded_value}" for m in cookies.values())
        )}

    def _scope(self, method: str, path: str, data: bytes | str,
               content_type: str | None, secure: bool, headers: Headers | None,
               query_params: Any, extra: dict[str, Any]) -> dict[str, Any]:
        body = as_bytes(data)
        builtin = self._cookie_layer()
        rendered_type = extra.pop(_RENDERED_TYPE, None)
        if body and rendered_type:
            builtin["CONTENT_TYPE"] = rendered_type
        request_layer: dict[str, Any] = {}
        if body and content_type:
            request_layer["CONTENT_TYPE"] = content_type
        if query_params:
            request_layer["QUERY_STRING"] = urlencode(query_params, doseq=True)
        request_layer.update(extra)
        request_layer.update(headers_to_environ(headers))
        layers = self._layers(builtin, request_layer)
        scope, meta = build_scope(method, path, body=body, secure=secure, layers=layers)
        scope["_body_file"] = FakePayload(body)
        scope["_restflow_meta"] = meta
        return scope

    def _base_scope(self, **request: Any) -> dict[str, Any]:
        # Our scopes are complete; Django's version would add defaults and cookies a
        # second time.
        return request

    def request(self, **scope: Any) -> ASGIRequest:  # type: ignore[override]
        """Turn a scope into an `ASGIRequest` marked for the CSRF setting."""
        request = super().request(**scope)
        apply_extra_meta(request)
        request._dont_enforce_csrf_checks = not self.enforce_csrf_checks  # type: ignore[attr-defined]
        return request
