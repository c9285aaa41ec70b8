"""`manage.py test` with the contract coverage summary at the end of the run."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.test.runner import DiscoverRunner

from .coverage import contract_coverage, format_coverage, write_coverage

__all__ = ["ContractCoverageRunner"]


class ContractCoverageRunner(DiscoverRunner):
    """Django's test runner, plus the contract coverage report after the tests.

    Set `TEST_RUNNER = "restflow_test.contract.runner.ContractCoverageRunner"`. After
    the suite it prints which documented operations and status codes the validating
    clients exercised, and writes them as JSON to the path in the
    `RESTFLOW_TEST_CONTRACT_REPORT` setting when there is one. Coverage is recorded
    per process: with `--parallel`, the tests run in worker processes whose coverage
    this runner does not see, so run without it to get the report.
    """

    def run_suite(self, suite: Any, **kwargs: Any) -> Any:
        """Run the suite, then report contract coverage."""
        result = super().run_suite(suite, **kwargs)
        report = contract_coverage()
        path = getattr(settings, "RESTFLOW_TEST_CONTRACT_REPORT", None)
        if path:
            write_coverage(report, path)
        if report["schemas"]:
            sys.stderr.write("\nContract coverage\n" + format_coverage(
                report, details=self.verbosity > 1) + "\n")
        return result
