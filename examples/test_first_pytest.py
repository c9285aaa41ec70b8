import pytest

from testproject.shop.models import Product


@pytest.mark.django_db
async def test_anyone_can_list_products(async_api_client):
    await Product.objects.acreate(name="Lamp", price="12.50")

    response = await async_api_client.get("/api/async/products/")

    assert response.status_code == 200
    assert response.data[0]["name"] == "Lamp"


@pytest.mark.django_db
async def test_logged_in_user_creates_a_product(async_api_client, django_user_model):
    maria = await django_user_model.objects.acreate(username="maria")
    async_api_client.force_authenticate(maria)

    response = await async_api_client.post("/api/products/", {"name": "Desk", "price": "99.00"})

    assert response.status_code == 201
    assert response.data["owner"] == "maria"
