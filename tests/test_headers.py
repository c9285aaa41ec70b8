"""WSGI-style keys reach request.META under their own names, everywhere."""

import pytest

from restflow_test import AsyncAPIClient

pytestmark = pytest.mark.django_db


async def test_per_request_wsgi_keys_reach_meta(client, echo_url):
    response = await client.get(echo_url, HTTP_X_API_KEY="k1", HTTP_AUTHORIZATION="Bearer x")
    headers = response.data["headers"]
    assert headers["HTTP_X_API_KEY"] == "k1"
    assert headers["HTTP_AUTHORIZATION"] == "Bearer x"
    assert "HTTP_HTTP_X_API_KEY" not in headers


async def test_constructor_defaults_reach_meta(echo_url):
    client = AsyncAPIClient(HTTP_X_TENANT="acme", headers={"X-Trace": "t1"})
    headers = (await client.get(echo_url)).data["headers"]
    assert headers["HTTP_X_TENANT"] == "acme"
    assert headers["HTTP_X_TRACE"] == "t1"


async def test_credentials_reach_meta(client, echo_url):
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")
    assert (await client.get(echo_url)).data["headers"]["HTTP_AUTHORIZATION"] == "Bearer abc"
    client.credentials()
    assert "HTTP_AUTHORIZATION" not in (await client.get(echo_url)).data["headers"]


async def test_headers_argument_takes_http_names(client, echo_url):
    response = await client.get(echo_url, headers={"Authorization": "Bearer h", "X-Api-Key": "k"})
    assert response.data["headers"]["HTTP_AUTHORIZATION"] == "Bearer h"
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k"


async def test_precedence_headers_over_extra_over_credentials_over_defaults(echo_url):
    client = AsyncAPIClient(HTTP_X_LAYER="default", HTTP_X_A="default", HTTP_X_B="default",
                            HTTP_X_C="default")
    client.credentials(HTTP_X_LAYER="credentials", HTTP_X_A="credentials",
                       HTTP_X_B="credentials")
    response = await client.get(echo_url, HTTP_X_LAYER="extra", HTTP_X_A="extra",
                                headers={"X-Layer": "headers"})
    headers = response.data["headers"]
    assert headers["HTTP_X_LAYER"] == "headers"
    assert headers["HTTP_X_A"] == "extra"
    assert headers["HTTP_X_B"] == "credentials"
    assert headers["HTTP_X_C"] == "default"


async def test_http_host_sets_host_for_get_host(client, echo_url):
    response = await client.get(echo_url, HTTP_HOST="api.example.com")
    assert response.data["host"] == "api.example.com"
    assert response.data["headers"]["HTTP_HOST"] == "api.example.com"


async def test_constructor_http_host_is_used(echo_url):
    client = AsyncAPIClient(HTTP_HOST="api.example.com")
    assert (await client.get(echo_url)).data["host"] == "api.example.com"


async def test_disallowed_host_is_rejected_by_allowed_hosts(client, echo_url):
    response = await client.get(echo_url, HTTP_HOST="evil.example.org")
    assert response.status_code == 400


async def test_headers_host_replaces_default_instead_of_joining(client, echo_url):
    response = await client.get(echo_url, headers={"Host": "api.example.com"})
    assert response.status_code == 200
    assert response.data["host"] == "api.example.com"


async def test_remote_addr_server_and_query_string(client, echo_url):
    response = await client.get(
        echo_url, REMOTE_ADDR="10.1.2.3", SERVER_NAME="internal", SERVER_PORT="8080",
        QUERY_STRING="a=1&a=2", HTTP_HOST="testserver",
    )
    assert response.data["remote_addr"] == "10.1.2.3"
    assert response.data["server"] == ["internal", "8080"]
    assert response.data["query"] == {"a": ["1", "2"]}


async def test_server_name_without_host_sets_host_like_wsgi(client):
    response = await client.get("/api/echo/", SERVER_NAME="api.example.com")
    assert response.data["host"] == "api.example.com"


async def test_non_header_environ_keys_reach_meta(client, echo_url):
    response = await client.get(echo_url, REMOTE_USER="bob")
    assert response.data["remote_user"] == "bob"


async def test_content_type_extra_is_not_duplicated(client, echo_url):
    response = await client.post(echo_url, {"a": 1}, CONTENT_TYPE="application/json")
    assert response.status_code == 200
    assert response.data["headers"]["CONTENT_TYPE"] == "application/json"
    assert response.data["data"] == {"a": 1}


async def test_explicit_content_type_header_replaces_renderers(client, echo_url):
    response = await client.post(echo_url, {"a": 1}, headers={"Content-Type": "application/json"})
    assert response.data["headers"]["CONTENT_TYPE"] == "application/json"


async def test_query_params_on_every_verb(client, echo_url):
    for verb in ("get", "post", "put", "patch", "delete", "options"):
        response = await getattr(client, verb)(echo_url, query_params={"page": "2"})
        assert response.data["query"] == {"page": ["2"]}, verb


async def test_query_params_constructor_default(echo_url):
    client = AsyncAPIClient(query_params={"lang": "en"})
    assert (await client.get(echo_url)).data["query"] == {"lang": ["en"]}


async def test_query_in_path_is_kept_without_data(client, echo_url):
    assert (await client.get(f"{echo_url}?q=x")).data["query"] == {"q": ["x"]}


async def test_get_data_becomes_query_string(client, echo_url):
    response = await client.get(echo_url, {"tag": ["a", "b"], "n": 1})
    assert response.data["query"] == {"tag": ["a", "b"], "n": ["1"]}


async def test_data_and_query_params_together_on_get_is_an_error(client):
    with pytest.raises(ValueError, match="only one"):
        await client.get("/api/echo/", {"a": 1}, query_params={"b": 2})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"HTTP_X_BAD": "line\r\nbreak"}, "line break"),
        ({"HTTP_X_BAD": "caf\u00e9\u2603"}, "latin-1"),
        ({"HTTP_": "empty"}, "valid HTTP header name"),
        ({"headers": {"Bad Name": "x"}}, "valid HTTP header name"),
        ({"HTTP_X_BAD": object()}, "must be a str"),
    ],
)
def test_bad_headers_raise_before_sending(client, kwargs, match):
    # Raised by the call itself, before there is a coroutine to await: nothing is sent.
    with pytest.raises(ValueError, match=match):
        client.get("/api/echo/", **kwargs)


def test_bad_constructor_default_raises_at_construction():
    with pytest.raises(ValueError, match="line break"):
        AsyncAPIClient(HTTP_X_BAD="a\nb")


@pytest.mark.parametrize("key", ["AUTHORIZATION", "x-api-key", "REMOTE_ADDR"])
def test_credentials_reject_non_header_keys(key):
    with pytest.raises(ValueError, match="HTTP_") as excinfo:
        AsyncAPIClient().credentials(**{key: "x"})
    assert key in str(excinfo.value)


def test_credentials_hint_for_dashed_names():
    with pytest.raises(ValueError, match="Did you mean `HTTP_X_API_KEY`"):
        AsyncAPIClient().credentials(**{"x-api-key": "x"})


async def test_concurrent_requests_keep_their_own_headers(client, echo_url):
    import asyncio

    responses = await asyncio.gather(
        *(client.get(echo_url, HTTP_X_N=str(n)) for n in range(60))
    )
    assert [r.data["headers"]["HTTP_X_N"] for r in responses] == [str(n) for n in range(60)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"authorization": "Token x"}, r"'authorization'.*headers=\{'Authorization': \.\.\.\}.*HTTP_AUTHORIZATION="),
        ({"fromat": "json"}, r"'fromat'.*Did you mean `format=`\?"),
        ({"X-Api-Key": "k"}, r"'X-Api-Key'.*headers=\{'X-Api-Key': \.\.\.\}.*HTTP_X_API_KEY="),
    ],
)
def test_keyword_arguments_that_are_not_environ_keys_are_refused(client, kwargs, match):
    with pytest.raises(ValueError, match=match):
        client.post("/api/echo/", {"a": 1}, **kwargs)


def test_constructor_refuses_keyword_arguments_that_are_not_environ_keys():
    with pytest.raises(ValueError, match=r"AsyncAPIClient\(\) got the keyword argument 'accept'"):
        AsyncAPIClient(accept="application/json")


async def test_upper_case_cgi_keys_still_work(client, echo_url):
    response = await client.get(
        echo_url, HTTP_X_API_KEY="k", REMOTE_ADDR="10.1.2.3", SERVER_NAME="api.example.com",
        REMOTE_USER="bob", **{"wsgi.url_scheme": "https"},
    )
    assert response.data["headers"]["HTTP_X_API_KEY"] == "k"
    assert response.data["remote_addr"] == "10.1.2.3"
    assert response.data["remote_user"] == "bob"
    assert response.data["scheme"] == "https"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("/api/echo/", {"a": None}),
        lambda c: c.head("/api/echo/", query_params={"a": None}),
        lambda c: c.post("/api/echo/", {}, query_params={"a": [None]}),
    ],
)
def test_none_in_a_query_string_is_a_type_error(client, call):
    with pytest.raises(TypeError, match="Cannot encode None for key 'a'"):
        call(client)


def test_none_in_constructor_query_params_is_a_type_error():
    with pytest.raises(TypeError, match="Cannot encode None"):
        AsyncAPIClient(query_params={"a": None})


async def test_absolute_url_sets_host_and_scheme(client, echo_url):
    response = await client.get(f"https://api.example.com{echo_url}?q=1")
    assert response.data["host"] == "api.example.com"
    assert response.data["scheme"] == "https"
    assert response.data["server"] == ["api.example.com", "443"]
    assert response.data["query"] == {"q": ["1"]}


async def test_absolute_url_beats_constructor_host_but_not_the_requests_own(echo_url):
    client = AsyncAPIClient(HTTP_HOST="localhost")
    assert (await client.get(f"http://api.example.com:8000{echo_url}")).data["host"] == (
        "api.example.com:8000")
    response = await client.get(f"http://api.example.com{echo_url}", HTTP_HOST="localhost")
    assert response.data["host"] == "localhost"
