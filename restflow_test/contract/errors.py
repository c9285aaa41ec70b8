"""`ContractError`, and how an openapi-core error becomes one readable sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ContractError", "Violation"]

FIX = {
    "request": "Send what the schema documents, or fix the schema; a test that sends "
               "bad input on purpose can wrap the request in "
               "`with client.contract_disabled(response=False):`.",
    "response": "Fix the view or the schema.",
    "operation": "Document the operation in the schema, or wrap a request that is "
                 "off the contract on purpose in `with client.contract_disabled():`.",
}


class ContractError(AssertionError):
    """A request or response broke the OpenAPI schema the client validates against.

    A subclass of `AssertionError`, so pytest and unittest report it as a test
    failure. The message names the method, the path template, the status code, the
    JSON pointer of the first violation and the rule it broke; the same facts are
    attributes.

    Attributes:
        method: The HTTP method, upper case (`"POST"`).
        path: The documented path template (`"/api/products/{id}/"`), or the
            request path when no template matches it.
        status: The response's status code.
        part: What broke the contract: `"request"` or `"response"`.
        pointer: The JSON pointer of the first violation in the body or parameter
            (`"/price"`; `""` for the whole document).
        rule: The rule broken: a JSON Schema keyword (`"type"`, `"required"`...)
            or `"undocumented path"`, `"undocumented method"`,
            `"undocumented status"`, `"undocumented content type"`,
            `"missing body"`, `"required parameter"`.
    """

    def __init__(self, message: str, *, method: str, path: str, status: int,
                 part: str, pointer: str, rule: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.part = part
        self.pointer = pointer
        self.rule = rule


@dataclass(frozen=True)
class Violation:
    """The first thing wrong with one request or response, before it is worded."""

    where: str  # "request body", "query parameter `page`", "response body"...
    pointer: str
    rule: str
    detail: str


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _first_schema_error(exc: BaseException) -> Any:
    """The first jsonschema error behind an openapi-core error, if there is one."""
    cause: BaseException | None = exc
    while cause is not None:
        errors = list(getattr(cause, "schema_errors", None) or [])
        if errors:
            # jsonschema lists the errors in schema order; the shallowest is the
            # most readable (a missing property before the properties under it).
            return min(errors, key=lambda e: len(e.absolute_path))
        cause = cause.__cause__
    return None


def _where(exc: BaseException) -> str:
    """Which part of the exchange an openapi-core validation error is about."""
    from openapi_core.validation.request.exceptions import (
        ParameterValidationError,
        RequestBodyValidationError,
    )
    from openapi_core.validation.response.exceptions import (
        DataValidationError,
        HeaderValidationError,
    )

    if isinstance(exc, RequestBodyValidationError):
        return "request body"
    if isinstance(exc, ParameterValidationError):
        return f"{exc.location} parameter `{exc.name}`"
    if isinstance(exc, DataValidationError):
        return "response body"
    if isinstance(exc, HeaderValidationError):
        return f"response header `{getattr(exc, 'name', '')}`"
    return "request" if "request" in type(exc).__module__ else "response"


def violation_from(exc: BaseException) -> Violation:
    """Word an openapi-core validation error: where, JSON pointer, rule, detail."""
    from openapi_core.casting.schemas.exceptions import CastError
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.validation.request.exceptions import (
        MissingRequiredParameter,
        MissingRequiredRequestBody,
    )
    from openapi_core.validation.response.exceptions import MissingData

    where = _where(exc)

    schema_error = _first_schema_error(exc)
    if schema_error is not None:
        return Violation(where, _pointer(schema_error.absolute_path),
                         str(schema_error.validator), schema_error.message)
    cause = exc.__cause__ or exc
    if isinstance(cause, CastError):  # a parameter's text that is not of its type
        return Violation(where, "", "type", f"{cause.value!r} is not of type {cause.type!r}")
    if isinstance(cause, MediaTypeNotFound):
        return Violation(where, "", "undocumented content type",
                         f"`{cause.mimetype}` is not one of the documented content types "
                         f"{', '.join(f'`{m}`' for m in cause.availableMimetypes)}")
    if isinstance(exc, MissingRequiredParameter):
        return Violation(where, "", "required parameter",
                         "the parameter is required but missing")
    if isinstance(exc, (MissingRequiredRequestBody, MissingData)):
        return Violation(where, "", "missing body",
                         "the schema documents a body but there is none")
    return Violation(where, "", type(cause).__name__, str(cause))


def contract_error(violation: Violation, *, method: str, path: str, status: int,
                   part: str) -> ContractError:
    """The `ContractError` for one violation, worded for the test's reader."""
    at = f" at `{violation.pointer}`" if violation.pointer else ""
    what = f"the {violation.where}{at} breaks" if violation.where else "breaks"
    fix = "operation" if violation.rule in ("undocumented path", "undocumented method") else part
    message = (f"{method} {path} → {status}: {what} rule `{violation.rule}`: "
               f"{violation.detail}. {FIX[fix]}")
    return ContractError(message, method=method, path=path, status=status, part=part,
                         pointer=violation.pointer, rule=violation.rule)
