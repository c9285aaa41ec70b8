"""WSGI-style request keys -> one ASGI scope.

Django's test tooling describes a request as a WSGI environ (`HTTP_AUTHORIZATION`,
`CONTENT_TYPE`, `SERVER_NAME` ...). DRF users write their tests that way, so we
accept those keys everywhere and translate them ourselves into an ASGI scope, instead
of handing them to Django's `AsyncRequestFactory` (which turns `HTTP_X` into an
`HTTP_HTTP_X` header on some releases and drops it on others).

The request is described by *layers* of environ keys, weakest first; a later layer
replaces a key of an earlier one, so every header has exactly one value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

from django.http.request import HttpHeaders
from django.utils.functional import Promise

__all__ = [
    "build_scope",
    "check_extra_keys",
    "headers_to_environ",
    "url_environ",
    "validate_environ_keys",
]

# RFC 9110 token characters, which is what a header field name may hold.
_TOKEN_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_FORBIDDEN_VALUE_CHARS = ("\r", "\n", "\x00")

# Environ keys that describe the request rather than a header. They map onto parts
# of the ASGI scope; anything else that is not `HTTP_*`/`CONTENT_*` is copied
# into `request.META` as it is, as a WSGI server would.
_SCOPE_KEYS = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "REMOTE_ADDR",
        "REMOTE_PORT",
        "HTTPS",
        "wsgi.url_scheme",
    }
)
_UNPREFIXED = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
# What a WSGI environ key looks like: upper-case CGI names, or a server's `wsgi.*`.
_ENVIRON_KEY_RE = re.compile(r"^(?:[A-Z][A-Z0-9_]*|wsgi\.[a-z_]+)$")
# Keyword arguments of some verb or constructor: given where they do not belong,
# they get their own explanation rather than a "Did you mean" to themselves.
_KNOWN_ARGUMENTS = frozenset({"data", "format", "content_type", "follow", "secure",
                              "headers", "query_params", "json_encoder",
                              "enforce_csrf_checks", "raise_request_exception"})


def header_name(key: str) -> str | None:
    """The HTTP header name for a WSGI environ key, or `None` if it is not one."""
    if key in _UNPREFIXED:
        return _UNPREFIXED[key]
    if key.startswith("HTTP_"):
        return key[5:].lower().replace("_", "-")
    return None


def check_header(name: str, value: object, *, given_as: str) -> str:
    """Return `value` as a str if it can go on the wire, else raise `ValueError`."""
    if not name or not _TOKEN_RE.match(name):
        raise ValueError(
            f"{given_as!r} is not a valid HTTP header name: a header name must be "
            "non-empty and made of letters, digits and '-'. Example: "
            "`HTTP_X_API_KEY=...` or `headers={'X-Api-Key': ...}`."
        )
    if isinstance(value, Promise):  # a lazy string, e.g. gettext_lazy("fr")
        value = str(value)
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ValueError(
                f"The value of header {given_as!r} must be a str, not "
                f"{type(value).__name__}: pass `{given_as}=str(value)`."
            )
    if any(char in value for char in _FORBIDDEN_VALUE_CHARS):
        raise ValueError(
            f"The value of header {given_as!r} contains a line break or NUL, which "
            "cannot be sent in an HTTP header: remove it from the value."
        )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(
            f"The value of header {given_as!r} has characters outside latin-1, which "
            "HTTP headers cannot carry: percent-encode or base64-encode the value."
        ) from None
    return value


def headers_to_environ(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Translate `headers={"Authorization": ...}` into environ keys, validating names."""
    if not headers:
        return {}
    environ = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN_RE.match(name):
            raise ValueError(
                f"{name!r} is not a valid HTTP header name: `headers=` takes HTTP names "
                "such as 'Authorization' or 'X-Api-Key'."
            )
        environ[HttpHeaders.to_wsgi_name(name)] = value
    return environ


def validate_environ_keys(environ: Mapping[str, Any], *, where: str) -> None:
    """Reject keys that are not environ-style (`credentials()` only takes headers)."""
    for key in environ:
        if not (key.startswith("HTTP_") or key.startswith("CONTENT_")):
            hint = ""
            if "-" in key or key[:1].islower():
                hint = f" Did you mean `HTTP_{key.upper().replace('-', '_')}`?"
            raise ValueError(
                f"{where} got {key!r}: keys must be WSGI-style header names that start "
                f"with `HTTP_` or `CONTENT_`, as in `HTTP_AUTHORIZATION='Token ...'`.{hint}"
            )


def check_extra_keys(extra: Mapping[str, Any], *, where: str,
                     accepted: Iterable[str] = ()) -> None:
    """Refuse keyword arguments that cannot be WSGI environ keys.

    Extra keyword arguments become `request.META` entries, so `authorization=...`
    or `**{"X-Api-Key": ...}` would silently never reach the view as a header, and a
    misspelt argument (`fromat="json"`) would be ignored.
    """
    for key in extra:
        if _ENVIRON_KEY_RE.match(key):
            continue
        if key in _KNOWN_ARGUMENTS:
            hint = ""
            if key in ("format", "content_type") and "format" not in accepted:
                hint = (" A GET or HEAD has no body: put its parameters in `data=` or "
                        "`query_params=`.")
            raise ValueError(f"{where} takes no `{key}=` argument.{hint}")
        close = difflib.get_close_matches(key, list(accepted), n=1, cutoff=0.75)
        if close:
            hint = f"Did you mean `{close[0]}=`?"
        else:
            words = [word for word in re.split(r"[-_\s]+", key) if word]
            http_name = "-".join(word.capitalize() for word in words) or key
            environ_name = "HTTP_" + "_".join(word.upper() for word in words)
            hint = (f"For a header, pass `headers={{{http_name!r}: ...}}` or "
                    f"`{environ_name}=...`.")
        raise ValueError(
            f"{where} got the keyword argument {key!r}, which is not a WSGI environ "
            "key: extra keyword arguments go into `request.META`, so they must be "
            f"upper-case names such as `HTTP_X_API_KEY` or `REMOTE_ADDR`. {hint}"
        )


def url_environ(url: SplitResult) -> dict[str, Any]:
    """The scheme and host of an absolute URL, as environ keys (empty for a path)."""
    if not url.scheme and not url.netloc:
        return {}
    scheme = url.scheme or "http"
    environ: dict[str, Any] = {"wsgi.url_scheme": scheme}
    if url.netloc:
        environ["HTTP_HOST"] = url.netloc
        environ["SERVER_NAME"] = url.hostname or "testserver"
        environ["SERVER_PORT"] = str(url.port or (443 if scheme == "https" else 80))
    return environ


def _merge(layers: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    environ: dict[str, Any] = {}
    for layer in layers:
        if layer:
            environ.update(layer)
    return environ


def build_scope(
    method: str,
    url: SplitResult | str,
    *,
    body: bytes,
    secure: bool,
    layers: Iterable[Mapping[str, Any] | None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build an ASGI HTTP scope from a split URL and environ layers (weakest first).

    Return `(scope, meta)`: `meta` holds the environ keys that have no place in an
    ASGI scope (`REMOTE_USER` and the like); the caller copies them into
    `request.META` once the request exists.
    """
    if isinstance(url, str):
        url = urlsplit(url)
    environ = _merge(layers)

    scheme = "https" if secure else "http"
    if environ.get("HTTPS") == "on":
        scheme = "https"
    scheme = environ.get("wsgi.url_scheme", scheme)
    default_port = "443" if scheme == "https" else "80"
    server_name = str(environ.get("SERVER_NAME", "testserver"))
    server_port = str(environ.get("SERVER_PORT", default_port))

    if "QUERY_STRING" in environ and environ["QUERY_STRING"] not in ("", None):
        query_string = str(environ["QUERY_STRING"])
    else:
        query_string = url.query

    if "HTTP_HOST" not in environ:
        host = server_name if server_port == default_port else f"{server_name}:{server_port}"
        environ["HTTP_HOST"] = host
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))

    headers: list[tuple[bytes, bytes]] = []
    meta: dict[str, Any] = {}
    for key, value in environ.items():
        name = header_name(key)
        if name is None:
            if key not in _SCOPE_KEYS:
                meta[key] = value
            continue
        if value is None:  # a layer may remove a weaker layer's header
            continue
        value = check_header(name, value, given_as=key)
        headers.append((name.encode("latin-1"), value.encode("latin-1")))

    path_info = unquote(environ.get("PATH_INFO", url.path) or "/")
    script_name = str(environ.get("SCRIPT_NAME", ""))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": str(environ.get("REQUEST_METHOD", method)).upper(),
        "scheme": scheme,
        "path": script_name + path_info,
        "raw_path": quote(script_name + path_info).encode("latin-1"),
        "root_path": script_name,
        "query_string": query_string.encode("utf-8"),
        "headers": headers,
        "server": (server_name, int(server_port)),
        "client": (
            str(environ.get("REMOTE_ADDR", "127.0.0.1")),
            int(environ.get("REMOTE_PORT", 0)),
        ),
    }
    return scope, meta
