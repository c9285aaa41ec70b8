"""Examples for docs/client.md: every section of that page includes one block here."""

import asyncio

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


async def test_verbs_and_formats(async_api_client, django_user_model):
    async_api_client.force_authenticate(await django_user_model.objects.acreate(username="ann"))
    # --8<-- [start:verbs]
    # JSON by default: the body is rendered by DRF's JSONRenderer.
    response = await async_api_client.post("/api/products/", {"name": "Desk", "price": "99.00"})
    assert response.status_code == 201
    assert response.data["name"] == "Desk"

    # Any renderer in TEST_REQUEST_RENDERER_CLASSES, by name.
    upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8 not really a jpeg")
    response = await async_api_client.post(
        "/api/uploads/", {"file": upload, "tags": ["new", "sale"]}, format="multipart"
    )
    assert response.data == {"name": "photo.jpg", "size": 20, "tags": ["new", "sale"]}

    # A body you encoded yourself: content_type= sends it as it is.
    response = await async_api_client.post(
        "/api/async/echo/", b"name=Lamp", content_type="application/x-www-form-urlencoded"
    )
    assert response.data["data"] == {"name": "Lamp"}

    # GET data and query_params= become the query string.
    response = await async_api_client.get("/api/async/echo/", query_params={"page": 2})
    assert response.data["query"] == {"page": ["2"]}
    # --8<-- [end:verbs]


async def test_headers(async_api_client):
    # --8<-- [start:headers]
    # WSGI-style keys, as with DRF's APIClient, arrive under their own names ...
    response = await async_api_client.get(
        "/api/async/echo/", HTTP_AUTHORIZATION="Bearer abc", HTTP_X_API_KEY="k1"
    )
    assert response.data["headers"]["HTTP_AUTHORIZATION"] == "Bearer abc"
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k1"

    # ... and so do HTTP names passed as headers=.
    response = await async_api_client.get("/api/async/echo/", headers={"X-Api-Key": "k2"})
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k2"

    # The host ALLOWED_HOSTS and request.get_host() see.
    response = await async_api_client.get("/api/async/echo/", HTTP_HOST="api.example.com")
    assert response.data["host"] == "api.example.com"
    # --8<-- [end:headers]


async def test_credentials(async_api_client, django_user_model):
    # --8<-- [start:credentials]
    ann = await django_user_model.objects.acreate(username="ann")
    token = await Token.objects.acreate(user=ann)

    async_api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")  # every request
    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] == "ann"

    async_api_client.credentials()  # forget them
    response = await async_api_client.get("/api/async/echo/")
    assert response.data["user"] is None
    # --8<-- [end:credentials]


async def test_redirects(async_api_client):
    # --8<-- [start:redirects]
    # 307 repeats the method and the body; 302 would turn the POST into a GET.
    response = await async_api_client.post(
        "/redirect/307/?to=/api/async/echo/", {"name": "Lamp"}, follow=True
    )
    assert response.data["method"] == "POST"
    assert response.data["data"] == {"name": "Lamp"}
    assert response.redirect_chain == [("/api/async/echo/", 307)]
    # --8<-- [end:redirects]


async def test_streaming(async_api_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    # --8<-- [start:streaming]
    # Server-sent events from an async generator, read chunk by chunk.
    response = await async_api_client.get("/api/async/products/events/")
    events = [chunk async for chunk in response.streaming_content]
    assert events[0].startswith(b"event: product\n")

    # A CSV streamed from a sync generator that queries the database: same interface.
    response = await async_api_client.get("/api/products/export/")
    body = await response.aread()  # the whole body, for any response
    assert body.decode().splitlines()[1] == f"{(await Product.objects.aget()).pk},Lamp,12.50"
    # --8<-- [end:streaming]


async def test_responses(async_api_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    # --8<-- [start:responses]
    response = await async_api_client.get("/api/async/products/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.data[0]["price"] == "12.50"  # DRF's Response.data
    assert response.json() == response.data  # parsed from the bytes sent
    assert response.resolver_match.url_name == "async-products"
    # --8<-- [end:responses]


async def test_concurrent_requests(async_api_client):
    # --8<-- [start:concurrency]
    first, second = await asyncio.gather(
        async_api_client.get("/api/async/echo/", HTTP_X_N="1"),
        async_api_client.get("/api/async/echo/", HTTP_X_N="2"),
    )
    assert first.data["headers"]["HTTP_X_N"] == "1"
    assert second.data["headers"]["HTTP_X_N"] == "2"
    # --8<-- [end:concurrency]


async def test_absolute_urls_and_uploads(async_api_client, user):
    # --8<-- [start:absolute_url]
    response = await async_api_client.get("https://api.example.com/api/async/echo/")
    assert response.data["host"] == "api.example.com"
    assert response.data["scheme"] == "https"
    # --8<-- [end:absolute_url]
    # --8<-- [start:uploads]
    async_api_client.force_authenticate(user)
    upload = SimpleUploadedFile("prices.csv", b"lamp,12.50\n")
    # No format=: a body with a file goes as multipart, as with DRF's APIClient.
    response = await async_api_client.post("/api/uploads/", {"file": upload})
    assert response.status_code == 201
    assert response.data["name"] == "prices.csv"
    # --8<-- [end:uploads]
