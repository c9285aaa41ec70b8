"""AsyncAPIRequestFactory + force_authenticate + calling views directly."""

import pytest
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest

from restflow_test import AsyncAPIRequestFactory, force_authenticate
from testproject.shop.views_async import AsyncEchoView, AsyncProductList
from testproject.shop.views_sync import EchoView, ProductViewSet

pytestmark = pytest.mark.django_db


def test_factory_verbs_are_sync_and_build_asgi_requests():
    request = AsyncAPIRequestFactory().post("/anything/", {"a": 1})
    assert isinstance(request, ASGIRequest)
    assert request.META["CONTENT_TYPE"] == "application/json"
    assert request.body == b'{"a":1}'


def test_factory_requests_skip_csrf_unless_enforced():
    assert AsyncAPIRequestFactory().get("/")._dont_enforce_csrf_checks is True
    strict = AsyncAPIRequestFactory(enforce_csrf_checks=True)
    assert strict.get("/")._dont_enforce_csrf_checks is False


def test_factory_wsgi_keys_and_defaults():
    factory = AsyncAPIRequestFactory(HTTP_X_TENANT="acme")
    request = factory.get("/x/", {"q": "1"}, HTTP_AUTHORIZATION="Token t", REMOTE_ADDR="10.0.0.9")
    assert request.META["HTTP_X_TENANT"] == "acme"
    assert request.META["HTTP_AUTHORIZATION"] == "Token t"
    assert request.META["REMOTE_ADDR"] == "10.0.0.9"
    assert request.GET["q"] == "1"


async def test_force_authenticate_on_async_view(alice):
    request = AsyncAPIRequestFactory().post("/api/async/products/", {"name": "Lamp", "price": "12.50"})
    force_authenticate(request, user=alice)
    response = await AsyncProductList.as_view()(request)
    assert response.status_code == 201
    assert response.data["owner"] == "alice"


async def test_force_authenticate_sets_user_and_auth(alice):
    request = AsyncAPIRequestFactory().get("/api/async/echo/")
    force_authenticate(request, user=alice, token="tok-123")
    response = await AsyncEchoView.as_view()(request)
    assert response.data["user"] == "alice"
    assert response.data["auth"] == "tok-123"


async def test_without_force_authenticate_the_view_sees_anonymous():
    request = AsyncAPIRequestFactory().post("/api/async/products/", {"name": "Lamp", "price": "1"})
    response = await AsyncProductList.as_view()(request)
    assert response.status_code == 403


def test_factory_request_to_sync_view_from_sync_code(alice):
    request = AsyncAPIRequestFactory().get("/api/echo/", HTTP_X_API_KEY="k")
    force_authenticate(request, user=alice)
    response = EchoView.as_view()(request)
    assert response.data["user"] == "alice"
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k"


async def test_factory_request_to_sync_viewset_from_async_code(alice):
    request = AsyncAPIRequestFactory().post("/api/products/", {"name": "Desk", "price": "99"})
    force_authenticate(request, user=alice)
    view = ProductViewSet.as_view({"post": "create"})
    response = await sync_to_async(view)(request)
    assert response.status_code == 201
    assert response.data["name"] == "Desk"


def test_factory_builds_requests_from_its_own_scope():
    """No private Django factory API: our scope and body make the request directly."""
    assert "_base_scope" not in vars(AsyncAPIRequestFactory)
    request = AsyncAPIRequestFactory().post("/x/?a=1", {"b": 2}, HTTP_X_K="v")
    assert "_body_file" not in request.scope
    assert request.body == b'{"b":2}'
    assert request.GET["a"] == "1" and request.META["HTTP_X_K"] == "v"


def test_factory_refuses_follow():
    with pytest.raises(TypeError, match="`follow=True` needs a client"):
        AsyncAPIRequestFactory().get("/x/", follow=True)
