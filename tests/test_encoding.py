"""Bodies: format= through DRF renderers, content_type= as given, and their errors."""

import io
import json
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from restflow_test import AsyncAPIClient, AsyncAPIRequestFactory

pytestmark = pytest.mark.django_db


async def test_default_format_is_json(client, echo_url):
    response = await client.post(echo_url, {"name": "x", "tags": [1, 2]})
    assert response.data["headers"]["CONTENT_TYPE"] == "application/json"
    assert response.data["data"] == {"name": "x", "tags": [1, 2]}


async def test_project_default_format_wins_when_set(echo_url, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "multipart"}
    response = await AsyncAPIClient().post(echo_url, {"name": "x"})
    assert response.data["headers"]["CONTENT_TYPE"].startswith("multipart/form-data")
    assert response.data["data"] == {"name": "x"}


async def test_json_format_renders_with_drf_and_one_content_type(client, echo_url):
    response = await client.put(echo_url, {"price": "9.99"}, format="json")
    assert response.status_code == 200
    assert response.data["headers"]["CONTENT_TYPE"] == "application/json"
    assert response.data["data"] == {"price": "9.99"}


async def test_multipart_with_file_objects_and_repeated_fields(client, alice):
    client.force_authenticate(alice)
    named = io.BytesIO(b"abc")
    named.name = "notes.txt"
    for upload, name, size in ((SimpleUploadedFile("a.csv", b"1,2,3\n"), "a.csv", 6),
                               (named, "notes.txt", 3)):
        response = await client.post(
            "/api/uploads/", {"file": upload, "tags": ["x", "y"]}, format="multipart"
        )
        assert response.status_code == 201, response.data
        assert response.data == {"name": name, "size": size, "tags": ["x", "y"]}


async def test_multipart_with_open_file(client, alice, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 fake")
    client.force_authenticate(alice)
    with open(path, "rb") as handle:
        response = await client.post("/api/uploads/", {"file": handle}, format="multipart")
    assert response.status_code == 201
    assert response.data == {"name": "report.pdf", "size": 13, "tags": []}


async def test_content_type_sends_data_as_is(client, echo_url):
    response = await client.post(echo_url, b"a=1&b=2", content_type="application/x-www-form-urlencoded")
    assert response.data["data"] == {"a": "1", "b": "2"}


async def test_content_type_json_encodes_dicts(client, echo_url):
    response = await client.patch(echo_url, {"a": [1]}, content_type="application/json")
    assert response.data["data"] == {"a": [1]}


async def test_content_type_str_is_encoded_with_default_charset(client, echo_url):
    response = await client.post(echo_url, '{"name": "caf\u00e9"}', content_type="application/json")
    assert response.data["data"] == {"name": "caf\u00e9"}


async def test_data_none_sends_no_body(client, echo_url):
    response = await client.post(echo_url)
    assert "CONTENT_TYPE" not in response.data["headers"]
    assert "CONTENT_LENGTH" not in response.data["headers"]


def test_format_and_content_type_together_is_an_assertion_error(client):
    with pytest.raises(AssertionError, match="both `format` and `content_type`"):
        client.post("/api/echo/", {"a": 1}, format="json", content_type="application/json")


def test_format_and_content_type_check_survives_python_O():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='testproject.settings';"
        "django.setup(); from restflow_test.encoding import encode_body\n"
        "try:\n encode_body({}, 'json', 'application/json')\n"
        "except AssertionError: print('raised')"
    )
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "raised", result.stderr


def test_unknown_format_names_available_formats_and_setting(client):
    with pytest.raises(ValueError) as excinfo:
        client.post("/api/echo/", {"a": 1}, format="jsn")
    message = str(excinfo.value)
    assert "'json', 'multipart'" in message
    assert "TEST_REQUEST_RENDERER_CLASSES" in message
    assert "Did you mean 'json'?" in message


@override_settings(REST_FRAMEWORK={"TEST_REQUEST_RENDERER_CLASSES": [
    "rest_framework.renderers.JSONRenderer",
    "rest_framework.renderers.MultiPartRenderer",
    "rest_framework.renderers.TemplateHTMLRenderer",
]})
def test_renderer_classes_are_read_at_request_time(client):
    # TemplateHTMLRenderer's format is "html": it is now a known format.
    with pytest.raises(ValueError, match="cannot encode"):
        client.post("/api/echo/", {"a": 1}, format="html")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"address": {"city": "Oslo"}}, "nested dict under 'address'"),
        ({"matrix": [[1, 2]]}, "nested list under 'matrix'"),
        ({"note": None}, "None under 'note'"),
        (["a", "b"], "needs a dict of fields"),
        ({"file": io.BytesIO(b"x")}, "has no `name`"),
    ],
)
def test_multipart_rejects_what_it_cannot_encode(client, data, match):
    with pytest.raises(ValueError, match=match):
        client.post("/api/echo/", data, format="multipart")


def test_json_renderer_failure_is_explained(client):
    with pytest.raises(ValueError, match=r"'json' renderer .* cannot encode"):
        client.post("/api/echo/", {"when": object()}, format="json")


def test_content_type_with_a_non_bytes_value_is_explained(client):
    with pytest.raises(TypeError, match="must be bytes or str"):
        client.post("/api/echo/", {"a": 1}, content_type="text/plain")


async def test_files_without_format_are_sent_as_multipart(client, alice):
    """DRF's default format is multipart: upload tests ported from DRF leave it out."""
    client.force_authenticate(alice)
    upload = SimpleUploadedFile("a.csv", b"1,2,3\n")
    response = await client.post("/api/uploads/", {"file": upload, "tags": ["x"]})
    assert response.status_code == 201, response.data
    assert response.data == {"name": "a.csv", "size": 6, "tags": ["x"]}


def test_files_with_explicit_json_format_are_refused(client):
    upload = SimpleUploadedFile("a.csv", b"1,2,3\n")
    with pytest.raises(ValueError, match=r"file under 'file'.*format='multipart'"):
        client.post("/api/uploads/", {"file": upload}, format="json")


def test_none_in_a_form_encoded_body_is_a_type_error(client, echo_url):
    with pytest.raises(TypeError, match="Cannot encode None for key 'a'"):
        client.post(echo_url, {"a": None}, content_type="application/x-www-form-urlencoded")


class Money:
    def __init__(self, cents):
        self.cents = cents


class MoneyEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Money):
            return f"{o.cents / 100:.2f}"
        return super().default(o)


async def test_json_encoder_encodes_content_type_json_bodies(echo_url):
    client = AsyncAPIClient(json_encoder=MoneyEncoder)
    response = await client.post(echo_url, {"price": Money(1250)}, content_type="application/json")
    assert response.data["data"] == {"price": "12.50"}
    assert "HTTP_JSON_ENCODER" not in response.data["headers"]


def test_factory_json_encoder():
    factory = AsyncAPIRequestFactory(json_encoder=MoneyEncoder)
    request = factory.post("/x/", {"price": Money(5)}, content_type="application/json")
    assert request.body == b'{"price": "0.05"}'
    assert "json_encoder" not in request.META
