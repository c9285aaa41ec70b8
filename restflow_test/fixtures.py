"""The plugin's public fixtures (registered by `restflow_test.pytest_plugin`)."""

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
    "channel_layer",
]


def _require_pytest_django() -> None:
    from .pytest_plugin import HAS_PYTEST_DJANGO, MISSING_PYTEST_DJANGO

    if not HAS_PYTEST_DJANGO:
        raise pytest.UsageError(MISSING_PYTEST_DJANGO)


@pytest.fixture
def async_api_client() -> Generator[Any]:
    """A fresh `AsyncAPIClient` for the test.

    pytest-django's `async_client` stays Django's `AsyncClient`; define your own
    `async_client` fixture in `conftest.py` to use this one under that name.
    """
    _require_pytest_django()
    from restflow_test import AsyncAPIClient

    yield AsyncAPIClient()


@pytest.fixture
def async_api_rf() -> Any:
    """An `AsyncAPIRequestFactory` for the test."""
    _require_pytest_django()
    from restflow_test import AsyncAPIRequestFactory

    return AsyncAPIRequestFactory()


@pytest.fixture
def admin_async_api_client(db: None, admin_user: Any) -> Any:
    """An `AsyncAPIClient` forced to authenticate as pytest-django's `admin_user`.

    Uses the database (the `db` fixture) to create the superuser.
    """
    from restflow_test import AsyncAPIClient

    client = AsyncAPIClient()
    client.force_authenticate(admin_user)
    return client


def _check_count(expected: int | None, executed: int, queries: list[dict[str, Any]],
                 where: str) -> None:
    if expected is not None and executed != expected:
        from .db import format_queries

        pytest.fail(
            f"Expected to perform {expected} queries but {executed} were done, in the "
            f"block at {where}\n"
            f"Queries:\n{format_queries(queries)}",
            pytrace=False,
        )


@pytest.fixture
def async_assert_num_queries(db: None) -> Callable[..., Any]:
    """Count queries in async and sync tests: `async with async_assert_num_queries(n):`.

    Returns a callable `count(num, *, using="default")`; its context manager (`async
    with` or `with`) fails the test on exit, listing the queries, when the count of
    awaited ORM calls and view queries differs from `num`.
    """
    from django.db import DEFAULT_DB_ALIAS

    from .db import CountQueries, thread_connections

    main = thread_connections()  # fixtures set up on the test's main thread

    def count(num: int, *, using: str = DEFAULT_DB_ALIAS) -> CountQueries:
        return CountQueries(main[using], num, _check_count)

    return count


@pytest.fixture
def async_capture_on_commit_callbacks(db: None) -> Callable[..., Any]:
    """Capture the on_commit callbacks a block registers; `execute=True` runs them.

    Returns a callable `capture(*, using="default", execute=False)`; its context
    manager collects the callbacks registered inside the block (by awaited ORM calls
    and by views) and, with `execute=True`, runs them on exit. The `async with` form
    runs them through `sync_to_async`, so they may query the database.
    """
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
def async_live_server(_restflow_live_server: Any, transactional_db: None) -> Generator[Any]:
    """A real ASGI server (Daphne by default) with `.url` and `.ws_url`; the test is transactional.

    One server per session (per xdist worker), serving `settings.ASGI_APPLICATION`;
    `settings.RESTFLOW_LIVE_SERVER_BACKEND = "uvicorn"` picks uvicorn. The test's
    rows are committed so the server sees them, and flushed afterwards, once the
    server has finished the requests the test left running.
    """
    from .live_server import still_running_error

    yield _restflow_live_server
    still_running = _restflow_live_server.wait_idle()
    if still_running:
        raise still_running_error(still_running)


@pytest.fixture(autouse=True)
def _restflow_isolate_realtime() -> Generator[None]:
    """Per test: `close_old_connections()` spares the test's connections; new channel layers."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from .realtime import isolate_realtime

    with isolate_realtime():
        yield


@pytest.fixture
def channel_layer() -> Any:
    """The default channel layer, new for this test: `await channel_layer.group_send(...)`.

    Every test starts with new layer instances (groups and messages of earlier tests
    are gone), whether or not it uses this fixture; use the in-memory layer in tests.
    """
    try:
        from channels.layers import get_channel_layer
    except ImportError:
        raise pytest.UsageError(
            'The `channel_layer` fixture needs Django Channels: '
            '`pip install "restflow-test[channels]"`.') from None
    layer = get_channel_layer()
    if layer is None:
        raise pytest.UsageError(
            "The `channel_layer` fixture found no `CHANNEL_LAYERS` setting: add one, e.g. "
            '`{"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}`.')
    return layer
