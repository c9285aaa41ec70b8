"""One loaded schema: match a request to its operation, validate both directions.

openapi-core does the work (OpenAPI 3.0, 3.1 and 3.2); this module only adapts our
ASGI scope and Django response to its `Request` and `Response` protocols, words its
errors, and records which documented operations and status codes were exercised.
"""

from __future__ import annotations

import copy
import threading
from http.cookies import SimpleCookie
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from .errors import ContractError, Violation, contract_error, violation_from

__all__ = ["Contract"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ScopeRequest:
    """openapi-core's `Request` protocol over the ASGI scope the client sent."""

    def __init__(self, scope: dict[str, Any], body: bytes | None) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        headers = Headers([(k.decode("latin-1"), v.decode("latin-1"))
                           for k, v in scope["headers"]])
        cookie: SimpleCookie = SimpleCookie(headers.get("cookie", ""))
        query = scope["query_string"].decode("latin-1")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=headers,
            cookie=ImmutableMultiDict({k: m.value for k, m in cookie.items()}),
        )
        self.host_url = f"{scope['scheme']}://{headers.get('host', 'testserver')}"
        self.path = scope["path"]
        self.method = scope["method"].lower()
        self.content_type = headers.get("content-type", "")
        self.body = body or None


class DjangoResponse:
    """openapi-core's `Response` protocol over a Django response."""

    def __init__(self, response: Any) -> None:
        from werkzeug.datastructures import Headers

        self.status_code: int = response.status_code
        self.headers = Headers(list(response.items()))
        self.content_type: str = response.get("Content-Type", "")
        self.data: bytes | None = None if response.streaming else bytes(response.content)


class _AnyCredentials:
    """Security providers that accept any request.

    Tests authenticate with `force_authenticate()`, which sends no credentials, so
    openapi-core's check of the documented security schemes would fail requests that
    the view accepted. Who may call what is the views' job and their tests'; the
    contract covers the shape of requests and responses.
    """

    def create(self, scheme: Any) -> Any:
        return lambda parameters: None


def _base_paths(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with each server reduced to its path: the test client's host is not
    the production one, but a server's base path (`/v1`) is part of every URL."""
    servers = spec.get("servers")
    if not servers:
        return spec
    spec = copy.copy(spec)
    spec["servers"] = [{**s, "url": urlsplit(s.get("url", "/")).path or "/"}
                       for s in servers]
    return spec


class Contract:
    """A schema ready to validate requests and responses, with its coverage record.

    Args:
        spec: The OpenAPI document, as plain data.
        label: Where it came from, for messages and the coverage report.
    """

    def __init__(self, spec: dict[str, Any], label: str) -> None:
        from openapi_core import OpenAPI
        from openapi_core.templating.paths.finders import APICallPathFinder
        from openapi_core.validation.request import VALIDATORS as REQUEST_VALIDATORS
        from openapi_core.validation.response import VALIDATORS as RESPONSE_VALIDATORS

        self.label = label
        self.openapi = OpenAPI.from_dict(_base_paths(spec))  # checks the document
        version = self.openapi.version
        self.path_finder = APICallPathFinder(self.openapi.spec)
        self.request_validator = REQUEST_VALIDATORS[version](
            self.openapi.spec, security_provider_factory=cast(Any, _AnyCredentials()))
        self.response_validator = RESPONSE_VALIDATORS[version](self.openapi.spec)
        self.operations = {
            (method.upper(), path): sorted(str(code) for code in operation.get("responses", {}))
            for path, item in spec.get("paths", {}).items()
            for method, operation in item.items() if method in METHODS
        }
        self.exercised: set[tuple[str, str, str]] = set()
        # Set when a client used it as the project's contract (pytest option, ini or
        # setting): the coverage summary lists what such a schema never exercised.
        self.project_wide = False
        self._lock = threading.Lock()

    # -- checking ---------------------------------------------------------------------
    def check(self, scope: dict[str, Any], body: bytes | None, response: Any, *,
              request: bool = True, response_body: bool = True) -> None:
        """Validate one exchange; raise `ContractError` at the first violation.

        Args:
            scope: The ASGI scope the client sent.
            body: The request body as sent.
            response: The Django response.
            request: Validate the request (parameters and body).
            response_body: Validate the response (status, content type, body).
        """
        method = scope["method"].upper()
        status = response.status_code
        oa_request = ScopeRequest(scope, body)
        path, operation = self._operation(oa_request, method, status)
        code = self._documented_status(operation, status)
        if code is not None:
            with self._lock:
                self.exercised.add((method, path, code))
        if request:
            for exc in self.request_validator.iter_errors(oa_request):
                raise self._error(violation_from(exc), method, path, status, "request")
        if response_body:
            if code is None:
                documented = self.operations.get((method, path), [])
                raise self._error(Violation(
                    "", "", "undocumented status",
                    f"the operation documents {', '.join(documented) or 'no status'}"),
                    method, path, status, "response")
            self._check_response(oa_request, response, method, path, status)

    def _operation(self, request: ScopeRequest, method: str,
                   status: int) -> tuple[str, Any]:
        from openapi_core.templating.paths.exceptions import OperationNotFound, PathError

        try:
            found = self.path_finder.find(request.method, request.host_url + request.path)
        except OperationNotFound:
            path = self._template(request)
            documented = sorted(m for m, p in self.operations if p == path)
            raise self._error(Violation(
                "", "", "undocumented method",
                f"`{path}` documents {', '.join(documented)}, not {method}"),
                method, path, status, "request") from None
        except PathError:
            raise self._error(Violation(
                "", "", "undocumented path",
                f"no path template in {self.label} matches `{request.path}`"),
                method, request.path, status, "request") from None
        return found.path_result.pattern, found.operation

    def _template(self, request: ScopeRequest) -> str:
        """The template of a path whose method is undocumented (for the message)."""
        from openapi_core.templating.paths.exceptions import PathError

        for method in METHODS:
            try:
                return str(self.path_finder.find(
                    method, request.host_url + request.path).path_result.pattern)
            except PathError:
                continue  # not this method; try the next
        return request.path

    @staticmethod
    def _documented_status(operation: Any, status: int) -> str | None:
        """The `responses` key that documents `status` (`"200"`, `"2XX"`, `"default"`)."""
        from openapi_core.templating.responses.exceptions import ResponseNotFound
        from openapi_core.templating.responses.finders import ResponseFinder

        try:
            return str(ResponseFinder(operation / "responses").find(str(status)).parts[-1])
        except ResponseNotFound:
            return None

    def _check_response(self, request: ScopeRequest, response: Any, method: str,
                        path: str, status: int) -> None:
        if response.streaming:
            return  # the test reads a streamed body; reading it here would eat it
        for exc in self.response_validator.iter_errors(request, DjangoResponse(response)):
            raise self._error(violation_from(exc), method, path, status, "response")

    def _error(self, violation: Violation, method: str, path: str, status: int,
               part: str) -> ContractError:
        return contract_error(violation, method=method, path=path, status=status, part=part)
