"""The plugin's public fixtures (registered by :mod:`restflow_test.pytest_plugin`)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest

__all__ = [
    "admin_async_api_client",
    "async_api_client",
    "async_api_rf",
    "async_assert_num_queries",
    "async_capture_on_commit_callbacks",
    "async_live_server",
]


def _require_pytest_django() -> None:
    from .pytest_plugin import HAS_PYTEST_DJANGO, MISSING_PYTEST_DJANGO

    if not HAS_PYTEST_DJANGO:
        raise pytest.UsageError(MISSING_PYTEST_DJANGO)


@pytest.fixture
def async_api_client() -> Generator[Any]:
    """A fresh :class:`~restflow_test.AsyncAPIClient` for the test."""
    _require_pytest_django()
    from restflow_test import AsyncAPIClient

    yield AsyncAPIClient()


@pytest.fixture
def async_api_rf() -> Any:
    """An :class:`~restflow_test.AsyncAPIRequestFactory`."""
    _require_pytest_django()
    from restflow_test import AsyncAPIRequestFactory

    return AsyncAPIRequestFactory()


@pytest.fixture
def admin_async_api_client(db: None, admin_user: Any) -> Any:
    """An :class:`~restflow_test.AsyncAPIClient` force-authenticated as ``admin_user``."""
    from restflow_test import AsyncAPIClient

    client = AsyncAPIClient()
    client.force_authenticate(admin_user)
    return client


def _check_count(expected: int | None, executed: int, queries: list[dict[str, Any]]) -> None:
    if expected is not None and executed != expected:
        from .db import format_queries

        pytest.fail(
            f"Expected to perform {expected} queries but {executed} were done\n"
            f"Queries:\n{format_queries(queries)}",
            pytrace=False,
        )


@pytest.fixture
def async_assert_num_queries(db: None) -> Callable[..., Any]:
    """``async with async_assert_num_queries(n):`` (or ``with``) in async tests."""
    from django.db import DEFAULT_DB_ALIAS

    from .db import CountQueries, thread_connections

    main = thread_connections()  # fixtures set up on the test's main thread

    def count(num: int, *, using: str = DEFAULT_DB_ALIAS) -> CountQueries:
        return CountQueries(main[using], num, _check_count)

    return count


@pytest.fixture
def async_capture_on_commit_callbacks(db: None) -> Callable[..., Any]:
    """``async with async_capture_on_commit_callbacks(execute=True) as callbacks:``."""
    from django.db import DEFAULT_DB_ALIAS

    from .db import CaptureOnCommit, thread_connections

    main = thread_connections()

    def capture(*, using: str = DEFAULT_DB_ALIAS, execute: bool = False) -> CaptureOnCommit:
        return CaptureOnCommit(main[using], execute=execute)

    return capture


@pytest.fixture(scope="session")
def _restflow_live_server(django_db_setup: None, django_db_blocker: Any) -> Generator[Any]:
    """One live server for the whole session (per xdist worker)."""
    from django.test.utils import modify_settings

    from .live_server import start_live_server

    allowed = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})
    allowed.enable()
    server = start_live_server()
    try:
        yield server
    finally:
        server.stop()
        allowed.disable()


@pytest.fixture
def async_live_server(_restflow_live_server: Any, transactional_db: None) -> Any:
    """A real ASGI server (Daphne by default) with ``.url``; the test is transactional."""
    return _restflow_live_server
