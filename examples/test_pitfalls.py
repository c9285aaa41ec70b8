"""Examples for docs/pitfalls.md: the mistakes restflow-test turns into clear errors."""

import asyncio

import pytest

from restflow_test import AsyncAPIRequestFactory, force_authenticate
from testproject.shop.views_async import AsyncEchoView, AsyncProductList

pytestmark = pytest.mark.django_db


async def test_forgotten_await(async_api_client):
    # --8<-- [start:forgotten_await]
    pending = async_api_client.get("/api/async/echo/")  # no await: nothing is sent
    with pytest.raises(AttributeError, match="write `response = await"):
        assert pending.status_code == 200  # the mistake: a coroutine has no status
    # Left like this, the test would fail when `pending` is collected, naming the call.
    response = await pending
    assert response.status_code == 200
    # --8<-- [end:forgotten_await]


async def test_format_and_content_type(async_api_client):
    # --8<-- [start:format_vs_content_type]
    # format= renders with a DRF renderer; content_type= sends bytes you encoded.
    with pytest.raises(AssertionError, match="not set both"):
        await async_api_client.post(
            "/api/async/echo/", {"a": 1}, format="json", content_type="application/json"
        )
    with pytest.raises(ValueError, match="yaml"):
        await async_api_client.post("/api/async/echo/", {"a": 1}, format="yaml")
    # --8<-- [end:format_vs_content_type]


async def test_factory_has_no_middleware(user):
    # --8<-- [start:no_middleware]
    factory = AsyncAPIRequestFactory()
    request = factory.get("/api/async/echo/")
    assert not hasattr(request, "session")  # no SessionMiddleware ...
    assert not hasattr(request, "user")  # ... and no AuthenticationMiddleware

    request = factory.post("/api/async/products/", {"name": "Lamp", "price": "1"})
    force_authenticate(request, user=user)  # the factory's way to be someone
    response = await AsyncProductList.as_view()(request)
    assert response.status_code == 201
    # --8<-- [end:no_middleware]
    response = await AsyncEchoView.as_view()(factory.get("/api/async/echo/"))
    assert response.data["user"] is None


async def test_keyword_that_is_not_an_environ_key(async_api_client):
    # --8<-- [start:environ_keys]
    # Extra keyword arguments become request.META entries: they must be environ keys.
    with pytest.raises(ValueError, match="Did you mean `format=`"):
        await async_api_client.post("/api/async/echo/", {"a": 1}, fromat="json")
    with pytest.raises(ValueError, match=r"headers=.*HTTP_X_API_KEY="):
        await async_api_client.get("/api/async/echo/", x_api_key="k1")
    response = await async_api_client.get(
        "/api/async/echo/", headers={"X-Api-Key": "k1"}
    )  # or HTTP_X_API_KEY="k1"
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k1"
    # --8<-- [end:environ_keys]


async def test_session_in_async_code(async_api_client, user):
    # --8<-- [start:asession]
    await async_api_client.aforce_login(user)
    with pytest.raises(RuntimeError, match=r"await client.asession\(\)"):
        async_api_client.session  # noqa: B018  (sync: it would query the session store)
    session = await async_api_client.asession()
    assert await session.aget("_auth_user_id") == str(user.pk)
    # --8<-- [end:asession]


async def test_a_request_you_stop_waiting_for(async_api_client):
    # --8<-- [start:cancelled]
    await async_api_client.get("/api/echo/")
    # The sync view keeps running after the timeout: asgiref cannot stop it.
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(async_api_client.post("/api/slow-write/?seconds=0.3"), 0.1)
    # At the end of the test, restflow-test waits for it before rolling back, so its
    # row never lands in the next test.
    # --8<-- [end:cancelled]
