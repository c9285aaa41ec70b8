import pytest
import pytest_asyncio
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from restflow_test import AsyncAPIClient

ECHO_URLS = ["/api/echo/", "/api/async/echo/"]


@pytest.fixture(params=ECHO_URLS, ids=["sync-view", "async-view"])
def echo_url(request):
    """The echo endpoint, once as a sync DRF view and once as an adrf view."""
    return request.param


@pytest.fixture
def client():
    return AsyncAPIClient()


@pytest_asyncio.fixture
async def alice(db):
    return await User.objects.acreate_user("alice", password="wonderland")


@pytest_asyncio.fixture
async def alice_token(alice):
    return await Token.objects.acreate(user=alice)
