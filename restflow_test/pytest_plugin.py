"""pytest plugin: fixtures, and database isolation that holds for `async def` tests.

Loaded through the `pytest11` entry point. The problem it solves: pytest-asyncio runs
a coroutine test on the main thread's event loop, so the ORM's `sync_to_async` calls
(from the test, from async fixtures, and from views reached through an async client)
go to asgiref's single-thread executor, whose own database connection is in
autocommit: rows are committed and leak into later tests, and views do not see rows
that fixtures created inside the test transaction.

The fix: for every database test, the executor's thread uses the main thread's
connection objects, the ones that hold pytest-django's test transaction. The loan is
made at the first database test and kept (the objects stay the same for the session),
so later tests pay no thread hop; it is renewed if the objects change, and returned
at the end of the session.
Only one thread runs database code at a time (the event loop thread never does), so
sharing the connection is safe.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

from .client import forgotten_await_message, take_never_awaited
from .contract import pytest_hooks as contract_hooks
from .fixtures import (  # noqa: F401  (re-exported as the plugin's fixtures)
    _restflow_live_server,
    admin_async_api_client,
    async_api_client,
    async_api_rf,
    async_assert_num_queries,
    async_capture_on_commit_callbacks,
    async_live_server,
)

try:
    import pytest_django  # noqa: F401  (only whether it imports matters)
except ImportError:
    HAS_PYTEST_DJANGO = False
else:
    HAS_PYTEST_DJANGO = True
MISSING_PYTEST_DJANGO = (
    "restflow-test's pytest plugin needs pytest-django: install it with "
    "`pip install 'restflow-test[pytest]'` (or `pip install pytest-django`)."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "restflow_share_db_connections",
        "Share the test's database connections with asgiref's sync_to_async thread "
        "in async tests (restflow-test's isolation fix). Default: true.",
        type="bool",
        default=True,
    )
    contract_hooks.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    wants_django = bool(os.environ.get("DJANGO_SETTINGS_MODULE")) or bool(
        config.getini("DJANGO_SETTINGS_MODULE") if HAS_PYTEST_DJANGO else False
    )
    if not HAS_PYTEST_DJANGO and wants_django:
        raise pytest.UsageError(MISSING_PYTEST_DJANGO)
    config.pluginmanager.register(contract_hooks.ContractPlugin(config), "restflow_contract")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Fail a test that called an async client method without awaiting it."""
    take_never_awaited()
    result = yield
    calls = take_never_awaited()
    if calls:
        raise AssertionError(forgotten_await_message(calls))
    return result


def _uses_database(request: pytest.FixtureRequest) -> bool:
    return (
        request.node.get_closest_marker("django_db") is not None
        or "_django_db_helper" in request.fixturenames
    )


@pytest.fixture(autouse=True)
def _restflow_share_db_connections(request: pytest.FixtureRequest) -> Generator[None]:
    """Give sync_to_async's thread the test's connections (see the module docstring)."""
    if (
        not HAS_PYTEST_DJANGO
        or not request.config.getini("restflow_share_db_connections")
        or not _uses_database(request)
    ):
        yield
        return
    # Make sure the test transaction exists before sharing its connections.
    request.getfixturevalue("_django_db_helper")
    from .sharing import lend_connections_to_executor

    lend_connections_to_executor()  # a no-op when the previous test lent the same ones
    yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Give the executor thread its own connections back."""
    from .sharing import take_back_connections

    take_back_connections()
