"""Forced auth, token credentials and async session login on AsyncAPIClient."""

import asyncio

import pytest
from django.conf import settings
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


async def test_force_authenticate_reaches_views(client, alice, echo_url):
    client.force_authenticate(alice, token="t1")
    response = await client.get(echo_url)
    assert (response.data["user"], response.data["auth"]) == ("alice", "t1")


async def test_force_authenticate_none_clears_forced_user_and_session(client, alice, echo_url):
    await client.aforce_login(alice)
    client.force_authenticate(alice)
    client.force_authenticate(None)
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert (await client.get(echo_url)).data["user"] is None


async def test_token_credentials(client, alice_token, echo_url):
    client.credentials(HTTP_AUTHORIZATION=f"Token {alice_token.key}")
    response = await client.get(echo_url)
    assert response.data["user"] == "alice"


async def test_alogin_uses_the_session(client, alice, echo_url):
    assert await client.alogin(username="alice", password="wonderland") is True
    assert (await client.get(echo_url)).data["user"] == "alice"


async def test_alogin_with_wrong_password_returns_false(client, alice):
    assert await client.alogin(username="alice", password="nope") is False


async def test_aforce_login_then_write(client, alice):
    await client.aforce_login(alice)
    response = await client.post("/api/async/products/", {"name": "Mug", "price": "4.00"})
    assert response.status_code == 201
    assert response.data["owner"] == "alice"


async def test_alogout_clears_session_credentials_and_forced_auth(client, alice, echo_url):
    await client.aforce_login(alice)
    client.credentials(HTTP_X_API_KEY="k")
    client.force_authenticate(alice)
    await client.alogout()
    response = await client.get(echo_url)
    assert response.data["user"] is None
    assert "HTTP_X_API_KEY" not in response.data["headers"]


@pytest.mark.parametrize(
    ("call", "suggestion"),
    [
        (lambda c, u: c.logout(), "await client.alogout()"),
        (lambda c, u: c.force_login(u), "await client.aforce_login()"),
        (lambda c, u: c.login(username="alice", password="x"), "await client.alogin()"),
    ],
)
async def test_sync_session_methods_inside_a_loop_name_the_async_twin(client, alice, call, suggestion):
    with pytest.raises(RuntimeError, match=suggestion.replace("(", r"\(").replace(")", r"\)")):
        call(client, alice)


def test_sync_logout_works_from_sync_code(client, db, django_user_model):
    user = django_user_model.objects.create_user("bob", password="pw")
    client.force_login(user)
    client.logout()
    assert settings.SESSION_COOKIE_NAME not in client.cookies


async def test_session_auth_enforces_csrf_on_writes_when_asked(alice):
    from restflow_test import AsyncAPIClient

    strict = AsyncAPIClient(enforce_csrf_checks=True)
    await strict.aforce_login(alice)
    response = await strict.post("/api/products/", {"name": "Pen", "price": "1"})
    assert response.status_code == 403
    assert "CSRF" in response.data["detail"]


async def test_force_authenticate_none_clears_credentials_like_drf(client, alice_token, echo_url):
    client.credentials(HTTP_AUTHORIZATION=f"Token {alice_token.key}")
    client.force_authenticate(None)
    assert (await client.get(echo_url)).data["user"] is None


def test_force_authenticate_none_makes_no_query(client, alice, django_assert_num_queries):
    client.force_login(alice)
    with django_assert_num_queries(0):
        client.force_authenticate(None)
    assert settings.SESSION_COOKIE_NAME not in client.cookies


async def test_forced_identity_is_the_one_in_force_when_the_verb_was_called(client, alice):
    bob = await User.objects.acreate_user("bob")
    client.force_authenticate(alice)
    first = client.get("/api/async/echo/", HTTP_X_WHO="one")
    client.force_authenticate(bob)
    second = client.get("/api/async/echo/", HTTP_X_WHO="two")
    one, two = await asyncio.gather(first, second)
    assert (one.data["user"], one.data["headers"]["HTTP_X_WHO"]) == ("alice", "one")
    assert (two.data["user"], two.data["headers"]["HTTP_X_WHO"]) == ("bob", "two")
