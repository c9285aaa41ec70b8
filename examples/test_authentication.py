"""Examples for docs/authentication.md: the five ways to be someone in a test."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


async def test_forced(async_api_client, user):
    # --8<-- [start:forced]
    async_api_client.force_authenticate(user)  # token=... sets request.auth as well
    response = await async_api_client.post("/api/products/", {"name": "Desk", "price": "9"})
    assert response.data["owner"] == "maria"

    async_api_client.force_authenticate()  # anonymous again
    response = await async_api_client.post("/api/products/", {"name": "Desk", "price": "9"})
    assert response.status_code == 403
    # --8<-- [end:forced]


async def test_token_header(async_api_client, user):
    # --8<-- [start:token]
    # Obtain a token the way a real client does, then send it on every request.
    response = await async_api_client.post(
        "/api/token/", {"username": "maria", "password": "s3cret"}
    )
    async_api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")

    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "maria"
    assert response.data["auth"] == (await Token.objects.aget(user=user)).key
    # --8<-- [end:token]


async def test_session_forced(async_api_client, user):
    # --8<-- [start:aforce_login]
    await async_api_client.aforce_login(user)  # a real session, no password check
    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "maria"
    assert "sessionid" in async_api_client.cookies
    # --8<-- [end:aforce_login]


async def test_session_login(async_api_client, user):
    # --8<-- [start:alogin]
    assert await async_api_client.alogin(username="maria", password="s3cret")
    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "maria"

    await async_api_client.alogout()  # also drops credentials() and forced auth
    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] is None
    # --8<-- [end:alogin]
