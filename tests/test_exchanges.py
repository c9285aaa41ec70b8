"""Failure reports: each test's HTTP exchanges, shown when it fails (pytest, unittest)."""

import argparse
import asyncio
import contextvars
import inspect
import os
import subprocess
import sys

import pytest
import pytest_asyncio
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from restflow_test import AsyncAPITestCase
from restflow_test.exchanges import (
    current_recorder,
    exchanges_option,
    kept_exchanges,
    recording,
)
from testproject.shop.models import Product

from .helpers import ROOT, run_case, use_test_project


# -- recording, in this (outer) pytest run ----------------------------------------------
@pytest_asyncio.fixture
async def fetched(client):
    return await client.get("/api/echo/?made_by=fixture")


async def test_requests_made_by_async_fixtures_are_recorded(fetched):
    assert list(current_recorder().responses) == [fetched]


async def test_gathered_requests_are_all_recorded(client):
    await asyncio.gather(*(client.get("/api/echo/", {"n": n}) for n in range(5)))
    recorded = [r.asgi_request.GET["n"] for r in current_recorder().responses]
    assert sorted(recorded) == ["0", "1", "2", "3", "4"]


async def test_every_redirect_hop_is_recorded(client):
    await client.get("/redirect/302/", follow=True)
    assert [r.status_code for r in current_recorder().responses] == [302, 200]


async def test_a_client_used_outside_any_test_records_nothing(client):
    outside = contextvars.Context()  # the context code outside any test runs in
    task = outside.run(asyncio.ensure_future, client.get("/api/echo/"))
    response = await task
    assert response.status_code == 200
    assert outside.run(current_recorder) is None
    assert current_recorder().seen == 0


async def test_only_the_last_exchanges_are_kept_and_the_rest_counted(client):
    with recording(2) as recorder:
        for n in range(3):
            await client.get("/api/echo/", {"n": n})
    report = recorder.report()
    assert report.startswith("(1 earlier exchanges not kept: `RESTFLOW_EXCHANGES` keeps the "
                             "last 2)\n\n#2\n> GET /api/echo/?n=1")
    assert "n=0" not in report and "#3\n> GET /api/echo/?n=2" in report


async def test_recording_formats_nothing(client, monkeypatch):
    formatted = []
    monkeypatch.setattr("restflow_test.report.format_exchange", formatted.append)
    await client.get("/api/echo/")
    assert current_recorder().seen == 1 and formatted == []


async def test_a_report_that_cannot_be_built_still_names_the_status(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("cannot format")

    with recording(5) as recorder:
        await client.get("/api/echo/")
    monkeypatch.setattr("restflow_test.report.format_exchange", broken)
    assert recorder.report() == (
        "#1\n< 200 OK\n(could not show this exchange: ValueError('cannot format'))")


@pytest.mark.parametrize("value", [-1, 2.5, "10", True])
def test_a_bad_setting_is_refused(value):
    with override_settings(RESTFLOW_EXCHANGES=value):
        with pytest.raises(ImproperlyConfigured, match="`RESTFLOW_EXCHANGES` must be a whole"):
            kept_exchanges()


def test_a_bad_command_line_value_is_refused():
    assert exchanges_option("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="whole number"):
        exchanges_option("-1")


# -- unittest: the exchanges are appended to the failure -----------------------------
@pytest.fixture
def unblocked(transactional_db):
    """A database with no transaction open, so an inner unittest run manages its own."""


class FailingCase(AsyncAPITestCase):
    __test__ = False  # run by the tests below, not collected on its own

    async def test_create(self):
        self.client.credentials(HTTP_AUTHORIZATION="Token s3cr3t-token")
        response = await self.client.post(
            "/api/echo/", {"username": "ann", "password": "hunter2", "bio": "x" * 5000})
        self.assertEqual(response.status_code, 201)

    async def test_in_a_subtest(self):
        await self.client.get("/api/echo/?step=1")
        with self.subTest(step=1):
            self.fail("failed in a subtest")


def run_outside_pytest(case, *names):
    """Run a unittest case as `manage.py test` would: no pytest recorder around it."""
    return contextvars.Context().run(run_case, case, *names)


def test_unittest_failure_shows_the_exchanges_masked_and_cut(unblocked):
    result = run_outside_pytest(FailingCase, "test_create")
    ((_, text),) = result.failures
    assert "AssertionError: 403 != 201" in text
    exchanges = text.split("HTTP exchanges (newest last):\n\n", 1)[1]
    assert exchanges.startswith("#1\n> POST /api/echo/\n")
    assert "> Authorization: Token ***" in exchanges and "< 403 Forbidden" in exchanges
    assert '"password": "***"' in exchanges and "more bytes not shown)" in exchanges
    assert "hunter2" not in text and "s3cr3t-token" not in text


def test_unittest_subtest_failure_shows_the_exchanges(unblocked):
    result = run_outside_pytest(FailingCase, "test_in_a_subtest")
    ((_, text),) = result.failures
    assert "failed in a subtest" in text and "#1\n> GET /api/echo/?step=1" in text


def test_unittest_reports_are_off_with_the_setting_at_zero(unblocked):
    with override_settings(RESTFLOW_EXCHANGES=0):
        result = run_outside_pytest(FailingCase, "test_create")
    ((_, text),) = result.failures
    assert "403 != 201" in text and "HTTP exchanges" not in text


def test_the_result_object_is_given_back_unchanged(unblocked):
    result = run_outside_pytest(FailingCase, "test_create")
    assert not {"addFailure", "addError", "addSubTest"} & set(vars(result))


def test_under_pytest_the_unittest_failure_is_left_to_pytests_report(unblocked):
    result = run_case(FailingCase, "test_create")  # inside this test's recorder
    ((_, text),) = result.failures
    assert "HTTP exchanges" not in text
    assert current_recorder().seen == 1  # pytest's report would show it


# -- query counts point at the test's own line ----------------------------------------
def test_unittest_query_count_failure_names_the_test_line(unblocked):
    lines = {}

    class Case(AsyncAPITestCase):
        async def test_async_with(self):
            lines["async_with"] = inspect.currentframe().f_lineno + 1
            async with self.aassertNumQueries(3):
                await Product.objects.acount()

        async def test_with(self):
            lines["with"] = inspect.currentframe().f_lineno + 1
            with self.assertNumQueries(3):
                await Product.objects.acount()

        def test_callable(self):
            lines["callable"] = inspect.currentframe().f_lineno + 1
            self.assertNumQueries(3, Product.objects.count)

    result = run_case(Case)
    texts = {test._testMethodName.removeprefix("test_"): text for test, text in result.failures}
    for form, line in lines.items():
        assert f"in the block at tests/test_exchanges.py:{line}\n" in texts[form], texts[form]


@pytest.mark.django_db
async def test_pytest_query_count_failure_names_the_test_line(async_assert_num_queries):
    with pytest.raises(pytest.fail.Exception) as failure:
        line = inspect.currentframe().f_lineno + 1
        async with async_assert_num_queries(3):
            await Product.objects.acount()
    assert f"1 were done, in the block at tests/test_exchanges.py:{line}\n" in str(failure.value)


# -- pytest: a report section of the failed test, from a real inner run -------------------
INNER_SUITE = '''
import pytest
import pytest_asyncio

from restflow_test import AsyncAPIClient, AsyncAPITestCase
from restflow_test.exchanges import current_recorder


@pytest_asyncio.fixture
async def warmed(db):
    client = AsyncAPIClient()
    await client.get("/api/echo/?made_by=fixture")
    return client


async def test_1_fails(warmed):
    warmed.credentials(HTTP_AUTHORIZATION="Token s3cr3t-token")
    response = await warmed.post(
        "/api/echo/", {"username": "ann", "password": "hunter2", "bio": "x" * 5000})
    assert response.status_code == 201


async def test_2_passes_with_only_its_own_exchanges(warmed):
    recorder = current_recorder()  # None with --restflow-exchanges=0
    assert recorder is None or [r.asgi_request.get_full_path() for r in recorder.responses] == [
        "/api/echo/?made_by=fixture"]


class TestCaseStyle(AsyncAPITestCase):
    async def test_3_fails(self):
        response = await self.client.get("/api/echo/?style=unittest")
        self.assertEqual(response.status_code, 404)


@pytest_asyncio.fixture
async def broken(db):
    response = await AsyncAPIClient().get("/api/echo/?made_by=broken_fixture")
    raise RuntimeError(f"fixture failed after a {response.status_code}")


async def test_4_errors_in_set_up(broken):
    pass
'''


@pytest.fixture
def inner(pytester, monkeypatch):
    use_test_project(pytester, monkeypatch, "reports")
    pytester.makepyfile(test_inner=INNER_SUITE)

    def run(*args):
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly",
                                             "-rA", *args)

    return run


def _sections(output, title):
    """The texts of the report sections called `title` (each up to the next rule)."""
    texts = [part.split("\n", 1)[1] for part in output.split(f" {title} ")[1:]]
    return [text.split("\n___")[0].split("\n---")[0].split("\n===")[0] for text in texts]


def test_a_failing_test_report_shows_its_exchanges_masked_and_cut(inner):
    result = inner()
    result.assert_outcomes(passed=1, failed=2, errors=1)
    output = result.stdout.str()
    # failed tests only, in order: the error in set-up is reported first
    set_up, section, unittest_section = _sections(output, "HTTP exchanges (newest last)")
    assert set_up.startswith("#1\n> GET /api/echo/?made_by=broken_fixture\n< 200 OK")
    assert section.startswith("#1\n> GET /api/echo/?made_by=fixture\n")  # the fixture's
    assert "#2\n> POST /api/echo/\n> Content-Type: application/json\n" in section
    assert "> Authorization: Token ***" in section and "< 403 Forbidden" in section
    assert '"password": "***"' in section and "more bytes not shown)" in section
    assert "hunter2" not in section and "s3cr3t-token" not in section
    # The unittest-style test gets the same section, and no second copy in its failure.
    assert unittest_section.startswith("#1\n> GET /api/echo/?style=unittest\n")
    assert "HTTP exchanges (newest last):" not in output


def test_the_command_line_switch_turns_reports_off(inner):
    result = inner("--restflow-exchanges=0")
    result.assert_outcomes(passed=1, failed=2, errors=1)
    assert "HTTP exchanges" not in result.stdout.str()


def test_reports_cross_from_xdist_workers(inner):
    result = inner("-n", "2")
    result.assert_outcomes(passed=1, failed=2, errors=1)
    assert len(_sections(result.stdout.str(), "HTTP exchanges (newest last)")) == 3


# -- Django's test runner (`manage.py test`), serial and --parallel -------------------------
DJANGO_SUITE = '''
from restflow_test import AsyncAPITestCase


class FirstTests(AsyncAPITestCase):
    async def test_fails(self):
        response = await self.client.post("/api/echo/", {"password": "hunter2"})
        self.assertEqual(response.status_code, 201)


class SecondTests(AsyncAPITestCase):
    async def test_passes(self):
        response = await self.client.get("/api/echo/")
        self.assertEqual(response.status_code, 200)
'''


@pytest.mark.parametrize("parallel", ["1", "2"])
def test_djangos_test_runner_shows_the_exchanges(tmp_path, parallel):
    if parallel != "1":
        pytest.importorskip("tblib", reason="Django's parallel runner needs tblib to report")
    (tmp_path / "test_django_inner.py").write_text(DJANGO_SUITE)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{tmp_path}",
           "DJANGO_SETTINGS_MODULE": "testproject.settings"}
    env.pop("RESTFLOW_TEST_DB_NAME", None)
    if env.get("DATABASE_URL"):
        env["RESTFLOW_TEST_DB_NAME"] = f"test_restflow_runner_{os.getpid()}"
    result = subprocess.run(
        [sys.executable, "-m", "django", "test", "test_django_inner", "--noinput",
         "--parallel", parallel],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )
    assert "Ran 2 tests" in result.stderr and "FAILED (failures=1)" in result.stderr, (
        result.stderr)
    failure, exchanges = result.stderr.split("HTTP exchanges (newest last):\n\n")
    assert "AssertionError: 200 != 201" in failure
    assert exchanges.startswith("#1\n> POST /api/echo/\n")
    assert '"password": "***"' in exchanges and "hunter2" not in exchanges
