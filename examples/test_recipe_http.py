"""Examples for docs/recipe-http-mocking.md: respx mocks outgoing calls of async views."""

import httpx
import pytest
import respx

from restflow_test import AsyncAPILiveServerTestCase
from testproject.shop.models import Product
from testproject.shop.views_recipes import RATES_URL


# --8<-- [start:client]
@pytest.mark.django_db
async def test_the_price_is_converted_with_the_current_rate(async_client, respx_mock):
    rates = respx_mock.get(RATES_URL, params={"to": "EUR"}).respond(json={"rate": "0.5"})
    lamp = await Product.objects.acreate(name="Lamp", price="10.00")

    response = await async_client.get(f"/api/async/products/{lamp.pk}/price/?currency=EUR")

    assert response.data == {"currency": "EUR", "price": "5.000"}
    assert rates.call_count == 1


@pytest.mark.django_db
async def test_a_failing_rate_service_is_a_server_error(async_client, respx_mock):
    respx_mock.get(RATES_URL).respond(status_code=503)
    lamp = await Product.objects.acreate(name="Lamp", price="10.00")

    with pytest.raises(httpx.HTTPStatusError):  # raise_request_exception: the view's error
        await async_client.get(f"/api/async/products/{lamp.pk}/price/")
# --8<-- [end:client]


# --8<-- [start:live_server]
async def test_over_the_wire_only_the_rate_service_is_mocked(async_live_server, respx_mock):
    respx_mock.route(host="127.0.0.1").pass_through()  # requests to the live server are real
    respx_mock.get(RATES_URL).respond(json={"rate": "2"})
    lamp = await Product.objects.acreate(name="Lamp", price="10.00")

    async with httpx.AsyncClient(base_url=async_live_server.url) as http:
        response = await http.get(f"/api/async/products/{lamp.pk}/price/")

    assert response.json() == {"currency": "EUR", "price": "20.00"}
# --8<-- [end:live_server]


# --8<-- [start:testcase]
class ConvertedPriceOverTheWireTests(AsyncAPILiveServerTestCase):
    async def test_the_server_uses_the_mocked_rate(self):
        lamp = await Product.objects.acreate(name="Lamp", price="10.00")
        with respx.mock:
            respx.route(host="127.0.0.1").pass_through()
            respx.get(RATES_URL).respond(json={"rate": "3"})
            async with httpx.AsyncClient(base_url=self.live_server_url) as http:
                response = await http.get(f"/api/async/products/{lamp.pk}/price/")
        self.assertEqual(response.json()["price"], "30.00")
# --8<-- [end:testcase]
