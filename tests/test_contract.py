"""Contract testing: `AsyncAPIClient(schema=...)` against real views and schemas."""

import asyncio
import json
import sys

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from restflow_test import AsyncAPIClient, AsyncAPISimpleTestCase, ContractError
from restflow_test.contract import loading

from .helpers import problems, run_case

JSON = "application/json"


def _op(responses, request_schema=None):
    operation = {"responses": {
        code: {"description": "d", **({"content": {JSON: {"schema": schema}}} if schema else {})}
        for code, schema in responses.items()}}
    if request_schema:
        operation["requestBody"] = {"required": True,
                                    "content": {JSON: {"schema": request_schema}}}
    return operation


PRODUCT = {"type": "object", "required": ["id", "name"],
           "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
NAMED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}


def schema(version="3.0.3", servers=None, prefix=""):
    spec = {
        "openapi": version,
        "info": {"title": "shop", "version": "1"},
        "paths": {
            f"{prefix}/broken-product/": {"get": _op({"200": PRODUCT})},
            f"{prefix}/echo/": {"post": _op({"200": {"type": "object"}}, NAMED),
                                "get": {**_op({"200": None}), "parameters": [
                                    {"name": "page", "in": "query", "required": True,
                                     "schema": {"type": "integer"}}]}},
            f"{prefix}/async/products/{{id}}/": {
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "get": _op({"200": PRODUCT})},
        },
    }
    if servers:
        spec["servers"] = servers
    return spec


SCHEMA = schema(prefix="/api")


async def _violation(client, method, path, **kwargs):
    with pytest.raises(ContractError) as caught:
        await getattr(client, method)(path, **kwargs)
    return caught.value


# -- what the error says ---------------------------------------------------------------
async def test_broken_view_error_names_method_template_status_pointer_and_rule():
    client = AsyncAPIClient(schema="drf-spectacular")
    error = await _violation(client, "get", "/api/broken-product/")
    assert isinstance(error, AssertionError)
    assert str(error).startswith(
        "GET /api/broken-product/ → 200: the response body at `/id` breaks rule `type`: "
        "'seven' is not of type 'integer'. Fix the view or the schema.")
    assert (error.method, error.path, error.status, error.part, error.pointer, error.rule) == (
        "GET", "/api/broken-product/", 200, "response", "/id", "type")


@pytest.mark.django_db
async def test_error_names_the_path_template_not_the_request_path():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "get", "/api/async/products/99/")
    assert error.path == "/api/async/products/{id}/"
    assert str(error).startswith("GET /api/async/products/{id}/ → 404: breaks rule "
                                 "`undocumented status`: the operation documents 200.")


async def test_undocumented_path_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "get", "/api/async/echo/")
    assert error.rule == "undocumented path"
    assert "no path template in the schema dict 'shop' 1 matches `/api/async/echo/`" in str(error)
    assert "Document the operation in the schema" in str(error)


async def test_undocumented_method_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "put", "/api/echo/", data={"name": "x"})
    assert (error.rule, error.path) == ("undocumented method", "/api/echo/")
    assert "`/api/echo/` documents GET, POST, not PUT" in str(error)


async def test_request_body_that_breaks_the_schema_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "post", "/api/echo/", data={"name": 3})
    assert (error.part, error.pointer, error.rule) == ("request", "/name", "type")
    assert "the request body at `/name` breaks rule `type`: 3 is not of type 'string'" in str(error)
    assert "contract_disabled(response=False)" in str(error)


async def test_missing_required_request_property_points_at_the_object():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "post", "/api/echo/", data={"nom": "x"})
    assert (error.pointer, error.rule) == ("", "required")
    assert "'name' is a required property" in str(error)


async def test_query_parameter_that_breaks_the_schema_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "get", "/api/echo/", data={"page": "two"})
    assert (error.part, error.rule) == ("request", "type")
    assert str(error).startswith("GET /api/echo/ → 200: the query parameter `page` breaks rule `type`: 'two' is not of type 'integer'.")


async def test_missing_required_query_parameter_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "get", "/api/echo/")
    assert "the query parameter `page` breaks rule `required parameter`" in str(error)


async def test_undocumented_content_type_is_a_violation():
    error = await _violation(AsyncAPIClient(schema=SCHEMA), "post", "/api/echo/",
                             data=b"name=x", content_type="text/plain")
    assert error.rule == "undocumented content type"
    assert "`text/plain` is not one of the documented content types `application/json`" in str(error)


@pytest.mark.django_db
async def test_multipart_request_bodies_are_validated(alice):
    client = AsyncAPIClient(schema="drf-spectacular")
    client.force_authenticate(alice)
    error = await _violation(client, "post", "/api/uploads/", data={"tags": ["a"]}, format="multipart")
    assert (error.part, error.rule) == ("request", "required")
    assert "'file' is a required property" in str(error)


async def test_valid_exchange_passes_and_the_view_still_gets_the_body():
    response = await AsyncAPIClient(schema=SCHEMA).post("/api/echo/", {"name": "Lamp"})
    assert response.data["data"] == {"name": "Lamp"}


@pytest.mark.django_db
async def test_documented_security_is_not_required_of_forced_authentication(alice):
    client = AsyncAPIClient(schema="drf-spectacular")  # POST documents cookie or token auth
    client.force_authenticate(alice)
    response = await client.post("/api/async/products/", {"name": "Desk", "price": "99.00"})
    assert response.status_code == 201


@pytest.mark.django_db
async def test_streamed_body_is_left_for_the_test_to_read():
    client = AsyncAPIClient(schema="drf-spectacular")
    response = await client.get("/api/products/export/")
    assert await response.aread() == b"id,name,price\r\n"


async def test_server_base_path_is_part_of_every_url_whatever_the_host():
    spec = schema(servers=[{"url": "https://api.example.com/api"}])
    error = await _violation(AsyncAPIClient(schema=spec), "get", "/api/broken-product/")
    assert (error.path, error.rule) == ("/broken-product/", "type")


# -- opting out ------------------------------------------------------------------------
async def test_contract_disabled_skips_request_and_response():
    client = AsyncAPIClient(schema=SCHEMA)
    with client.contract_disabled():
        response = await client.get("/api/broken-product/")
    assert response.status_code == 200
    await _violation(client, "get", "/api/broken-product/")  # on again after the block


async def test_contract_disabled_for_the_request_still_checks_the_response():
    client = AsyncAPIClient(schema=SCHEMA)
    with client.contract_disabled(response=False):
        response = await client.post("/api/echo/", {"name": 3})
        assert response.status_code == 200
        error = await _violation(client, "get", "/api/broken-product/")
    assert error.part == "response"


async def test_contract_disabled_covers_concurrent_requests_of_its_block_only():
    client = AsyncAPIClient(schema=SCHEMA)
    with client.contract_disabled():
        inside = asyncio.gather(*[client.get("/api/broken-product/") for _ in range(3)])
    outside = asyncio.ensure_future(client.get("/api/broken-product/"))
    assert [r.status_code for r in await inside] == [200, 200, 200]
    with pytest.raises(ContractError):
        await outside


async def test_contract_disabled_is_per_client():
    client, other = AsyncAPIClient(schema=SCHEMA), AsyncAPIClient(schema=SCHEMA)
    with client.contract_disabled():
        await _violation(other, "get", "/api/broken-product/")


# -- schema sources ---------------------------------------------------------------------
def _json_file(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA))
    return path


def _yaml_file(tmp_path):
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(SCHEMA))
    return str(path)


@pytest.mark.parametrize("make", [
    pytest.param(lambda tmp_path: SCHEMA, id="dict"),
    pytest.param(lambda tmp_path: schema("3.1.0", prefix="/api"), id="dict-openapi-3.1"),
    pytest.param(_json_file, id="json-file"),
    pytest.param(_yaml_file, id="yaml-file"),
    pytest.param(lambda tmp_path: "drf-spectacular", id="drf-spectacular"),
])
async def test_every_schema_source_validates(make, tmp_path):
    error = await _violation(AsyncAPIClient(schema=make(tmp_path)), "get", "/api/broken-product/")
    assert (error.pointer, error.rule) == ("/id", "type")


def test_each_source_is_loaded_once_per_process(tmp_path):
    path = _json_file(tmp_path)
    assert AsyncAPIClient(schema=path)._contract is AsyncAPIClient(schema=str(path))._contract
    assert AsyncAPIClient(schema=SCHEMA)._contract is AsyncAPIClient(schema=SCHEMA)._contract


def test_missing_schema_file_fails_when_the_client_is_created(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"schema file `.*nope\.json` does not exist"):
        AsyncAPIClient(schema=tmp_path / "nope.json")


def test_schema_file_that_is_not_json_says_so(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text("openapi: 3.0.3\n")
    with pytest.raises(ImproperlyConfigured, match=r"is not valid JSON .*`\.yaml` or `\.yml`"):
        AsyncAPIClient(schema=path)


def test_document_that_is_not_openapi_says_so():
    with pytest.raises(ImproperlyConfigured, match="not an OpenAPI 3 document"):
        AsyncAPIClient(schema={"swagger": "2.0"})


def test_invalid_openapi_document_names_the_problem():
    with pytest.raises(ImproperlyConfigured, match=r"not a valid OpenAPI document: .*at `/paths"):
        AsyncAPIClient(schema={"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                               "paths": {"no-slash": {}}})


def test_drf_spectacular_without_its_schema_class_says_how_to_set_it_up(monkeypatch, settings):
    monkeypatch.setattr(loading, "_loaded", {})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.openapi.AutoSchema"}
    with pytest.raises(ImproperlyConfigured, match=r'could not generate the schema .*: set `REST_FRAMEWORK\["DEFAULT_SCHEMA_CLASS"\]'):
        AsyncAPIClient(schema="drf-spectacular")


def test_schema_of_the_wrong_type_says_what_is_accepted():
    with pytest.raises(TypeError, match="must be a dict, a path to a JSON or YAML file, or 'drf-spectacular'; got int"):
        AsyncAPIClient(schema=42)


@pytest.mark.parametrize(("module", "source"), [
    ("openapi_core", SCHEMA), ("drf_spectacular", "drf-spectacular"), ("yaml", "schema.yaml"),
])
def test_missing_extra_names_the_install_command(module, source, monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == module or m.startswith(f"{module}.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    monkeypatch.setattr(loading, "_loaded", {})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.yaml").write_text("openapi: 3.0.3\n")
    with pytest.raises(ImportError, match=r'pip install "restflow-test\[openapi\]"') as caught:
        AsyncAPIClient(schema=source)
    assert caught.value.__suppress_context__


# -- the project-wide switch ------------------------------------------------------------
async def test_setting_makes_every_new_client_validate():
    with override_settings(RESTFLOW_TEST_SCHEMA=SCHEMA):
        client = AsyncAPIClient()
    await _violation(client, "get", "/api/broken-product/")


async def test_schema_false_opts_a_client_out_of_the_setting():
    with override_settings(RESTFLOW_TEST_SCHEMA=SCHEMA):
        client = AsyncAPIClient(schema=False)
    assert (await client.get("/api/broken-product/")).status_code == 200


async def test_without_setting_or_schema_nothing_is_validated():
    assert (await AsyncAPIClient().get("/api/broken-product/")).status_code == 200


def test_setting_reaches_the_test_case_bases_client():
    @override_settings(RESTFLOW_TEST_SCHEMA=SCHEMA)
    class Broken(AsyncAPISimpleTestCase):
        async def test_broken(self):
            await self.client.get("/api/broken-product/")

    (problem,) = problems(run_case(Broken))
    assert "ContractError: GET /api/broken-product/ → 200: the response body at `/id`" in problem


# -- manage.py test -----------------------------------------------------------------------
def test_unittest_runner_reports_contract_coverage(tmp_path, capsys):
    from django.test.runner import DiscoverRunner

    from restflow_test.contract.runner import ContractCoverageRunner

    spec = schema(prefix="/api")
    spec["info"]["title"] = "runner"

    class Exercised(AsyncAPISimpleTestCase):
        async def test_echo(self):
            await AsyncAPIClient(schema=spec).post("/api/echo/", {"name": "Lamp"})

    report = tmp_path / "contract.json"
    suite = DiscoverRunner().test_loader.loadTestsFromTestCase(Exercised)
    with override_settings(RESTFLOW_TEST_CONTRACT_REPORT=str(report)):
        result = ContractCoverageRunner(verbosity=0).run_suite(suite)
    assert result.wasSuccessful()
    assert "the schema dict 'runner' 1: 1/4 operations and 1/4 documented responses exercised" in capsys.readouterr().err
    (runner,) = [s for s in json.loads(report.read_text())["schemas"] if "runner" in s["schema"]]
    assert runner["totals"]["statuses_exercised"] == 1
