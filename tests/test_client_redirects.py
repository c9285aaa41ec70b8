"""follow=True: relative Location, method rules, cycles, redirect_chain."""

from urllib.parse import quote

import pytest
from django.test.client import RedirectCycleError

pytestmark = pytest.mark.django_db


async def test_follow_302_to_get(client):
    response = await client.get("/api/old-products/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/api/products/", 302)]


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_post_redirect_becomes_get_without_body(client, status):
    response = await client.post(f"/redirect/{status}/", {"a": 1}, follow=True)
    assert response.data["method"] == "GET"
    assert response.data["data"] == {}
    assert "CONTENT_TYPE" not in response.data["headers"]
    assert response.redirect_chain == [("/api/echo/", status)]


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
async def test_307_308_repeat_method_and_body(client, status, method):
    response = await getattr(client, method)(
        f"/redirect/{status}/?to=/api/async/echo/", {"a": 1}, follow=True
    )
    assert response.data["method"] == method.upper()
    assert response.data["data"] == {"a": 1}
    assert response.data["headers"]["CONTENT_TYPE"] == "application/json"


async def test_relative_location_resolves_against_request_url(client):
    response = await client.get("/redirect/302/?to=../../api/echo/%3Fx%3D1", follow=True)
    assert response.status_code == 200
    assert response.data["path"] == "/api/echo/"
    assert response.redirect_chain == [("../../api/echo/?x=1", 302)]


async def test_absolute_location_switches_host(client):
    response = await client.get(
        "/redirect/302/?to=http://api.example.com/api/echo/", follow=True
    )
    assert response.data["host"] == "api.example.com"


async def test_redirect_loop_raises_redirect_cycle_error(client):
    with pytest.raises(RedirectCycleError, match="loop"):
        await client.get("/redirect/loop/", follow=True)


async def test_without_follow_the_redirect_is_returned(client):
    response = await client.get("/api/old-products/")
    assert response.status_code == 302
    assert response["Location"] == "/api/products/"


async def test_headers_are_kept_across_redirects(client):
    response = await client.get("/api/old-products/", follow=True, HTTP_X_API_KEY="k")
    assert response.status_code == 200
    assert response.asgi_request.META["HTTP_X_API_KEY"] == "k"


async def test_a_303_then_a_307_repeats_the_bodiless_get(client):
    target = quote("/redirect/307/?to=/api/echo/")
    response = await client.post(f"/redirect/303/?to={target}", {"a": 1}, follow=True)
    assert response.status_code == 200
    assert response.data["method"] == "GET"
    assert "CONTENT_TYPE" not in response.data["headers"]


@pytest.mark.urls("tests.urls_probes")
async def test_relative_location_resolves_against_the_encoded_path(client):
    response = await client.get("/d/a%3Fb/", follow=True)
    assert response.content == b"a?b"
    assert response.redirect_chain == [("next/", 302)]
