"""Fixtures the documentation examples share. Copy what you need into your conftest."""

import pytest
from django.core.cache import cache

# The demo suite's fixtures, reused: `async_client` (an AsyncAPIClient under the name
# pytest-django gives Django's plain AsyncClient) and `user` (maria, password s3cret).
from testproject.tests.conftest import async_client, user  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_cache():
    """The product list cache is process-wide; start every example without it."""
    cache.clear()
