"""Examples for docs/contract-testing.md."""

import pytest
from django.test import override_settings

from restflow_test import AsyncAPIClient, AsyncAPITestCase, ContractError
from testproject.shop.models import Product


# --8<-- [start:client]
@pytest.fixture
def api():
    """Every request and response is checked against the project's schema."""
    return AsyncAPIClient(schema="drf-spectacular")


@pytest.mark.django_db
async def test_list_products(api):
    await Product.objects.acreate(name="Lamp", price="12.50")
    response = await api.get("/api/async/products/")  # raises ContractError on drift
    assert response.data[0]["name"] == "Lamp"
# --8<-- [end:client]


# --8<-- [start:error]
async def test_a_drifting_view_fails_with_a_precise_message(api):
    with pytest.raises(ContractError) as caught:
        await api.get("/api/broken-product/")
    assert str(caught.value).startswith(
        "GET /api/broken-product/ → 200: the response body at `/id` breaks rule `type`: "
        "'seven' is not of type 'integer'."
    )
    error = caught.value  # the same facts, for assertions of your own
    assert (error.method, error.path, error.status) == ("GET", "/api/broken-product/", 200)
    assert (error.part, error.pointer, error.rule) == ("response", "/id", "type")
# --8<-- [end:error]


# --8<-- [start:opt-out]
@pytest.mark.django_db
async def test_bad_input_gets_a_documented_400(api, user):
    api.force_authenticate(user)
    # The request breaks the schema on purpose; the 400 response is still checked.
    with api.contract_disabled(response=False):
        response = await api.post("/api/async/products/", {"name": "Desk", "price": "cheap"})
    assert response.status_code == 400
# --8<-- [end:opt-out]


# --8<-- [start:testcase]
@override_settings(RESTFLOW_TEST_SCHEMA="drf-spectacular")
class ProductContractTests(AsyncAPITestCase):
    async def test_missing_product_is_a_documented_404(self):
        response = await self.client.get("/api/async/products/999/")  # validated
        assert response.status_code == 404
# --8<-- [end:testcase]


# --8<-- [start:coverage]
def test_coverage_can_be_read_in_any_runner():
    from restflow_test.contract import contract_coverage, format_coverage

    AsyncAPIClient(schema="drf-spectacular")  # some client validated in this process
    report = contract_coverage()  # what this process exercised, per schema
    assert any(s["schema"] == "the drf-spectacular schema" for s in report["schemas"])
    print(format_coverage(report))  # e.g. at the end of a unittest run
# --8<-- [end:coverage]
