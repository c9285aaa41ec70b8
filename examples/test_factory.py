"""Examples for docs/factory.md: one view, called directly, no middleware."""

import pytest
from asgiref.sync import sync_to_async

from restflow_test import AsyncAPIRequestFactory, force_authenticate
from testproject.shop.views_async import AsyncProductList
from testproject.shop.views_sync import ProductViewSet

pytestmark = pytest.mark.django_db


# --8<-- [start:async_view]
async def test_create_with_the_factory(django_user_model):
    maria = await django_user_model.objects.acreate(username="maria")
    factory = AsyncAPIRequestFactory()

    request = factory.post("/api/async/products/", {"name": "Lamp", "price": "12.50"})
    force_authenticate(request, user=maria)
    response = await AsyncProductList.as_view()(request)

    assert response.status_code == 201
    assert response.data["owner"] == "maria"
# --8<-- [end:async_view]


# --8<-- [start:sync_view]
async def test_a_sync_view_from_an_async_test(async_api_rf, django_user_model):
    maria = await django_user_model.objects.acreate(username="maria")
    create = ProductViewSet.as_view({"post": "create"})

    request = async_api_rf.post("/api/products/", {"name": "Desk", "price": "99.00"})
    force_authenticate(request, user=maria, token="a-token")
    response = await sync_to_async(create)(request)

    assert response.status_code == 201
# --8<-- [end:sync_view]
