"""The pytest plugin, proven with inner pytest runs (pytester)."""

import concurrent.futures

import pytest

from .helpers import ROOT, use_test_project, write_pytest_ini

LEAK_SUITE = '''
import pytest
import pytest_asyncio
from django.contrib.auth.models import User
from testproject.shop.models import Product

{mark}

@pytest_asyncio.fixture
async def async_fixture_row(db):
    return await Product.objects.acreate(name="from-async-fixture", price="1")


@pytest.fixture
def sync_fixture_row(db):
    return Product.objects.create(name="from-sync-fixture", price="1")


{asyncio_mark}
@pytest.mark.django_db
async def test_1_writes(async_fixture_row, async_api_client):
    await Product.objects.acreate(name="from-test", price="1")
    user = await User.objects.acreate(username="writer")
    async_api_client.force_authenticate(user)
    response = await async_api_client.post("/api/products/", {{"name": "from-view", "price": "1"}})
    assert response.status_code == 201


{asyncio_mark}
@pytest.mark.django_db
async def test_2_views_see_fixture_rows(sync_fixture_row, async_api_client):
    response = await async_api_client.get("/api/async/products/")
    assert [p["name"] for p in response.data] == ["from-sync-fixture"]


@pytest.mark.django_db
def test_3_nothing_leaked():
    assert list(Product.objects.values_list("name", flat=True)) == []
'''


@pytest.fixture
def inner(pytester, monkeypatch):
    use_test_project(pytester, monkeypatch, "inner")

    def run(mode, *args, source=None):
        write_pytest_ini(pytester, mode)
        if source is None:
            asyncio_mark = "@pytest.mark.asyncio" if mode == "strict" else ""
            source = LEAK_SUITE.format(mark="", asyncio_mark=asyncio_mark)
        pytester.makepyfile(test_inner=source)
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)

    return run


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_async_tests_are_isolated_with_the_plugin(inner, mode):
    result = inner(mode)
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_without_the_fix_rows_leak_or_views_miss_fixture_rows(inner, mode):
    """Stock pytest-django + pytest-asyncio: the failure this plugin exists to fix."""
    result = inner(mode, "-o", "restflow_share_db_connections=false")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) < 3
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) >= 1


TRANSACTION_SUITE = '''
import pytest
from django.core.cache import cache
from testproject.shop.models import Product
from testproject.shop.signals import PRODUCT_LIST_CACHE_KEY


@pytest.mark.django_db(transaction=True)
async def test_on_commit_runs(async_api_client):
    cache.set(PRODUCT_LIST_CACHE_KEY, ["stale"])
    await Product.objects.acreate(name="committed", price="1")
    assert cache.get(PRODUCT_LIST_CACHE_KEY) is None
    response = await async_api_client.get("/api/async/products/cached/")
    assert [p["name"] for p in response.data] == ["committed"]


@pytest.mark.django_db(transaction=True)
async def test_counting_in_transactional_tests(async_assert_num_queries):
    async with async_assert_num_queries(1):
        await Product.objects.acount()


@pytest.mark.django_db
async def test_capture_and_count(async_capture_on_commit_callbacks, async_assert_num_queries):
    async with async_capture_on_commit_callbacks() as callbacks:
        with async_assert_num_queries(1):
            await Product.objects.acreate(name="x", price="1")
    assert len(callbacks) == 1


@pytest.mark.django_db
async def test_wrong_count_fails(async_assert_num_queries):
    async with async_assert_num_queries(3):
        await Product.objects.acount()


@pytest.mark.django_db
async def test_admin_client(admin_async_api_client):
    response = await admin_async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "admin"


async def test_factory_fixture(async_api_rf):
    assert async_api_rf.get("/x/").path == "/x/"
'''


def test_transaction_true_commits_and_helpers_work(inner):
    result = inner("auto", source=TRANSACTION_SUITE)
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*Expected to perform 3 queries but 1 were done*"])


def test_isolation_holds_under_xdist(inner):
    result = inner("auto", "-n", "2")
    result.assert_outcomes(passed=3)


def test_missing_pytest_django_fails_only_tests_that_use_our_fixtures(pytester, monkeypatch):
    # Hide pytest-django: a module of that name that fails to import.
    blocker = pytester.mkdir("hide")
    (blocker / "pytest_django.py").write_text("raise ImportError('hidden for this test')\n")
    monkeypatch.setenv("PYTHONPATH", f"{blocker}:{ROOT}")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "testproject.settings")
    pytester.makepyfile(
        """
        def test_without_our_fixtures():
            pass

        def test_with_our_client(async_api_client):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*needs pytest-django*pip install 'restflow-test?pytest?'*"])


def test_pytest_django_without_the_db_helper_is_a_usage_error(pytester, monkeypatch):
    # A pytest-django that lacks the fixture the isolation builds on.
    fake = pytester.mkdir("fake")
    (fake / "pytest_django").mkdir()
    (fake / "pytest_django" / "__init__.py").write_text("")
    (fake / "pytest_django" / "fixtures.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", f"{fake}:{ROOT}")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*_django_db_helper*pytest-django 4.9 or later*"])


LIVE_SERVER_SUITE = '''
import httpx
import pytest
from django.db import connection
from testproject.shop.models import Product


@pytest.mark.parametrize("path", ["/api/products/", "/api/async/products/"])
async def test_both_ways_over_a_file_database(async_live_server, path):
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()
    await Product.objects.acreate(name="from-test", price="1")
    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        assert [p["name"] for p in (await http.get(path)).json()] == ["from-test"]
'''


def test_live_server_with_a_file_sqlite_database(inner, tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("file SQLite only matters on SQLite")
    monkeypatch.setenv("RESTFLOW_TEST_DB_NAME", str(tmp_path / "live.sqlite3"))
    result = inner("auto", source=LIVE_SERVER_SUITE)
    result.assert_outcomes(passed=2)


BLOCKED_SUITE = '''
import pytest
from asgiref.sync import sync_to_async
from testproject.shop.models import Product


@pytest.mark.django_db
async def test_1_db_test_lends_the_connections():
    await Product.objects.acreate(name="x", price="1")


async def test_2_a_later_test_without_db_is_still_blocked():
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        await sync_to_async(Product.objects.count)()


@pytest.mark.django_db
async def test_3_and_a_db_test_after_it_is_isolated_again():
    assert await Product.objects.acount() == 0
'''


def test_the_kept_loan_does_not_open_the_database_to_other_tests(inner):
    result = inner("auto", source=BLOCKED_SUITE)
    result.assert_outcomes(passed=3)


def test_loan_is_kept_between_tests_and_can_be_taken_back(db):
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from restflow_test.sharing import lend_connections_to_executor, take_back_connections

    def executor_default():
        return SyncToAsync.single_thread_executor.submit(lambda: connections["default"]).result()

    main = connections["default"]
    assert executor_default() is main  # lent by the plugin for this db test
    take_back_connections()
    assert executor_default() is not main
    lend_connections_to_executor()
    assert executor_default() is main


CANCELLED_VIEW_SUITE = '''
import asyncio
import pytest
from testproject.shop.models import Product


@pytest.mark.django_db
async def test_1_stops_waiting_for_a_sync_view(async_api_client):
    await async_api_client.get("/api/echo/")  # warm up: the view must start in time
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(async_api_client.post("/api/slow-write/?seconds=0.6"), 0.2)


@pytest.mark.django_db
async def test_2_sees_nothing_of_the_previous_test():
    await asyncio.sleep(1)  # the view, if still running, has written by now
    assert [p.name async for p in Product.objects.all()] == []
'''


def test_a_cancelled_sync_view_does_not_write_into_the_next_test(inner):
    result = inner("auto", source=CANCELLED_VIEW_SUITE)
    result.assert_outcomes(passed=2)


LIVE_SERVER_LEFT_RUNNING_SUITE = '''
import asyncio
import httpx
import pytest
from restflow_test import live_server
from testproject.shop.models import Product


async def test_1_stops_waiting_for_the_live_server(async_live_server):
    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        await http.get("/api/echo/")  # warm up: the view must start before the client goes
        with pytest.raises(httpx.TimeoutException):
            await http.post("/api/slow-write/?seconds=0.8", timeout=0.3)


async def test_2_sees_nothing_of_the_previous_test(async_live_server):
    await asyncio.sleep(1)  # the view, if still running, has written by now
    assert [p.name async for p in Product.objects.all()] == []


async def test_3_outlives_the_wait(async_live_server, monkeypatch):
    monkeypatch.setattr(live_server, "IDLE_TIMEOUT", 0.2)
    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        with pytest.raises(httpx.TimeoutException):
            await http.post("/api/slow-write/?seconds=2", timeout=0.5)
'''


def test_async_live_server_waits_for_requests_the_test_left_running(inner):
    result = inner("auto", source=LIVE_SERVER_LEFT_RUNNING_SUITE)
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_3_outlives_the_wait*",
        "*The live server was still serving POST /api/slow-write/ 0.2 s after the test ended*",
    ])


FORGOTTEN_IN_FIXTURES_SUITE = '''
import pytest


@pytest.fixture
def forgets_in_setup(async_api_client):
    async_api_client.get("/api/echo/")


@pytest.fixture
def forgets_in_teardown(async_api_client):
    yield
    async_api_client.get("/api/async/echo/")


def test_setup(forgets_in_setup):
    pass


def test_teardown(forgets_in_teardown):
    pass


def test_innocent():
    pass
'''


def test_a_forgotten_await_in_a_fixture_fails_its_test(inner):
    result = inner("auto", source=FORGOTTEN_IN_FIXTURES_SUITE)
    result.assert_outcomes(passed=2, errors=2)  # test_teardown passes, then errors
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_setup*",
        "*`client.get('/api/echo/')` (at *test_inner.py:6) was never awaited*",
        "*ERROR at teardown of test_teardown*",
        "*`client.get('/api/async/echo/')` (at *test_inner.py:12) was never awaited*",
    ])


BLAME_SUITE = '''
import gc
import sys
import warnings

import pytest

kept = []


def test_1_keeps_a_pending_request_alive(async_api_client):
    gc.disable()  # no automatic collection before test 3 asks for one
    cycle = [async_api_client.get("/api/echo/?cycle=1")]
    cycle.append(cycle)  # only the cyclic collector can free it


def test_2_reads_status_on_a_coroutine(async_api_client):
    try:
        async_api_client.get("/api/echo/?traceback=1").status_code
    except AttributeError:
        kept.append(sys.exc_info())  # the traceback keeps the request alive


def test_3_innocent_test_collects_them():
    kept.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.enable()
        gc.collect()
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert "client.get('/api/echo/?cycle=1')" in messages[0]
    assert "test_1_keeps_a_pending_request_alive, which had already ended" in messages[0]
'''


def test_a_late_collected_request_never_fails_another_test(inner):
    result = inner("auto", source=BLAME_SUITE)
    result.assert_outcomes(passed=3)


NESTED_COUNT_SUITE = '''
import pytest
from testproject.shop.models import Product


@pytest.mark.django_db
async def test_nested(async_assert_num_queries, async_api_client):
    async with async_assert_num_queries(3):
        await Product.objects.acount()
        async with async_assert_num_queries(1):
            await Product.objects.acount()
        await async_api_client.get("/api/async/products/")
'''


def test_nested_query_counts_keep_the_outer_count(inner):
    result = inner("auto", source=NESTED_COUNT_SUITE)
    result.assert_outcomes(passed=1)



def test_the_loan_is_renewed_when_asgiref_replaces_its_executor(db, monkeypatch):
    from asgiref.sync import SyncToAsync

    from restflow_test.sharing import _swap, lend_connections_to_executor

    lend_connections_to_executor()
    submitted = []

    class Recording(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(fn)
            return super().submit(fn, *args, **kwargs)

    replacement = Recording(max_workers=1)
    monkeypatch.setattr(SyncToAsync, "single_thread_executor", replacement)
    lend_connections_to_executor()
    assert submitted == [_swap]
    lend_connections_to_executor()  # same executor, same connections: nothing to do
    assert submitted == [_swap]
    monkeypatch.undo()
    lend_connections_to_executor()  # back to asgiref's own executor for later tests
    assert submitted == [_swap, _swap]  # the loan came back from the replacement
    replacement.shutdown()
