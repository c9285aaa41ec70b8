"""Turn a client response into readable text: the HTTP exchange, secrets masked.

Only called when a test has failed (or an assertion is about to fail), so nothing here
is on the path of a passing test. Works on responses from
[AsyncAPIClient][restflow_test.AsyncAPIClient] and, with less to show, on responses
of views called directly with a request factory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "BODY_LIMIT",
    "MASK",
    "describe_exchange",
    "format_exchange",
    "mask_data",
    "masked_header",
]

MASK = "***"
BODY_LIMIT = 2000
"""Characters of one body shown before it is cut."""

# Names of JSON/form fields and query parameters whose values are hidden.
_SECRET_FIELD = re.compile(
    r"pass(wd|word)?|pwd|token|secret|(^|[_-])key$|apikey|api_key|authorization|"
    r"credential|signature|cookie|session",
    re.I,
)
# Header names whose values are hidden, besides the ones below.
_SECRET_HEADER = re.compile(r"api-?key|token|secret|password|signature|session", re.I)
_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})
# Headers every request or response carries, which only add noise to a report.
_NOISE = frozenset({
    "content-length", "cookie", "set-cookie", "vary", "x-frame-options",
    "x-content-type-options", "referrer-policy", "cross-origin-opener-policy",
})
_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded")


def is_secret_field(name: object) -> bool:
    """Whether a JSON/form field or query parameter of this name holds a secret."""
    return isinstance(name, str) and bool(_SECRET_FIELD.search(name))


def mask_data(data: Any) -> Any:
    """A copy of parsed JSON with the values of secret-looking fields replaced.

    Fields are secret when named like a password, token, secret, key, credential,
    signature, cookie or session, at any depth (`{"user": {"password": ...}}`, lists
    of such objects).
    """
    if isinstance(data, dict):
        return {key: MASK if is_secret_field(key) else mask_data(value)
                for key, value in data.items()}
    if isinstance(data, list):
        return [mask_data(item) for item in data]
    return data


def masked_header(name: str, value: str) -> str:
    """The value of a header as a report shows it: secrets replaced by `***`.

    `Authorization` keeps its scheme (`Token ***`); `Cookie` keeps cookie names.
    """
    lower = name.lower()
    if lower in _AUTH_HEADERS:
        scheme, _, credentials = value.partition(" ")
        return f"{scheme} {MASK}" if credentials else MASK
    if lower == "cookie":
        names = [part.split("=", 1)[0].strip() for part in value.split(";") if part.strip()]
        return "; ".join(f"{cookie}={MASK}" for cookie in names)
    if _SECRET_HEADER.search(lower):
        return MASK
    return value


def cut(text: str, limit: int = BODY_LIMIT) -> str:
    """`text`, cut after `limit` characters with a note of the bytes left out."""
    if len(text) <= limit:
        return text
    left_out = len(text[limit:].encode())
    return f"{text[:limit]}\n... ({left_out} more bytes not shown)"


def _is_text(content_type: str) -> bool:
    return any(marker in content_type for marker in _TEXT_TYPES)


def _is_json(content_type: str) -> bool:
    return "json" in content_type


def _masked_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_field(key) for key, _ in pairs):
        return query
    return urlencode([(key, MASK if is_secret_field(key) else value) for key, value in pairs],
                     safe="*")


def _multipart_fields(body: bytes, content_type: str) -> str:
    """One `name=value` line per field, secrets masked; files by name and size."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    lines = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = bytes(part.get_payload(decode=True) or b"")
        if part.get_filename() is not None:
            value = f"(file {part.get_filename()!r}, {len(payload)} bytes)"
        elif is_secret_field(name):
            value = MASK
        else:
            value = payload.decode("utf-8", errors="replace")
        lines.append(f"{name}={value}")
    return "\n".join(lines) or f"({len(body)} bytes of {content_type} not shown)"


def format_body(body: bytes, content_type: str, *, limit: int = BODY_LIMIT) -> str:
    """A body as text: JSON pretty-printed and masked, forms masked, long text cut."""
    if not body:
        return "(no body)"
    given, content_type = content_type, content_type.lower()  # the boundary keeps its case
    if _is_json(content_type):
        try:
            parsed = json.loads(body)
        except ValueError:
            pass
        else:
            return cut(json.dumps(mask_data(parsed), indent=2, ensure_ascii=False), limit)
    if "x-www-form-urlencoded" in content_type:
        return cut(_masked_query(body.decode("latin-1")), limit)
    if "multipart/form-data" in content_type:
        return cut(_multipart_fields(body, given), limit)
    if content_type and not _is_text(content_type):
        return f"({len(body)} bytes of {content_type.split(';')[0]} not shown)"
    return cut(body.decode("utf-8", errors="replace"), limit)


def _header_lines(headers: Iterable[tuple[str, str]], prefix: str) -> list[str]:
    return [f"{prefix}{name}: {masked_header(name, value)}" for name, value in headers
            if name.lower() not in _NOISE]


def _request_lines(response: Any, limit: int) -> list[str]:
    request = response.asgi_request
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if query:
        path = f"{path}?{_masked_query(query)}"
    host = request.META.get("HTTP_HOST", "testserver")
    scheme = request.scheme
    url = path if (scheme, host) == ("http", "testserver") else f"{scheme}://{host}{path}"
    headers = [(name, value) for name, value in request.headers.items()
               if name.lower() != "host"]
    lines = [f"> {request.method} {url}", *_header_lines(headers, "> ")]
    cookie = request.META.get("HTTP_COOKIE")
    if cookie:
        lines.append(f"> Cookie: {masked_header('Cookie', cookie)}")
    body = request_body(response)
    if body is None:
        lines.append("(request body not available)")
    elif body:
        lines.append(format_body(body, request.META.get("CONTENT_TYPE", ""), limit=limit))
    return lines


def request_body(response: Any) -> bytes | None:
    """The body a request was sent with, even after the view has read its stream."""
    request = response.asgi_request
    for body in (getattr(response, "_restflow_request_body", None),
                 getattr(request, "_body", None)):
        if body is not None:
            return bytes(body)
    # The test client's `FakePayload` keeps every byte written to it in a private
    # buffer, whether or not the view has read them. It is in the scope the client
    # sent, and behind the request's stream.
    scope = getattr(response, "request", None)
    payload = scope.get("_body_file") if isinstance(scope, dict) else None
    if payload is None:
        read = getattr(getattr(request, "_stream", None), "_read", None)
        payload = getattr(read, "__self__", None)
    buffer = getattr(payload, "_FakePayload__content", None)
    if buffer is not None:
        return bytes(buffer.getvalue())
    return None


def response_body(response: Any) -> tuple[bytes | None, str]:
    """The response body if it can be read without side effects, else a note why not."""
    if getattr(response, "streaming", False):
        body = getattr(response, "_restflow_body", None)
        return (bytes(body), "") if body is not None else (None, "(streaming body not shown)")
    if getattr(response, "is_rendered", True) is False:
        data = getattr(response, "data", None)  # a DRF Response of a view called directly
        return json.dumps(data, default=str).encode(), "application/json"
    return bytes(response.content), ""


def status_line(response: Any) -> str:
    """`400 Bad Request`: the status code with its reason phrase."""
    code = response.status_code
    reason = getattr(response, "reason_phrase", None)
    if not reason:
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = ""
    return f"{code} {reason}".rstrip()


def format_exchange(response: Any, *, limit: int = BODY_LIMIT) -> str:
    """One request and its response, as lines of text with secrets masked.

    Args:
        response: A response from an
            [AsyncAPIClient][restflow_test.AsyncAPIClient] (or a view called
            directly, which shows only the response).
        limit: Characters of each body shown before it is cut.

    Returns:
        `> ` lines for the request, `< ` lines for the response, then each body.
    """
    lines: list[str] = []
    if getattr(response, "asgi_request", None) is not None:
        lines += _request_lines(response, limit)
    lines.append(f"< {status_line(response)}")
    lines += _header_lines(response.items(), "< ")
    lines += [f"< Set-Cookie: {name}={MASK}" for name in getattr(response, "cookies", {})]
    body, note = response_body(response)
    if body is None:
        lines.append(note)
    elif body:
        content_type = note or response.get("Content-Type", "")
        lines.append(format_body(body, content_type, limit=limit))
    return "\n".join(lines)


def describe_exchange(response: Any, *, limit: int = BODY_LIMIT) -> str:
    """[format_exchange][restflow_test.report.format_exchange] that never raises.

    A report is shown next to a failure; an error while building it must not replace
    that failure, so it becomes a line of the report instead.
    """
    try:
        return format_exchange(response, limit=limit)
    except Exception as exc:
        return f"< {status_line(response)}\n(could not show this exchange: {exc!r})"
