"""Canaries: Django's own bugs that restflow-test works around.

Each test here asserts that a bug is still there. When a Django release fixes it,
the test does not fail: it is reported as skipped with a `canary:` reason (and a
warning), so we know a workaround may be simplified. `pytest -rs` lists them.
"""

import pytest
from django.test import AsyncClient as DjangoAsyncClient
from django.test import TestCase as DjangoTestCase

from testproject.shop.models import Product

from .helpers import canary, problems, run_case

pytestmark = pytest.mark.django_db


@canary("Django's AsyncClient no longer mangles HTTP_* keys; see restflow_test/headers.py")
async def test_django_async_client_mangles_wsgi_keys(echo_url):
    response = await DjangoAsyncClient().get(echo_url, HTTP_X_API_KEY="k1")
    assert "HTTP_X_API_KEY" not in response.json()["headers"]


@canary("Django's async follow handles relative Location; see AsyncAPIClient._follow_redirects")
async def test_django_async_client_breaks_on_relative_location():
    with pytest.raises(KeyError):
        await DjangoAsyncClient().get("/redirect/302/?to=../../api/echo/", follow=True)


@canary("Django's async follow handles 307/308; see AsyncAPIClient._follow_redirects")
async def test_django_async_client_breaks_on_307():
    with pytest.raises(KeyError):
        await DjangoAsyncClient().post("/redirect/307/", {"a": 1}, follow=True)


@pytest.fixture
def unblocked(transactional_db):
    """A database with no transaction open, so an inner unittest run manages its own."""


@canary("Django's captureOnCommitCallbacks works in async tests; see restflow_test/db.py")
def test_djangos_own_capture_sees_nothing_in_async_tests(unblocked):
    captured = []

    class Case(DjangoTestCase):
        async def test_it(self):
            with self.captureOnCommitCallbacks() as callbacks:
                await Product.objects.acreate(name="A", price="1")
            captured.append(len(callbacks))

    run_case(Case)
    assert captured == [0]


@canary("Django's assertNumQueries works in async tests; see restflow_test/db.py")
def test_djangos_own_assert_num_queries_raises_in_async_tests(unblocked):
    class Case(DjangoTestCase):
        async def test_it(self):
            with self.assertNumQueries(1):
                await Product.objects.acount()

    result = run_case(Case)
    assert "SynchronousOnlyOperation" in problems(result)[0]


@canary("this line is what a fixed bug looks like")
def _fixed_bug():
    assert 1 == 2, "the bug is gone"


def test_a_canary_whose_bug_is_fixed_reports_instead_of_failing():
    with pytest.warns(Warning, match="canary: this line"), pytest.raises(pytest.skip.Exception):
        _fixed_bug()
