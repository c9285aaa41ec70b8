"""The product API tested in pytest style: async tests, fixtures, real isolation."""

import pytest

from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


async def test_anyone_can_list_products(async_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    response = await async_client.get("/api/async/products/")
    assert response.status_code == 200
    assert [p["name"] for p in response.data] == ["Lamp"]


async def test_anonymous_users_cannot_create(async_client):
    response = await async_client.post("/api/async/products/", {"name": "Desk", "price": "99"})
    assert response.status_code == 403


async def test_logged_in_user_creates_a_product(auth_client):
    response = await auth_client.post("/api/async/products/", {"name": "Desk", "price": "99.00"})
    assert response.status_code == 201
    assert response.data["owner"] == "maria"
    assert await Product.objects.filter(name="Desk").aexists()


async def test_only_the_owner_may_change_a_product(async_client, user, django_user_model):
    product = await Product.objects.acreate(name="Chair", price="20", owner=user)
    stranger = await django_user_model.objects.acreate_user("sam")
    async_client.force_authenticate(stranger)
    response = await async_client.patch(f"/api/products/{product.pk}/", {"price": "1"})
    assert response.status_code == 403


async def test_token_authentication(async_client, user):
    response = await async_client.post(
        "/api/token/", {"username": "maria", "password": "s3cret"}, format="multipart"
    )
    async_client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    response = await async_client.post("/api/products/", {"name": "Pen", "price": "2"})
    assert response.status_code == 201


async def test_cached_list_is_invalidated_on_commit(async_client, async_capture_on_commit_callbacks):
    assert (await async_client.get("/api/async/products/cached/"))["X-Cache"] == "miss"
    assert (await async_client.get("/api/async/products/cached/"))["X-Cache"] == "hit"
    async with async_capture_on_commit_callbacks(execute=True) as callbacks:
        await Product.objects.acreate(name="Lamp", price="12.50")
    assert len(callbacks) == 1
    response = await async_client.get("/api/async/products/cached/")
    assert response["X-Cache"] == "miss"
    assert [p["name"] for p in response.data] == ["Lamp"]


async def test_listing_costs_one_query(async_client, async_assert_num_queries):
    await Product.objects.acreate(name="Lamp", price="12.50")
    async with async_assert_num_queries(1):
        await async_client.get("/api/async/products/")


async def test_csv_export_streams(async_client):
    await Product.objects.acreate(name="Lamp", price="12.50")
    response = await async_client.get("/api/products/export/")
    body = await response.aread()
    assert body.decode().splitlines()[1].endswith("Lamp,12.50")
