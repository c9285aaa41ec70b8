"""The documentation stays true: examples are included from tested files, the
getting-started page works as written, and every public object has a docstring."""

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import restflow_test
from restflow_test import bakery, contract, factories, fixtures, pagination, sse, websocket
from restflow_test.contract import runner as contract_runner
from restflow_test.live_server import start_live_server

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
INCLUDE = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def _python_blocks(page):
    return [body for lang, body in FENCE.findall(page.read_text()) if lang == "python"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_are_included_from_tested_files(page):
    for body in _python_blocks(page):
        lines = [line for line in body.splitlines() if line.strip()]
        assert lines and all(INCLUDE.match(line) for line in lines), (
            f"{page.name}: a Python example written inline:\n{body}\nPut it in a test under "
            "examples/ and include it with --8<-- \"examples/file.py:section\"."
        )


def _includes():
    for page in PAGES:
        for body in _python_blocks(page):
            for line in body.splitlines():
                if match := INCLUDE.match(line.strip()):
                    yield page.name, match.group(1), match.group(2)


def test_every_included_section_exists_and_is_collected_by_pytest():
    testpaths = ("examples/", "tests/", "testproject/tests/")
    for page, path, section in _includes():
        source = ROOT / path
        assert source.exists(), f"{page} includes missing {path}"
        assert path.startswith(testpaths) and source.name.startswith(("test_", "conftest")), (
            f"{page} includes {path}, which the test suite does not run"
        )
        if section:
            text = source.read_text()
            assert f"--8<-- [start:{section}]" in text and f"--8<-- [end:{section}]" in text, (
                f"{page} includes section {section!r} that {path} does not mark"
            )


def test_every_example_file_is_shown_somewhere():
    shown = {path for _, path, _ in _includes()}
    for example in sorted((ROOT / "examples").glob("*.py")):
        if example.name not in ("__init__.py", "conftest.py"):  # shared set-up, not examples
            assert f"examples/{example.name}" in shown, f"{example.name} is on no page"


def test_getting_started_works_as_written(tmp_path):
    """Follow the page: its pytest configuration and its two first tests, nothing else.

    A copy of the test project stands in for the user's; `restflow_test` comes from the
    installed package, not from the repository (no PYTHONPATH).
    """
    page = (DOCS / "getting-started.md").read_text()
    (toml,) = [body for lang, body in FENCE.findall(page) if lang == "toml"]
    (tmp_path / "pyproject.toml").write_text(
        toml.replace('"mysite.settings"', '"testproject.settings"')
    )
    (tmp_path / "tests").mkdir()
    for _, path, _ in _includes():
        if "first" in path:
            (tmp_path / "tests" / Path(path).name).write_text((ROOT / path).read_text())
    shutil.copytree(ROOT / "testproject", tmp_path / "testproject",
                    ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "tests"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert "4 passed" in result.stdout, result.stdout + result.stderr


def _public_objects():
    for name in restflow_test.__all__:
        obj = getattr(restflow_test, name)
        yield name, obj
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and (callable(value) or isinstance(
                        value, (property, classmethod, staticmethod))):
                    yield f"{name}.{attr}", getattr(value, "__func__", value)
    for name in ("async_api_client", "async_api_rf", "admin_async_api_client",
                 "async_assert_num_queries", "async_capture_on_commit_callbacks",
                 "async_live_server", "channel_layer"):
        yield f"fixture {name}", getattr(fixtures, name)
    yield "start_live_server", start_live_server
    for module in (factories, bakery, pagination, websocket, sse, contract, contract_runner):
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):
                continue
            yield f"{module.__name__}.{name}", obj
            for attr, value in vars(obj).items() if inspect.isclass(obj) else ():
                if not attr.startswith("_") and (
                        inspect.isfunction(value) or isinstance(value, classmethod)):
                    yield f"{module.__name__}.{name}.{attr}", getattr(value, "__func__", value)


@pytest.mark.parametrize(("name", "obj"), [pytest.param(name, obj, id=name)
                                           for name, obj in _public_objects()])
def test_public_objects_have_docstrings_in_one_style(name, obj):
    doc = inspect.getdoc(obj) or getattr(obj, "__doc__", None)
    assert doc and doc.strip(), f"{name} has no docstring"
    assert "``" not in doc and not re.search(r":(class|meth|func|attr):`", doc), (
        f"{name}: use Markdown (`code`, [Name][restflow_test.Name]), not reST roles"
    )


@pytest.mark.parametrize("name", fixtures.__all__)
def test_fixture_docstrings_read_as_plain_text(name):
    """`pytest --fixtures` prints them verbatim: no mkdocstrings cross-references there."""
    doc = inspect.getdoc(getattr(fixtures, name)) or ""
    assert not re.search(r"\]\[[\w.]*\]", doc), (
        f"fixture {name}: write `AsyncAPIClient`, not [AsyncAPIClient][restflow_test.AsyncAPIClient]"
    )
