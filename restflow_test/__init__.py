"""Async test toolkit for Django REST framework."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assertions import assert_status
    from .client import AsyncAPIClient
    from .contract import ContractError
    from .factory import AsyncAPIRequestFactory, force_authenticate
    from .testcases import (
        AsyncAPILiveServerTestCase,
        AsyncAPISimpleTestCase,
        AsyncAPITestCase,
        AsyncAPITransactionTestCase,
    )

__version__ = "0.1.0"

__all__ = [
    "AsyncAPIClient",
    "AsyncAPILiveServerTestCase",
    "AsyncAPIRequestFactory",
    "AsyncAPISimpleTestCase",
    "AsyncAPITestCase",
    "AsyncAPITransactionTestCase",
    "ContractError",
    "assert_status",
    "force_authenticate",
]

# The public names are imported on first use (PEP 562), not with the package: pytest
# imports `restflow_test.pytest_plugin` in every process it starts (the xdist
# controller too, which runs no test), and the client and test cases bring in
# Django's test machinery.
_SUBMODULE = {
    "AsyncAPIClient": "client",
    "AsyncAPILiveServerTestCase": "testcases",
    "AsyncAPIRequestFactory": "factory",
    "AsyncAPISimpleTestCase": "testcases",
    "AsyncAPITestCase": "testcases",
    "AsyncAPITransactionTestCase": "testcases",
    "ContractError": "contract",
    "assert_status": "assertions",
    "force_authenticate": "factory",
}


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE.get(name)
    if submodule is not None:
        value = getattr(importlib.import_module(f".{submodule}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        # `restflow_test.client` and the like, as when the package imported them.
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
