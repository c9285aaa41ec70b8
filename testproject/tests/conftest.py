"""Fixtures a project would write: a user, and a client logged in as them."""

import pytest
import pytest_asyncio

from restflow_test import AsyncAPIClient


@pytest.fixture
def async_client():
    """The project's own name for the client (pytest-django's `async_client` is Django's)."""
    return AsyncAPIClient()


@pytest_asyncio.fixture
async def user(django_user_model):
    return await django_user_model.objects.acreate_user("maria", password="s3cret")


@pytest_asyncio.fixture
async def auth_client(async_client, user):
    await async_client.aforce_login(user)
    return async_client
