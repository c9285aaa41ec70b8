"""Fixtures a project would write: a user, and a client logged in as them."""

import pytest
import pytest_asyncio

from restflow_test import AsyncAPIClient


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
