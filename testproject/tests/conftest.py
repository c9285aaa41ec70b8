"""Fixtures a project would write: a user, a client logged in as them, an empty cache."""

import pytest
import pytest_asyncio
from django.core.cache import cache

from restflow_test import AsyncAPIClient


@pytest.fixture(autouse=True)
def _empty_cache():
    """The product list cache is process-wide; start every test without it.

    A test rolls back its rows, not the cache: a list cached by an earlier test in the
    same process would answer `X-Cache: hit` where a test expects a miss.
    """
    cache.clear()


# --8<-- [start:alias]
@pytest.fixture
def async_client():
    """An AsyncAPIClient under the name pytest-django gives Django's plain AsyncClient."""
    return AsyncAPIClient()
# --8<-- [end:alias]


@pytest_asyncio.fixture
async def user(django_user_model):
    return await django_user_model.objects.acreate_user("maria", password="s3cret")


@pytest_asyncio.fixture
async def auth_client(async_client, user):
    await async_client.aforce_login(user)
    return async_client
