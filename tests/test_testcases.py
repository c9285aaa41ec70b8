"""The test-case bases: async lifecycle, DB assertions in async tests, misuse errors."""

import asyncio
import threading
import time
import unittest

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import connections, transaction

from restflow_test import (
    AsyncAPIClient,
    AsyncAPISimpleTestCase,
    AsyncAPITestCase,
    AsyncAPITransactionTestCase,
    testcases,
)
from testproject.shop.models import Product
from testproject.shop.signals import PRODUCT_LIST_CACHE_KEY

from .helpers import problems, run_case


@pytest.fixture
def unblocked(transactional_db):
    """A database with no transaction open, so an inner unittest run manages its own."""


def test_clients_are_async_api_clients(unblocked):
    seen = []

    class Case(AsyncAPITestCase):
        def test_it(self):
            seen.extend([type(self.client), type(self.async_client)])

    assert run_case(Case).wasSuccessful()
    assert seen == [AsyncAPIClient, AsyncAPIClient]


def test_async_setup_test_and_teardown_share_one_loop(unblocked):
    loops = []

    class Case(AsyncAPITestCase):
        async def asyncSetUp(self):
            loops.append(asyncio.get_running_loop())

        async def test_it(self):
            loops.append(asyncio.get_running_loop())

        async def asyncTearDown(self):
            loops.append(asyncio.get_running_loop())

    assert run_case(Case).wasSuccessful()
    assert len(loops) == 3 and len(set(map(id, loops))) == 1


def test_async_setup_runs_for_sync_tests_too(unblocked):
    calls = []

    class Case(AsyncAPISimpleTestCase):
        async def asyncSetUp(self):
            calls.append("setup")

        def test_sync(self):
            calls.append("test")

        async def asyncTearDown(self):
            calls.append("teardown")

    assert run_case(Case).wasSuccessful()
    assert calls == ["setup", "test", "teardown"]


def test_asetuptestdata_rows_are_visible_then_rolled_back(unblocked):
    class Case(AsyncAPITestCase):
        @classmethod
        async def asetUpTestData(cls):
            cls.lamp = await Product.objects.acreate(name="Lamp", price="1")

        async def test_visible_to_views(self):
            response = await self.client.get("/api/async/products/")
            self.assertEqual([p["name"] for p in response.data], ["Lamp"])

        async def test_instance_is_a_copy_per_test(self):
            self.lamp.name = "changed"

        async def test_sees_original(self):
            self.assertEqual(self.lamp.name, "Lamp")

    # The copy test runs first on purpose: the last test must still see the original.
    result = run_case(Case, "test_visible_to_views", "test_instance_is_a_copy_per_test",
                      "test_sees_original")
    assert result.wasSuccessful(), problems(result)
    assert result.testsRun == 3
    assert Product.objects.count() == 0


def test_capture_on_commit_in_async_tests(unblocked):
    captured = {}

    class Case(AsyncAPITestCase):
        async def test_with_form(self):
            with self.captureOnCommitCallbacks() as callbacks:
                await Product.objects.acreate(name="A", price="1")  # awaited ORM call
            captured["with"] = len(callbacks)

        async def test_async_with_form_and_views(self):
            self.client.force_authenticate(await self._user())
            cache.set(PRODUCT_LIST_CACHE_KEY, ["stale"])
            async with self.acaptureOnCommitCallbacks(execute=True) as callbacks:
                await self.client.post("/api/products/", {"name": "B", "price": "1"})
            captured["async with"] = len(callbacks)
            captured["cache after"] = cache.get(PRODUCT_LIST_CACHE_KEY)

        async def _user(self):
            from django.contrib.auth.models import User

            return await User.objects.acreate(username="u")

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)
    assert captured == {"with": 1, "async with": 1, "cache after": None}


def test_assert_num_queries_in_async_tests(unblocked):
    class Case(AsyncAPITestCase):
        async def test_with_form(self):
            with self.assertNumQueries(2):
                await Product.objects.acreate(name="A", price="1")
                await Product.objects.acount()

        async def test_async_with_form_counts_views(self):
            async with self.aassertNumQueries(1):
                await self.client.get("/api/async/products/")

        async def test_wrong_count_fails(self):
            async with self.aassertNumQueries(5):
                await Product.objects.acount()

    result = run_case(Case)
    assert len(result.errors) == 0, problems(result)
    assert len(result.failures) == 1
    assert "1 queries executed on 'default', 5 expected" in result.failures[0][1]
    assert "SELECT COUNT(*)" in result.failures[0][1]


def test_transaction_base_commits_and_runs_on_commit(unblocked):
    class Case(AsyncAPITransactionTestCase):
        async def test_it(self):
            cache.set(PRODUCT_LIST_CACHE_KEY, ["stale"])
            await Product.objects.acreate(name="A", price="1")
            self.assertIsNone(cache.get(PRODUCT_LIST_CACHE_KEY))
            async with self.aassertNumQueries(1):
                await Product.objects.acount()

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)


def test_forgotten_await_fails_a_testcase_test(unblocked):
    class Case(AsyncAPISimpleTestCase):
        async def test_it(self):
            self.client.get("/api/echo/")

    result = run_case(Case)
    assert "`client.get('/api/echo/')` (at " in problems(result)[0]
    assert "test_testcases.py" in problems(result)[0]
    assert "was never awaited" in problems(result)[0]


def test_database_query_in_simple_test_case_fails(unblocked):
    class Case(AsyncAPISimpleTestCase):
        async def test_it(self):
            await Product.objects.acount()

    assert "Database queries to 'default' are not allowed" in problems(run_case(Case))[0]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("def asyncSetUp(self): pass", "asyncSetUp must be defined with `async def`.*`setUp`"),
        ("async def setUp(self): pass", "setUp is `async def`.*rename it to `asyncSetUp`"),
        ("async def tearDown(self): pass", "rename it to `asyncTearDown`"),
        ("def asyncTearDown(self): pass", "asyncTearDown must be defined with `async def`"),
        ("async def asetUpTestData(cls): pass", "must be a classmethod"),
    ],
)
def test_misdeclared_lifecycle_methods_fail_at_class_creation(body, match):
    namespace = {}
    with pytest.raises(TypeError, match=match):
        exec(f"class Case(AsyncAPITestCase):\n    {body}", {"AsyncAPITestCase": AsyncAPITestCase}, namespace)


@pytest.mark.parametrize("base", [AsyncAPISimpleTestCase, AsyncAPITransactionTestCase])
def test_asetuptestdata_needs_the_rollback_base(base):
    async def asetUpTestData(cls):
        pass

    with pytest.raises(TypeError, match="only runs on AsyncAPITestCase"):
        type("Case", (base,), {"asetUpTestData": classmethod(asetUpTestData)})


def test_capture_on_bases_where_it_cannot_work(unblocked):
    errors = []

    class Simple(AsyncAPISimpleTestCase):
        async def test_it(self):
            with pytest.raises(TypeError, match="no database") as info:
                self.acaptureOnCommitCallbacks()
            errors.append(str(info.value))

    class Transaction(AsyncAPITransactionTestCase):
        async def test_it(self):
            with pytest.raises(TypeError, match="commits for real") as info:
                self.acaptureOnCommitCallbacks()
            errors.append(str(info.value))

    assert run_case(Simple).wasSuccessful() and run_case(Transaction).wasSuccessful()
    assert len(errors) == 2


def test_no_thread_is_left_behind(unblocked):
    class Case(AsyncAPITestCase):
        async def test_it(self):
            await self.client.get("/api/async/echo/")

    # The first run starts what lives for the process (asgiref's executor); each run
    # may leave its closed loop's idle worker until the next one replaces it. What
    # must not happen is growth: a thread per test.
    assert run_case(Case).wasSuccessful()
    before = threading.active_count()
    for _ in range(5):
        assert run_case(Case).wasSuccessful()
    deadline = time.monotonic() + 5  # a closed loop's idle worker exits on its own time
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before, [t.name for t in threading.enumerate()]
    assert all(c.connection is None or c.in_atomic_block is False for c in connections.all())


def test_skipped_async_test_runs_no_set_up(unblocked):
    calls = []

    class Case(AsyncAPITestCase):
        def setUp(self):
            calls.append("setUp")

        async def asyncSetUp(self):
            calls.append("asyncSetUp")

        @unittest.skip("not today")
        async def test_skipped(self):
            calls.append("test")

    result = run_case(Case)
    assert [reason for _, reason in result.skipped] == ["not today"]
    assert calls == []


def test_expected_failure_is_reported_as_expected(unblocked):
    class Case(AsyncAPITestCase):
        @unittest.expectedFailure
        async def test_known_bug(self):
            self.assertEqual(1, 2)

        @unittest.expectedFailure
        def test_sync_known_bug(self):
            self.assertEqual(1, 2)

    result = run_case(Case)
    assert len(result.expectedFailures) == 2, problems(result)
    assert result.wasSuccessful()


def test_sync_test_without_async_lifecycle_runs_no_event_loop(unblocked, monkeypatch):
    loops = []
    original = testcases.async_to_sync
    monkeypatch.setattr(testcases, "async_to_sync",
                        lambda f: loops.append(f) or original(f))

    class Case(AsyncAPITestCase):
        def test_sync(self):
            pass

    assert run_case(Case).wasSuccessful()
    assert loops == []


def test_nested_query_counts_keep_the_outer_count(unblocked):
    class Case(AsyncAPITestCase):
        async def test_it(self):
            async with self.aassertNumQueries(3):
                await Product.objects.acount()
                async with self.aassertNumQueries(1):
                    await Product.objects.acount()
                await self.client.get("/api/async/products/")

    result = run_case(Case)
    assert result.wasSuccessful(), problems(result)


def test_a_cancelled_sync_view_finishes_before_the_rollback(unblocked):
    class Case(AsyncAPITestCase):
        async def test_1_stops_waiting(self):
            await self.client.get("/api/echo/")
            with self.assertRaises(asyncio.TimeoutError):
                await asyncio.wait_for(self.client.post("/api/slow-write/?seconds=0.4"), 0.1)

        async def test_2_sees_nothing(self):
            await asyncio.sleep(0.6)
            self.assertEqual(await Product.objects.acount(), 0)

    result = run_case(Case, "test_1_stops_waiting", "test_2_sees_nothing")
    assert result.wasSuccessful(), problems(result)
    assert Product.objects.count() == 0


def test_forgotten_await_in_sync_teardown_fails_the_test(unblocked):
    class Case(AsyncAPITestCase):
        def tearDown(self):
            self.client.get("/api/echo/?in=teardown")

        async def test_it(self):
            pass

    result = run_case(Case)
    assert len(result.failures) == 1
    assert "`client.get('/api/echo/?in=teardown')`" in result.failures[0][1]


def test_assert_redirects_in_async_and_sync_tests(unblocked):
    class Case(AsyncAPITestCase):
        async def test_async_fetches_the_target(self):
            response = await self.client.get("/redirect/302/?to=/api/echo/",
                                              HTTP_X_TRACE="t1")
            await self.aassertRedirects(response, "/api/echo/")

        async def test_async_followed(self):
            response = await self.client.get("/redirect/302/?to=/api/echo/", follow=True)
            self.assertRedirects(response, "/api/echo/")

        async def test_async_relative_without_fetch(self):
            response = await self.client.get("/redirect/302/?to=../../api/echo/")
            self.assertRedirects(response, "/api/echo/", fetch_redirect_response=False)

        async def test_async_sync_form_that_must_fetch_says_await(self):
            response = await self.client.get("/redirect/302/?to=/api/echo/")
            with self.assertRaisesRegex(TypeError, r"await self.aassertRedirects"):
                self.assertRedirects(response, "/api/echo/")

        async def test_async_wrong_target_status_fails(self):
            response = await self.client.get("/redirect/302/?to=/api/async/boom/")
            self.client.raise_request_exception = False
            await self.aassertRedirects(response, "/api/async/boom/")

    result = run_case(Case)
    assert len(result.failures) == 1, problems(result)
    assert "test_async_wrong_target_status_fails" in str(result.failures[0][0])
    assert "response code was 500 (expected 200)" in result.failures[0][1]
    assert len(result.errors) == 0, problems(result)


def test_sync_capture_in_an_async_test_points_to_async_with(unblocked):
    class Case(AsyncAPITestCase):
        async def test_it(self):
            with self.captureOnCommitCallbacks(execute=True):
                await sync_to_async(transaction.on_commit)(Product.objects.count)

    result = run_case(Case)
    assert "use `async with self.acaptureOnCommitCallbacks(execute=True):`" in problems(result)[0]
