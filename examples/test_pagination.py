"""Examples for docs/pagination.md: walking a paginated list."""

import pytest
from asgiref.sync import sync_to_async

from restflow_test.pagination import PaginationError
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
async def products(db):
    await sync_to_async(Product.objects.bulk_create)(
        [Product(name=f"p{n}", price="1.00") for n in range(5)])


# --8<-- [start:items]
async def test_every_product_is_listed_once(async_client, products):
    # Two products a page: three requests, following each page's `next` link.
    names = [item["name"] async for item in async_client.paginate("/api/pages/cursor/")]
    assert names == ["p0", "p1", "p2", "p3", "p4"]
# --8<-- [end:items]


# --8<-- [start:pages]
async def test_page_sizes(async_client, products):
    pages = async_client.paginate_pages("/api/pages/number/", {"size": 4})
    assert [len(page.data["results"]) async for page in pages] == [4, 1]
# --8<-- [end:pages]


# --8<-- [start:cap]
async def test_a_list_longer_than_the_cap_fails(async_client, products):
    with pytest.raises(PaginationError, match="Read 2 pages"):
        async for _ in async_client.paginate("/api/pages/number/", max_pages=2):
            pass
# --8<-- [end:cap]
