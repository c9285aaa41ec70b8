"""Contract coverage at the end of a pytest run, proven with inner runs (pytester)."""

import json

import pytest
import yaml

from .helpers import use_test_project

SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "echo", "version": "1"},
    "paths": {
        "/api/echo/": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "post": {"responses": {"200": {"description": "ok"},
                                   "400": {"description": "bad"}}},
        },
        "/api/broken-product/": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}

GET_TEST = '''
import time
from restflow_test import AsyncAPIClient

async def test_get():
    time.sleep(0.5)  # under -n 2, leave the other test to the other worker
    assert (await AsyncAPIClient().get("/api/echo/")).status_code == 200
'''

POST_TEST = '''
from restflow_test import AsyncAPIClient

async def test_post():
    assert (await AsyncAPIClient().post("/api/echo/", {"a": 1})).status_code == 200
'''


@pytest.fixture
def inner(pytester, monkeypatch):
    """Run the two tests above with the schema file as the project-wide contract."""
    use_test_project(pytester, monkeypatch, "contract")
    pytester.makefile(".yaml", schema=yaml.safe_dump(SCHEMA))
    pytester.makepyfile(test_get=GET_TEST, test_post=POST_TEST)

    def run(*args):
        return pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--restflow-contract=schema.yaml", *args)

    return run


def test_summary_lists_what_the_suite_never_exercised(inner):
    result = inner()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*= contract coverage =*",
        "`schema.yaml`: 2/3 operations and 2/4 documented responses exercised",
        "  GET     /api/broken-product/  never called",
        "  POST    /api/echo/  never answered 400",
    ])


def test_json_report_for_ci(inner, pytester):
    inner("--restflow-contract-report=coverage.json").assert_outcomes(passed=2)
    (schema,) = json.loads((pytester.path / "coverage.json").read_text())["schemas"]
    assert schema["totals"] == {"operations": 3, "operations_exercised": 2,
                                "statuses": 4, "statuses_exercised": 2}
    echo = [op for op in schema["operations"] if op["path"] == "/api/echo/"]
    assert {op["method"]: op["statuses"] for op in echo} == {
        "GET": {"200": True}, "POST": {"200": True, "400": False}}


def test_xdist_workers_coverage_is_merged(inner, pytester):
    """Each worker exercised one operation; the controller, which ran none, reports both."""
    result = inner("-n", "2", "-v", "--restflow-contract-report=coverage.json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines_random(["*gw0* PASSED*", "*gw1* PASSED*"])
    result.stdout.fnmatch_lines(["`schema.yaml`: 2/3 operations and 2/4 documented*"])
    (schema,) = json.loads((pytester.path / "coverage.json").read_text())["schemas"]
    assert schema["totals"]["operations_exercised"] == 2


def test_violation_fails_the_inner_test_with_the_contract_message(inner, pytester):
    pytester.makepyfile(test_broken='''
from restflow_test import AsyncAPIClient

async def test_broken():
    await AsyncAPIClient().put("/api/echo/", {"a": 1})
''')
    result = inner("test_broken.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ContractError: PUT /api/echo/ → 200: breaks rule "
                                 "`undocumented method`*"])
