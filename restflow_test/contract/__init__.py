"""Contract testing: validate every request and response against an OpenAPI schema.

`AsyncAPIClient(schema=...)` (or the project-wide `RESTFLOW_TEST_SCHEMA` setting, or
pytest's `--restflow-contract`) checks each exchange with openapi-core and raises
[ContractError][restflow_test.ContractError] at the first violation; the pytest
plugin reports which documented operations the suite never exercised. Needs the
`openapi` extra: `pip install "restflow-test[openapi]"`.
"""

from __future__ import annotations

from .client import ContractClientMixin
from .coverage import contract_coverage, format_coverage, write_coverage
from .errors import ContractError

__all__ = [
    "ContractClientMixin",
    "ContractError",
    "contract_coverage",
    "format_coverage",
    "write_coverage",
]
