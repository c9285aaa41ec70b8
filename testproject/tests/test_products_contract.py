"""The product API, checked against its published schema (drf-spectacular).

Every request and response below is validated: a view that drifts from what the schema
documents fails these tests with a `ContractError`.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from restflow_test import AsyncAPIClient, ContractError
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    """A client that validates against the project's generated schema."""
    return AsyncAPIClient(schema="drf-spectacular")


async def test_list_matches_the_schema(api):
    await Product.objects.acreate(name="Lamp", price="12.50")
    response = await api.get("/api/async/products/")
    assert [p["name"] for p in response.data] == ["Lamp"]


async def test_create_and_read_back(api, user):
    api.force_authenticate(user)
    created = await api.post("/api/async/products/", {"name": "Desk", "price": "99.00"})
    assert created.status_code == 201
    response = await api.get(f"/api/products/{created.data['id']}/")
    assert response.data["owner"] == "maria"


async def test_anonymous_create_gets_the_documented_403(api):
    response = await api.post("/api/products/", {"name": "Desk", "price": "99.00"})
    assert response.status_code == 403


async def test_missing_product_gets_the_documented_404(api):
    assert (await api.get("/api/async/products/999/")).status_code == 404


async def test_bad_input_on_purpose_still_gets_a_documented_400(api, user):
    api.force_authenticate(user)
    with api.contract_disabled(response=False):  # the request breaks the schema on purpose
        response = await api.post("/api/async/products/", {"name": "Desk", "price": "cheap"})
    assert response.status_code == 400


async def test_owner_updates_and_deletes(api, user):
    product = await Product.objects.acreate(name="Chair", price="20.00", owner=user)
    api.force_authenticate(user)
    response = await api.patch(f"/api/async/products/{product.pk}/", {"price": "25.00"})
    assert response.data["price"] == "25.00"
    assert (await api.delete(f"/api/products/{product.pk}/")).status_code == 204


async def test_upload_is_documented_as_multipart(api, user):
    api.force_authenticate(user)
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = await api.post("/api/uploads/", {"file": upload, "tags": ["a", "b"]}, format="multipart")
    assert response.data == {"name": "notes.txt", "size": 5, "tags": ["a", "b"]}


async def test_token_login(api, user):
    response = await api.post("/api/token/", {"username": "maria", "password": "s3cret"})
    assert response.data["token"]


async def test_a_view_that_drifts_from_its_schema_fails(api):
    with pytest.raises(ContractError, match=r"GET /api/broken-product/ → 200: the response body at `/id` breaks rule `type`"):
        await api.get("/api/broken-product/")
