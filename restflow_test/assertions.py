"""Assertions on responses whose failure message shows the HTTP exchange."""

from __future__ import annotations

import os
import sys
from http import HTTPStatus
from types import FrameType
from typing import Any

from .report import describe_exchange, status_line

__all__ = ["assert_status", "caller_outside_package", "location"]


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
        f"{describe_exchange(response)}"
    )


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def caller_outside_package() -> tuple[str, int]:
    """The file and line of the nearest caller that is not restflow-test's own code.

    Cheap (a walk up a few frames, no formatting), so it can run on every `with`
    block; format it with [location][restflow_test.assertions.location] on failure.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0
    return frame.f_code.co_filename, frame.f_lineno


def location(where: tuple[str, int]) -> str:
    """`path:line`, the path relative to the working directory when under it."""
    path, line = where
    relative = os.path.relpath(path) if path.startswith(os.getcwd() + os.sep) else path
    return f"{relative}:{line}"
