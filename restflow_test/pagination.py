"""Walking a paginated DRF list: `async for item in client.paginate(url)`.

The pages are read the way a consumer of the API reads them: GET the first page, then
follow its `next` link until there is none. The page style is read from each
response: a body with `results` and `next` (DRF's `PageNumberPagination`,
`LimitOffsetPagination` and `CursorPagination`), or a list body with a `Link` header
(`rel="next"`, GitHub style).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

__all__ = ["DEFAULT_MAX_PAGES", "PaginationError", "PaginationMixin"]

DEFAULT_MAX_PAGES = 100

_LINK = re.compile(r"<([^>]*)>([^,]*)")
_REL = re.compile(r"""\brel\s*=\s*"?([^";]*)"?""")


class PaginationError(AssertionError):
    """A paginated list could not be walked to its end.

    Raised (as a test failure) when a page does not answer 200, when a response is
    not a paginated list, when a `next` link points back to a page already read, or
    when there are more pages than `max_pages`.
    """


class PaginationMixin:
    """Adds `paginate()` and `paginate_pages()` to an async client.

    The client must have an awaitable `get(path, data=None, *, headers=None,
    query_params=None, **extra)`, as [AsyncAPIClient][restflow_test.AsyncAPIClient]
    has (it includes this mixin).
    """

    def paginate(
        self, path: str, data: Any = None, *, max_pages: int = DEFAULT_MAX_PAGES,
        headers: Any = None, query_params: Any = None, **extra: Any,
    ) -> AsyncIterator[Any]:
        """Iterate over the items of every page of a paginated list.

        Use it with `async for`. The first request is `get(path, data, ...)`; the
        following ones request the path and query string of the page's `next` link,
        with the same `headers` and `**extra` (so the same host and credentials).

        Args:
            path: The list's URL path, optionally with a query string.
            data: Query parameters for the first page (the `next` links carry them on).
            max_pages: Fail when the list has more pages than this (default 100):
                a `next` link that never runs out is a bug, not a long wait.
            headers: Headers for every page request, by HTTP name.
            query_params: Query parameters for the first page.
            **extra: WSGI-style environ keys for every page request.

        Returns:
            An async iterator of the items, page after page.

        Raises:
            ValueError: `max_pages` is not a positive integer (raised at the call,
                before any request).
            PaginationError: A page did not answer 200, a response is not a paginated
                list, the `next` links loop, or there are more than `max_pages` pages.
        """
        _check_max_pages(max_pages)
        return _items(self._walk(path, data, max_pages, headers, query_params, extra))

    def paginate_pages(
        self, path: str, data: Any = None, *, max_pages: int = DEFAULT_MAX_PAGES,
        headers: Any = None, query_params: Any = None, **extra: Any,
    ) -> AsyncIterator[Any]:
        """Iterate over the responses of every page of a paginated list.

        Same arguments and errors as `paginate()`; yields each page's response
        (`response.data["results"]`, `response.headers`, ...) instead of its items.

        Returns:
            An async iterator of the page responses.
        """
        _check_max_pages(max_pages)
        return _responses(self._walk(path, data, max_pages, headers, query_params, extra))

    async def _walk(self, path: str, data: Any, max_pages: int, headers: Any,
                    query_params: Any, extra: dict[str, Any],
                    ) -> AsyncIterator[tuple[Any, list[Any]]]:
        client = cast(Any, self)
        read: list[str] = []
        while True:
            response = await client.get(path, data=data, headers=headers,
                                        query_params=query_params, **extra)
            url = _requested_url(response, path)
            read.append(url)
            items, next_link = _read_page(response, url)
            yield response, items
            if next_link is None:
                return
            target = urljoin(url, next_link)
            parts = urlsplit(target)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path in read:
                raise PaginationError(
                    f"Page {len(read)} of `{read[0]}` links `next` to `{next_link}`, a "
                    f"page already read: the view's pagination loops. Check its "
                    f"ordering and how it builds the `next` link."
                )
            if len(read) >= max_pages:
                raise PaginationError(
                    f"Read {max_pages} pages of `{read[0]}` and the last one still has a "
                    f"`next` link (`{next_link}`). Pass a larger `max_pages=` if the "
                    f"list is really that long, or use a larger page size."
                )
            data = query_params = None


def _check_max_pages(max_pages: Any) -> None:
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ValueError(
            f"`max_pages` must be a positive integer, got {max_pages!r}: "
            f"pass the most pages the list may have, e.g. `max_pages=500`."
        )


async def _items(pages: AsyncIterator[tuple[Any, list[Any]]]) -> AsyncIterator[Any]:
    async for _, items in pages:
        for item in items:
            yield item


async def _responses(pages: AsyncIterator[tuple[Any, list[Any]]]) -> AsyncIterator[Any]:
    async for response, _ in pages:
        yield response


def _requested_url(response: Any, fallback: str) -> str:
    scope = getattr(response, "request", None)
    if not isinstance(scope, dict) or "path" not in scope:
        return fallback
    query = scope.get("query_string", b"").decode("latin-1")
    return scope["path"] + (f"?{query}" if query else "")


def _read_page(response: Any, url: str) -> tuple[list[Any], str | None]:
    """The items and the `next` link of one page response.

    Args:
        response: The page's response.
        url: The URL it was requested from, for error messages.

    Returns:
        `(items, next_link)`; `next_link` is `None` on the last page.

    Raises:
        PaginationError: The response is not a 200 paginated list.
    """
    if response.status_code != 200:
        raise PaginationError(
            f"GET `{url}` answered {response.status_code}, not 200, so its items "
            f"cannot be read: {_excerpt(response)}"
        )
    body = _body(response, url)
    if isinstance(body, dict) and isinstance(body.get("results"), list) and "next" in body:
        return body["results"], body["next"] or None
    link = response.headers.get("Link")
    if isinstance(body, list) and link is not None:
        return body, _next_from_link(link)
    raise PaginationError(
        f"GET `{url}` did not return a paginated list: expected an object with "
        f"`results` and `next` (DRF's `PageNumberPagination`, `LimitOffsetPagination`, "
        f"`CursorPagination`) or a list with a `Link` header, got {_describe(body)}. "
        f"Give the view a `pagination_class` (or set `DEFAULT_PAGINATION_CLASS`), or "
        f"read an unpaginated list with `await client.get(...)`."
    )


def _body(response: Any, url: str) -> Any:
    if hasattr(response, "data"):
        return response.data
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type:
        raise PaginationError(
            f"GET `{url}` answered `{content_type or 'no content type'}`, not JSON: "
            f"{_excerpt(response)}"
        )
    return json.loads(response.content)


def _next_from_link(header: str) -> str | None:
    for url, params in _LINK.findall(header):
        for rel in _REL.findall(params):
            if "next" in rel.lower().split():
                return url
    return None


def _describe(body: Any) -> str:
    if isinstance(body, dict):
        keys = ", ".join(f"`{key}`" for key in list(body)[:8])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(body, list):
        return f"a list of {len(body)} items and no `Link` header"
    return f"{type(body).__name__} {body!r:.80}"


def _excerpt(response: Any) -> str:
    if getattr(response, "streaming", False):
        return "(a streaming response)"
    text = bytes(response.content[:200]).decode("utf-8", "replace")
    return repr(text) if text else "(empty body)"
