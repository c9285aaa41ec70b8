"""What `AsyncAPIClient` inherits to validate every exchange against a schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from .checking import Contract
from .loading import SchemaSource, contract_for

__all__ = ["ContractClientMixin"]

# Parts switched off by `contract_disabled()`, per client, in the current context:
# a context variable, so concurrent requests on other tasks keep their own setting.
_disabled: ContextVar[dict[int, tuple[bool, bool]] | None] = ContextVar(
    "restflow_contract_disabled", default=None)


class ContractClientMixin:
    """Contract validation for a client: the `schema` attribute and its checks."""

    _contract: Contract | None = None
    _schema: SchemaSource | Literal[False] | None = None

    @property
    def schema(self) -> SchemaSource | Literal[False] | None:
        """The OpenAPI schema every request and response is validated against.

        A dict, a path to a JSON or YAML file, `"drf-spectacular"` (the project's
        schema, generated once per process), `None` for the project-wide default
        (the `--restflow-contract` pytest option, then the `RESTFLOW_TEST_SCHEMA`
        setting), or `False` for no validation. Setting it loads and checks the
        schema at once, so a bad source fails before any request.
        """
        return self._schema

    @schema.setter
    def schema(self, source: SchemaSource | Literal[False] | None) -> None:
        self._contract = contract_for(source)
        self._schema = source

    @contextmanager
    def contract_disabled(self, *, request: bool = True,
                          response: bool = True) -> Iterator[None]:
        """Stop validating requests made inside the block on this client.

        For tests that send bad input on purpose. By default nothing is checked;
        `contract_disabled(response=False)` skips only the request and still checks
        that the error response is documented. Works in sync and async tests, and
        for requests sent concurrently from inside the block.

        Args:
            request: Skip validating the request (parameters and body).
            response: Skip validating the response (status, content type, body).
        """
        token = _disabled.set({**(_disabled.get() or {}), id(self): (request, response)})
        try:
            yield
        finally:
            _disabled.reset(token)

    def _check_contract(self, scope: dict[str, Any], body: bytes | None,
                        response: Any) -> None:
        """Validate one exchange; raise `ContractError` at the first violation."""
        if self._contract is None:
            return
        skip_request, skip_response = (_disabled.get() or {}).get(id(self), (False, False))
        if skip_request and skip_response:
            return
        self._contract.check(scope, body, response, request=not skip_request,
                             response_body=not skip_response)
