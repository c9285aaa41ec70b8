"""Responses: data, json, streaming, aread, exceptions, cookies, forgotten await."""

import asyncio
import warnings

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async
from django.utils.translation import gettext_lazy

from restflow_test import AsyncAPIClient, AsyncAPIRequestFactory
from testproject.shop.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(db):
    return [Product.objects.create(name=name, price="1.00") for name in ("Lamp", "Desk")]


async def test_response_attributes(client, echo_url):
    response = await client.get(echo_url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["method"] == "GET"
    assert response.data["method"] == "GET"
    assert response.asgi_request.path == echo_url
    assert response.resolver_match.url_name in ("echo", "async-echo")
    assert await response.aread() == response.content


async def test_streaming_from_async_generator(client, products):
    response = await client.get("/api/async/products/events/")
    chunks = [chunk async for chunk in response.streaming_content]
    assert chunks[0].startswith(b"event: product")
    assert b'"Desk"' in b"".join(chunks)


async def test_streaming_from_sync_generator_is_async_iterable(client, products):
    response = await client.get("/api/products/export/")
    chunks = [chunk async for chunk in response.streaming_content]
    lamp, desk = products
    assert b"".join(chunks).decode().splitlines() == [
        "id,name,price", f"{lamp.id},Lamp,1.00", f"{desk.id},Desk,1.00"
    ]


async def test_aread_on_streaming_response(client, products):
    response = await client.get("/api/async/products/events/")
    body = await response.aread()
    assert body.endswith(b"event: end\ndata: {}\n\n")
    assert await response.aread() == body  # cached


async def test_head_drops_the_body(client, echo_url):
    response = await client.head(echo_url)
    assert response.status_code == 200
    assert await response.aread() == b""


@pytest.mark.parametrize("url", ["/api/boom/", "/api/async/boom/"])
async def test_view_exceptions_propagate(client, url):
    with pytest.raises(RuntimeError, match="boom"):
        await client.get(url)


async def test_view_exceptions_become_500_when_not_raised(url="/api/async/boom/"):
    response = await AsyncAPIClient(raise_request_exception=False).get(url)
    assert response.status_code == 500


async def test_cookies_persist_across_requests(client, alice):
    await client.alogin(username="alice", password="wonderland")
    first = (await client.get("/api/echo/")).data["user"]
    second = (await client.get("/api/async/echo/")).data["user"]
    assert first == second == "alice"


async def test_reading_a_response_attribute_from_an_unawaited_call_teaches(client):
    pending = client.get("/api/echo/")
    with pytest.raises(AttributeError, match=r"write `response = await client.get\('/api/echo/'\)`"):
        pending.status_code  # noqa: B018
    await pending


async def test_writes_through_client_are_visible_to_the_test(client, alice):
    client.force_authenticate(alice)
    await client.post("/api/products/", {"name": "Chair", "price": "20"})
    assert await Product.objects.filter(name="Chair").aexists()
    assert await sync_to_async(Product.objects.count)() == 1


def test_forgotten_await_fails_the_test(pytester):
    pytester.makepyfile(
        """
        import pytest
        from restflow_test import AsyncAPIClient

        @pytest.mark.asyncio
        async def test_forgets_await():
            AsyncAPIClient().get("/api/echo/")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "default")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*`client.get('/api/echo/')` (at *test_forgotten_await_fails_the_test.py:6) was never awaited*await*"]
    )


async def test_each_request_raises_only_its_own_views_exception():
    quiet = AsyncAPIClient(raise_request_exception=False)
    loud = AsyncAPIClient()
    boom, slow = await asyncio.gather(
        quiet.get("/api/boom/"), loud.get("/api/async/slow/?seconds=0.2")
    )
    assert boom.status_code == 500
    assert slow.status_code == 200


async def test_concurrent_requests_on_one_client_keep_their_exceptions(client):
    results = await asyncio.gather(
        client.get("/api/async/boom/"), client.get("/api/async/slow/?seconds=0.2"),
        return_exceptions=True,
    )
    assert isinstance(results[0], RuntimeError)
    assert results[1].status_code == 200


def test_verbs_look_like_coroutine_functions(echo_url):
    client = AsyncAPIClient()
    assert all(iscoroutinefunction(getattr(client, verb))
               for verb in ("get", "head", "post", "put", "patch", "delete", "options",
                            "trace", "generic"))
    assert not iscoroutinefunction(AsyncAPIRequestFactory().get)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = async_to_sync(client.get)("/api/async/echo/")
    assert response.status_code == 200


async def test_session_in_async_code_points_to_asession(client, alice):
    await client.aforce_login(alice)
    with pytest.raises(RuntimeError, match=r"await client.asession\(\)"):
        client.session  # noqa: B018
    session = await client.asession()
    assert await session.aget("_auth_user_id") == str(alice.pk)


@pytest.mark.urls("tests.urls_probes")
async def test_concurrent_requests_keep_their_own_templates(client):
    a, b = await asyncio.gather(client.get("/t/a/"), client.get("/t/b/"))
    assert [t.name for t in a.templates] == ["a"]
    assert [t.name for t in b.templates] == ["b"]
    assert a.context["name"] == "a" and b.context["name"] == "b"


async def test_resolver_match_under_a_script_name(client):
    response = await client.get("/api/echo/", SCRIPT_NAME="/app")
    assert response.status_code == 200
    assert response.resolver_match.url_name == "echo"


async def test_wsgi_request_is_the_request_for_tests_written_for_sync_clients(client, alice):
    client.force_authenticate(alice)
    response = await client.get("/api/async/echo/")
    assert response.wsgi_request is response.asgi_request
    assert response.wsgi_request.user == alice


async def test_request_fills_in_what_the_scope_leaves_out(client):
    client.cookies["flavour"] = "oat"
    response = await client.request(method="GET", path="/api/echo/")
    assert response.status_code == 200
    assert response.data["host"] == "testserver"
    assert response.data["headers"]["HTTP_COOKIE"] == "flavour=oat"


async def test_trace_takes_data_like_djangos(client):
    response = await client.trace("/api/echo/", data="")
    assert response.status_code == 405  # the view has no TRACE; the call itself works


async def test_lazy_header_values_are_sent_as_text(client, echo_url):
    response = await client.get(echo_url, headers={"Accept-Language": gettext_lazy("fr")})
    assert response.data["headers"]["HTTP_ACCEPT_LANGUAGE"] == "fr"


def test_a_verb_argument_given_where_it_does_not_belong_is_named(client):
    with pytest.raises(ValueError, match=r"get\(\) takes no `content_type=` argument.*no body"):
        client.get("/api/echo/", content_type="application/json")


async def test_requests_leave_no_finalizers_behind(client, echo_url):
    """Putting Django's `close_old_connections` back after each request registers nothing.

    A weak reconnect adds a `weakref.finalize` per signal per request that is never
    freed (the receiver is a module-level function), so a long suite would grow.
    """
    import weakref

    await client.get(echo_url)  # warm up: first-request caches
    before = len(weakref.finalize._registry)  # type: ignore[attr-defined]
    for _ in range(20):
        await client.get(echo_url)
    assert len(weakref.finalize._registry) - before < 5  # type: ignore[attr-defined]
