"""Fixtures the documentation examples share. Copy what you need into your conftest."""

import pytest
import pytest_asyncio
from django.core.cache import cache

from restflow_test import AsyncAPIClient


# --8<-- [start:alias]
@pytest.fixture
def async_client():
    """An AsyncAPIClient under the name pytest-django gives Django's plain AsyncClient."""
    return AsyncAPIClient()
# --8<-- [end:alias]


@pytest_asyncio.fixture
async def user(django_user_model):
    """A user with a known password, for the login examples."""
    return await django_user_model.objects.acreate_user("maria", password="s3cret")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The product list cache is process-wide; start every example without it."""
    cache.clear()
