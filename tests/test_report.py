"""How one exchange reads in a failure: masked secrets, pretty JSON, cut bodies."""

import io

import pytest
from django.contrib.auth.models import User
from rest_framework.response import Response

from restflow_test import assert_status
from restflow_test.report import format_exchange, mask_data, masked_header
from testproject.shop.models import Product


async def test_request_line_headers_and_json_bodies_are_shown(client):
    response = await client.post("/api/async/products/", {"name": "Lamp", "price": "x"},
                                 headers={"Accept-Language": "fr"})
    text = format_exchange(response)
    assert text.startswith("> POST /api/async/products/\n")
    assert "> Accept-Language: fr" in text
    assert '{\n  "name": "Lamp",\n  "price": "x"\n}' in text  # pretty-printed
    assert "< 403 Forbidden" in text  # anonymous: the response that explains it
    assert '"detail": "Authentication credentials were not provided."' in text


async def test_auth_and_api_key_headers_are_masked(client, db):
    client.credentials(HTTP_AUTHORIZATION="Token abc123", HTTP_X_API_KEY="k-999")
    text = format_exchange(await client.get("/api/echo/"))
    assert "> Authorization: Token ***" in text
    assert "> X-Api-Key: ***" in text
    assert "abc123" not in text and "k-999" not in text


async def test_json_fields_named_like_secrets_are_masked_at_any_depth(client):
    body = {"user": {"username": "ann", "password": "hunter2"},
            "keys": [{"api_key": "k1", "label": "ci"}], "refresh_token": "r1"}
    text = format_exchange(await client.post("/api/echo/", body))
    for secret in ("hunter2", "k1", "r1"):
        assert secret not in text
    assert '"username": "ann"' in text and '"label": "ci"' in text
    assert '"password": "***"' in text


async def test_form_fields_and_query_parameters_named_like_secrets_are_masked(client):
    response = await client.post("/api/echo/?access_token=q1&page=2",
                                 {"username": "ann", "password": "hunter2"}, format="multipart")
    text = format_exchange(response)
    assert "> POST /api/echo/?access_token=***&page=2" in text
    assert "username=ann\npassword=***\n< 200 OK" in text  # one line per multipart field
    assert "hunter2" not in text and "q1" not in text

    form = await client.post("/api/echo/", "username=ann&password=hunter2",
                             content_type="application/x-www-form-urlencoded")
    assert "username=ann&password=***" in format_exchange(form)


async def test_session_cookie_shows_its_name_only(client, db):
    user = await User.objects.acreate_user("ann", password="pw")
    await client.aforce_login(user)
    text = format_exchange(await client.get("/api/echo/"))
    session = client.cookies["sessionid"].value
    assert "> Cookie: sessionid=***" in text
    assert session not in text  # not in the header, nor echoed back in the JSON body


async def test_set_cookie_shows_cookie_names_only(client, db):
    await User.objects.acreate_user("ann", password="pw")
    response = await client.post("/api-auth/login/", {"username": "ann", "password": "pw"},
                                 format="multipart")
    text = format_exchange(response)
    assert "< Set-Cookie: sessionid=***" in text
    assert response.cookies["sessionid"].value not in text


async def test_long_bodies_are_cut_with_the_bytes_left_out(client):
    text = format_exchange(await client.post("/api/echo/", {"note": "é" * 3000}))
    request_body = text.split("\n< ")[0]
    assert "é" * 1900 in request_body
    assert "more bytes not shown)" in request_body
    left_out = int(request_body.rsplit("... (", 1)[1].split()[0])
    shown = request_body.split("\n", 2)[2].rsplit("\n... (", 1)[0]
    full = '{\n  "note": "' + "é" * 3000 + '"\n}'
    assert left_out == len(full.encode()) - len(shown.encode())


async def test_a_streaming_body_is_not_consumed_by_the_report(client, db):
    await Product.objects.acreate(name="Lamp", price="1")
    response = await client.get("/api/async/products/events/")
    assert "(streaming body not shown)" in format_exchange(response)
    body = await response.aread()  # the report left the stream untouched
    assert b'"name": "Lamp"' in body
    assert '"name": "Lamp"' in format_exchange(response)  # once read, it is shown


async def test_multipart_files_are_shown_by_name_and_size(client):
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "prices.csv"
    response = await client.post("/api/echo/", {"file": upload, "note": "x"}, format="multipart")
    assert "file=(file 'prices.csv', 8 bytes)\nnote=x\n" in format_exchange(response)


async def test_binary_bodies_are_summarised(client):
    response = await client.post("/api/echo/", b"\x00\x01" * 10,
                                 content_type="application/octet-stream")
    assert "(20 bytes of application/octet-stream not shown)" in format_exchange(response)


def test_mask_data_keeps_ordinary_fields():
    assert mask_data({"id": 1, "token": "t", "tokens_used": 3, "author": "x", "monkey": 1}) == {
        "id": 1, "token": "***", "tokens_used": "***", "author": "x", "monkey": 1}


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("Authorization", "Bearer abc", "Bearer ***"),
    ("Proxy-Authorization", "Basic xyz", "Basic ***"),
    ("Authorization", "abc", "***"),
    ("X-Auth-Token", "t", "***"),
    ("X-CSRFToken", "t", "***"),
    ("X-Client-Secret", "s", "***"),
    ("Accept", "application/json", "application/json"),
])
def test_masked_header(name, value, shown):
    assert masked_header(name, value) == shown


async def test_assert_status_passes_quietly_on_the_expected_code(client):
    response = await client.get("/api/echo/")
    assert assert_status(response, 200) is None


async def test_assert_status_failure_shows_the_exchange(client, db):
    response = await client.post("/api/echo/", {"password": "hunter2"}, HTTP_AUTHORIZATION="Token t")
    with pytest.raises(AssertionError) as failure:
        assert_status(response, 201)
    message = str(failure.value)
    assert message.startswith(
        "Expected status 201 Created, got 403 Forbidden.\n\n> POST /api/echo/")
    assert '"detail": "Invalid token."' in message
    assert "> Authorization: Token ***" in message and "hunter2" not in message


def test_assert_status_on_an_unrendered_drf_response():
    # What a view called directly with a request factory returns.
    response = Response({"name": ["This field is required."]}, status=400)
    with pytest.raises(AssertionError) as failure:
        assert_status(response, 201)
    assert '"name": [\n    "This field is required."' in str(failure.value)


async def test_assert_status_names_a_forgotten_await(client):
    pending = client.get("/api/echo/")
    with pytest.raises(TypeError, match="forget `await`"):
        assert_status(pending, 200)
    await pending


def test_assert_status_wants_a_status_code():
    with pytest.raises(TypeError, match=r"assert_status\(response, 201\)"):
        assert_status(object(), "201")  # type: ignore[arg-type]


async def test_a_body_given_when_recording_is_the_one_shown(client):
    from restflow_test.exchanges import record_exchange

    response = await client.post("/api/echo/", {"sent": 1})
    record_exchange(response, b'{"given": 2}')  # what a client that holds the body passes
    assert '"given": 2' in format_exchange(response)
