"""Assertions on responses whose failure message shows the HTTP exchange."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from .report import format_exchange, status_line

__all__ = ["assert_status"]


def assert_status(response: Any, expected: int) -> None:
    """Check the response's status code; on a mismatch, show the whole exchange.

    `assert response.status_code == 201` fails with `assert 400 == 201`; this fails
    with the request and the response, bodies included (so the validation errors
    that explain a 400 are in the message), secrets masked and long bodies cut.

    Args:
        response: A response from [AsyncAPIClient][restflow_test.AsyncAPIClient], or
            from a view called directly with a request factory.
        expected: The status code the test expects (`201`, `HTTPStatus.CREATED`).

    Raises:
        AssertionError: The status code is not `expected`.
        TypeError: `response` is not a response (an un-awaited client call, ...) or
            `expected` is not a status code.
    """
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise TypeError(
            f"`assert_status()` takes the expected status code as a number, like "
            f"`assert_status(response, 201)`; got {expected!r}."
        )
    code = getattr(response, "status_code", None)
    if not isinstance(code, int):
        raise TypeError(
            f"`assert_status()` needs a response, got {response!r}: did you forget "
            "`await` on the client call?"
        )
    if code == expected:
        return
    try:
        wanted = f"{expected} {HTTPStatus(expected).phrase}"
    except ValueError:
        wanted = str(expected)
    raise AssertionError(
        f"Expected status {wanted}, got {status_line(response)}.\n\n"
        f"{format_exchange(response)}"
    )
