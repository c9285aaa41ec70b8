"""`client.paginate()`: walking DRF's paginators over real sync and async views."""

import pytest
from asgiref.sync import sync_to_async

from restflow_test.pagination import PaginationError
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db

PAGINATED = [
    "/api/pages/number/", "/api/pages/limit-offset/", "/api/pages/cursor/", "/api/pages/link/",
    "/api/async/pages/number/", "/api/async/pages/limit-offset/", "/api/async/pages/cursor/",
]
NAMES = [f"p{n}" for n in range(5)]


@pytest.fixture
async def five_products(db):
    await sync_to_async(Product.objects.bulk_create)(
        [Product(name=name, price="1.00") for name in NAMES])


@pytest.mark.parametrize("url", PAGINATED)
async def test_paginate_yields_every_item_of_every_page(client, five_products, url):
    assert [item["name"] async for item in client.paginate(url)] == NAMES


@pytest.mark.parametrize("url", PAGINATED)
async def test_paginate_pages_yields_one_response_per_page(client, five_products, url):
    pages = [response async for response in client.paginate_pages(url)]
    assert len(pages) == 3
    assert all(response.status_code == 200 for response in pages)


async def test_an_empty_list_is_one_page_and_no_items(client):
    assert [item async for item in client.paginate("/api/pages/number/")] == []


async def test_first_page_query_parameters_carry_on_through_next_links(client, five_products):
    pages = [r async for r in client.paginate_pages("/api/pages/number/", {"size": 4})]
    assert [len(r.data["results"]) for r in pages] == [4, 1]


async def test_query_string_in_the_path_is_kept(client, five_products):
    names = [item["name"] async for item in client.paginate("/api/pages/limit-offset/?limit=4")]
    assert names == NAMES


async def test_headers_and_host_go_with_every_page(client, five_products):
    pages = client.paginate_pages("/api/pages/number/", HTTP_HOST="api.example.com")
    links = [r.data["next"] async for r in pages]  # DRF builds them from the request's host
    assert links[:2] == ["http://api.example.com/api/pages/number/?page=2",
                         "http://api.example.com/api/pages/number/?page=3"]


async def test_more_pages_than_max_pages_fails_loudly(client, five_products):
    with pytest.raises(PaginationError, match=r"Read 2 pages of `/api/pages/number/`.*`max_pages=`"):
        [item async for item in client.paginate("/api/pages/number/", max_pages=2)]


async def test_exactly_max_pages_is_fine(client, five_products):
    assert len([item async for item in client.paginate("/api/pages/number/", max_pages=3)]) == 5


async def test_an_endless_next_link_stops_at_the_default_cap(client):
    with pytest.raises(PaginationError, match="Read 100 pages"):
        [item async for item in client.paginate("/api/pages/endless/")]


async def test_a_next_link_back_to_a_read_page_is_a_loop(client):
    with pytest.raises(PaginationError, match=r"a page already read: the view's pagination loops"):
        [item async for item in client.paginate("/api/pages/loop/")]


async def test_an_unpaginated_list_says_what_it_got(client, five_products):
    with pytest.raises(PaginationError, match=r"not return a paginated list.*a list of 5 items.*`pagination_class`"):
        [item async for item in client.paginate("/api/pages/unpaginated/")]


async def test_an_object_that_is_no_page_lists_its_keys(client):
    with pytest.raises(PaginationError, match=r"got an object with keys `method`, `path`"):
        [item async for item in client.paginate("/api/echo/")]


async def test_a_failing_page_shows_status_and_body(client):
    with pytest.raises(PaginationError, match=r"GET `/api/products/999/` answered 404, not 200.*No Product matches"):
        [item async for item in client.paginate("/api/products/999/")]


@pytest.mark.parametrize("bad", [0, -1, "10", 2.5, True])
def test_a_bad_max_pages_is_refused_before_any_request(client, bad):
    with pytest.raises(ValueError, match="`max_pages` must be a positive integer"):
        client.paginate("/api/pages/number/", max_pages=bad)


def test_pagination_error_is_an_assertion_error():
    assert issubclass(PaginationError, AssertionError)
