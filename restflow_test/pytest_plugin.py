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

from collections.abc import Generator
from typing import Any

import pytest

from .contract import pytest_hooks as contract_hooks
from .exchanges import exchanges_option
from .fixtures import (  # noqa: F401  (re-exported as the plugin's fixtures)
    _restflow_isolate_realtime,
    _restflow_live_server,
    admin_async_api_client,
    async_api_client,
    async_api_rf,
    async_assert_num_queries,
    async_capture_on_commit_callbacks,
    async_live_server,
    channel_layer,
)
from .pending import TestOwner, begin_test, end_test, forgotten_await_message

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
# The pytest-django fixture whose transaction the isolation fix shares.
DB_HELPER_FIXTURE = "_django_db_helper"
UNSUPPORTED_PYTEST_DJANGO = (
    "restflow-test's database isolation builds on pytest-django's "
    f"`{DB_HELPER_FIXTURE}` fixture, which this pytest-django does not have: "
    "install pytest-django 4.9 or later (`pip install -U pytest-django`)."
)
# How long teardown waits for a sync view that outlived its test (a cancelled or
# timed-out request) before rolling back.
DRAIN_TIMEOUT = 30.0

_OWNER = pytest.StashKey[TestOwner]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "restflow_share_db_connections",
        "Share the test's database connections with asgiref's sync_to_async thread "
        "in async tests (restflow-test's isolation fix). Default: true.",
        type="bool",
        default=True,
    )
    parser.addoption(
        "--restflow-exchanges",
        type=exchanges_option,
        default=None,
        metavar="N",
        help="HTTP exchanges shown in a failing test's report (0: none). "
        "Default: the RESTFLOW_EXCHANGES setting, else 10.",
    )
    contract_hooks.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    # Without pytest-django nothing happens until one of our fixtures is used (they
    # say what to install); with one that lacks the fixture we build on, isolation
    # would silently not hold, so say so now.
    if HAS_PYTEST_DJANGO and config.getini("restflow_share_db_connections"):
        import pytest_django.fixtures

        if not hasattr(pytest_django.fixtures, DB_HELPER_FIXTURE):
            raise pytest.UsageError(UNSUPPORTED_PYTEST_DJANGO)
    config.pluginmanager.register(contract_hooks.ContractPlugin(config), "restflow_contract")


def _check_never_awaited(item: pytest.Item) -> None:
    owner = item.stash.get(_OWNER, None)
    calls = owner.take() if owner is not None else []
    if calls:
        pytest.fail(forgotten_await_message(calls), pytrace=False)


# A client call that is never awaited fails the test that made it, in whichever
# phase: a fixture's set-up or tear-down, or the test itself.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    item.stash[_OWNER] = begin_test(item.nodeid)
    result = yield
    _check_never_awaited(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    result = yield
    _check_never_awaited(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    try:
        result = yield
    finally:
        owner = item.stash.get(_OWNER, None)
        if owner is not None:
            end_test(owner)
    _check_never_awaited(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Generator[None, Any, Any]:
    """Give the test (set-up, call, tear-down) its own HTTP exchange recorder."""
    from .exchanges import kept_exchanges, recording

    kept = item.config.getoption("restflow_exchanges")
    with recording(kept_exchanges() if kept is None else kept):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Generator[None, Any, Any]:
    """Add the test's HTTP exchanges to the report of a failed phase."""
    report = yield
    if report.failed:
        from .exchanges import current_recorder

        recorder = current_recorder()
        text = recorder.report() if recorder is not None else ""
        if text:
            report.sections.append(("HTTP exchanges (newest last)", text))
    return report


def _uses_database(request: pytest.FixtureRequest) -> bool:
    return (
        request.node.get_closest_marker("django_db") is not None
        or DB_HELPER_FIXTURE in request.fixturenames
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
    request.getfixturevalue(DB_HELPER_FIXTURE)
    from .sharing import drain_executor, lend_connections_to_executor

    lend_connections_to_executor()  # a no-op when the previous test lent the same ones
    yield
    # A request the test stopped waiting for (`asyncio.wait_for`, a cancelled task)
    # may still be running a sync view on the executor thread, on the test's
    # connection: let it finish before pytest-django rolls the transaction back, or
    # its writes would land in the next test.
    drain_executor(DRAIN_TIMEOUT)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Give the executor thread its own connections back."""
    from .sharing import take_back_connections

    take_back_connections()
