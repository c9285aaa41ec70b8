"""`assertRedirects` for the bases: Django's checks, with an awaited fetch.

Django's `assertRedirects` fetches the redirect target with `response.client.get()`
and reads WSGI keys from `response.request`; with an async client the first returns
a coroutine and the second is an ASGI scope. `aassertRedirects` does the same checks
and awaits the fetch; the sync `assertRedirects` works where no fetch is needed, and
in sync tests.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urljoin, urlsplit

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from .client import _url_of

__all__ = ["RedirectAssertionsMixin"]


class RedirectAssertionsMixin:
    """`assertRedirects` and `aassertRedirects` for responses of our client."""

    assertEqual: Any
    assertTrue: Any
    assertURLEqual: Any

    def assertRedirects(
        self, response: Any, expected_url: str, status_code: int = 302,
        target_status_code: int = 200, msg_prefix: str = "",
        fetch_redirect_response: bool = True,
    ) -> None:
        """Django's `assertRedirects`; in an `async def` test use `aassertRedirects`.

        Raises:
            TypeError: Called inside an async test where the target must be fetched.
        """
        url = self._redirect_url(response, expected_url, status_code, target_status_code,
                                 msg_prefix)
        if url is not None and fetch_redirect_response:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                async_to_sync(self._fetch_target)(response, url, target_status_code,
                                                  msg_prefix)
            else:
                raise TypeError(
                    "`assertRedirects()` fetches the redirect target, which needs `await` "
                    "in an async test: write `await self.aassertRedirects(response, ...)`, "
                    "or pass `fetch_redirect_response=False`."
                )
        self._check_url(url, response, expected_url, msg_prefix)

    async def aassertRedirects(
        self, response: Any, expected_url: str, status_code: int = 302,
        target_status_code: int = 200, msg_prefix: str = "",
        fetch_redirect_response: bool = True,
    ) -> None:
        """Assert that `response` redirected to `expected_url`, fetching the target.

        Args:
            response: A response from the client (followed with `follow=True`, or not).
            expected_url: The URL it should redirect to.
            status_code: The redirect's status code.
            target_status_code: The status code of the redirect target.
            msg_prefix: Put before the failure message.
            fetch_redirect_response: Fetch the target (with the original request's
                headers) and check its status.
        """
        url = self._redirect_url(response, expected_url, status_code, target_status_code,
                                 msg_prefix)
        if url is not None and fetch_redirect_response:
            await self._fetch_target(response, url, target_status_code, msg_prefix)
        self._check_url(url, response, expected_url, msg_prefix)

    def _redirect_url(self, response: Any, expected_url: str, status_code: int,
                      target_status_code: int, msg_prefix: str) -> str | None:
        """Check the status codes; the URL to fetch, or `None` if already followed."""
        prefix = f"{msg_prefix}: " if msg_prefix else ""
        if hasattr(response, "redirect_chain"):
            self.assertTrue(
                response.redirect_chain,
                f"{prefix}Response didn't redirect as expected: Response code was "
                f"{response.status_code} (expected {status_code})")
            self.assertEqual(
                response.redirect_chain[0][1], status_code,
                f"{prefix}Initial response didn't redirect as expected: Response code was "
                f"{response.redirect_chain[0][1]} (expected {status_code})")
            self.assertEqual(
                response.status_code, target_status_code,
                f"{prefix}Response didn't redirect as expected: Final Response code was "
                f"{response.status_code} (expected {target_status_code})")
            return None
        self.assertEqual(
            response.status_code, status_code,
            f"{prefix}Response didn't redirect as expected: Response code was "
            f"{response.status_code} (expected {status_code})")
        url = str(response.url)
        if not urlsplit(url).path.startswith("/"):  # relative to the request's path
            url = urljoin(response.request["path"], url)
        return url

    def _check_url(self, url: str | None, response: Any, expected_url: str,
                   msg_prefix: str) -> None:
        if url is None:
            url = response.redirect_chain[-1][0]
        prefix = f"{msg_prefix}: " if msg_prefix else ""
        self.assertURLEqual(url, expected_url,
                            f"{prefix}Response redirected to '{url}', expected '{expected_url}'")

    async def _fetch_target(self, response: Any, url: str, target_status_code: int,
                            msg_prefix: str) -> None:
        domain, _port = split_domain_port(urlsplit(url).netloc)
        if domain and not validate_host(domain, settings.ALLOWED_HOSTS):
            raise ValueError(
                f"The test client is unable to fetch remote URLs (got {url}). If the host "
                f"is served by Django, add '{domain}' to ALLOWED_HOSTS. Otherwise, use "
                "assertRedirects(..., fetch_redirect_response=False)."
            )
        client = response.client
        previous = response.request
        scope, meta = client._next_request(previous, {}, "GET",
                                           urljoin(_url_of(previous), url), b"")
        target = await client._request(scope, b"", meta)
        prefix = f"{msg_prefix}: " if msg_prefix else ""
        self.assertEqual(
            target.status_code, target_status_code,
            f"{prefix}Couldn't retrieve redirection page '{urlsplit(url).path}': response "
            f"code was {target.status_code} (expected {target_status_code})")
