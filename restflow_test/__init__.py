"""Async test toolkit for Django REST framework."""

from __future__ import annotations

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
