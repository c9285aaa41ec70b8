"""The pytest side of contract testing: options, the summary, the JSON report.

Registered by `restflow_test.pytest_plugin` at configure time. Under pytest-xdist
each worker validates and records on its own; at the end every worker sends its
coverage to the controller (`workeroutput`), which reports the union.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .coverage import contract_coverage, format_coverage, merge_coverage, write_coverage

__all__ = ["ContractPlugin", "addoption"]

_OUTPUT_KEY = "restflow_contract_coverage"


def addoption(parser: pytest.Parser) -> None:
    """Add the contract options to pytest's parser."""
    group = parser.getgroup("restflow-test")
    group.addoption(
        "--restflow-contract", metavar="SCHEMA", default=None,
        help="Validate every AsyncAPIClient request and response against this OpenAPI "
             "schema: a JSON or YAML file, or 'drf-spectacular'. Overrides the "
             "restflow_contract_schema ini option and the RESTFLOW_TEST_SCHEMA setting.")
    group.addoption(
        "--restflow-contract-report", metavar="PATH", default=None,
        help="Write the contract coverage (documented operations and status codes, "
             "exercised or not) to this JSON file.")
    parser.addini(
        "restflow_contract_schema",
        "OpenAPI schema every AsyncAPIClient validates against (a JSON or YAML file, "
        "or 'drf-spectacular').", default="")


class ContractPlugin:
    """Hooks that set the session's schema and report contract coverage."""

    def __init__(self, config: pytest.Config) -> None:
        from . import loading

        source = (config.getoption("restflow_contract")
                  or config.getini("restflow_contract_schema") or None)
        self._previous_source = loading.session_source
        loading.session_source = source
        self.config = config
        self.worker_reports: list[dict[str, Any]] = []

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from . import loading

        loading.session_source = self._previous_source

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller reports
            workeroutput[_OUTPUT_KEY] = json.dumps(contract_coverage())

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}).get(_OUTPUT_KEY)
        if output:
            self.worker_reports.append(json.loads(output))

    def report(self) -> dict[str, Any]:
        """This process's coverage, merged with every finished worker's."""
        return merge_coverage([contract_coverage(), *self.worker_reports])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workeroutput"):
            return
        report = self.report()
        path = self.config.getoption("restflow_contract_report")
        if path:
            write_coverage(report, path)
        if not report["schemas"]:
            return
        terminalreporter.write_sep("=", "contract coverage")
        details = self.config.get_verbosity() > 0
        terminalreporter.write_line(format_coverage(report, details=details))
        if path:
            terminalreporter.write_line(f"contract coverage written to {path}")
