import functools
import inspect
import os
import unittest
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def use_test_project(pytester, monkeypatch, label, asyncio_mode="auto"):
    """Set up an inner pytest run (pytester subprocess) on the test project.

    The run imports `testproject` from the repository, builds a test database of its
    own (`label` and our pid in its name, so parallel runs do not collide) and runs
    async tests in `asyncio_mode`; call `write_pytest_ini()` again to change the mode.
    """
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "testproject.settings")
    monkeypatch.setenv("RESTFLOW_TEST_DB_NAME", f"test_restflow_{label}_{os.getpid()}")
    write_pytest_ini(pytester, asyncio_mode)


def write_pytest_ini(pytester, asyncio_mode):
    pytester.makeini(
        "[pytest]\n"
        f"asyncio_mode = {asyncio_mode}\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )


def run_case(case_class, *names):
    """Run some tests of a TestCase class in-process; return the unittest result."""
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite(
        [case_class(name) for name in names] if names else loader.loadTestsFromTestCase(case_class)
    )
    result = unittest.TestResult()
    suite.run(result)
    return result


def problems(result):
    return [text for _, text in result.errors + result.failures]


class CanaryWarning(UserWarning):
    """A Django bug we work around seems to be fixed."""


def canary(fixed_means):
    """Mark a test that asserts one of Django's own bugs.

    While the bug is there the test passes. When the assertion no longer holds, the
    test is skipped with a `canary:` reason and a warning instead of failing:
    `fixed_means` says what to revisit.
    """

    def report(error):
        message = f"canary: {fixed_means} ({type(error).__name__}: {error})"
        warnings.warn(message, CanaryWarning, stacklevel=3)
        pytest.skip(message)

    def decorate(test):
        if inspect.iscoroutinefunction(test):
            @functools.wraps(test)
            async def run_async(*args, **kwargs):
                try:
                    await test(*args, **kwargs)
                except (AssertionError, pytest.fail.Exception) as error:
                    report(error)

            return run_async

        @functools.wraps(test)
        def run(*args, **kwargs):
            try:
                test(*args, **kwargs)
            except (AssertionError, pytest.fail.Exception) as error:
                report(error)

        return run

    return decorate
