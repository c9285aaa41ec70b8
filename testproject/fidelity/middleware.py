"""Middleware of every shape Django supports, each recording what it runs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.utils.decorators import async_only_middleware, sync_only_middleware
from django.utils.deprecation import MiddlewareMixin

from .trace import record


class Boom(Exception):
    """Raised on purpose by a middleware hook (`?boom=<hook name>`)."""


class Handled(Exception):
    """Raised by a view; `process_exception` of the mixin middleware answers it."""


def _maybe_fail(request: Any, where: str) -> None:
    if request.GET.get("boom") == where:
        raise Boom(where)


class RecordingMixin(MiddlewareMixin):
    """Every `MiddlewareMixin` hook, sync; Django runs them with stock `__acall__`."""

    label = "mixin"

    def process_request(self, request: Any) -> Any:
        record(f"{self.label}.process_request")
        _maybe_fail(request, f"{self.label}.process_request")
        if request.GET.get("short") == self.label:
            return HttpResponse(f"short-circuited by {self.label}", status=203)
        return None

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> Any:
        record(f"{self.label}.process_view")
        return None

    def process_exception(self, request: Any, exception: Exception) -> Any:
        record(f"{self.label}.process_exception:{type(exception).__name__}")
        if isinstance(exception, Handled):
            return HttpResponse("handled", status=409)
        return None

    def process_template_response(self, request: Any, response: Any) -> Any:
        record(f"{self.label}.process_template_response")
        response.context_data = {**(response.context_data or {}), "by": self.label}
        return response

    def process_response(self, request: Any, response: Any) -> Any:
        record(f"{self.label}.process_response")
        _maybe_fail(request, f"{self.label}.process_response")
        response[f"X-{self.label}"] = "seen"
        return response


class OuterMixin(RecordingMixin):
    label = "outer"


class InnerMixin(RecordingMixin):
    label = "inner"


class OwnAsyncPath(MiddlewareMixin):
    """A custom `__acall__` with its own async hook, like Django 5.2's RemoteUserMiddleware."""

    def process_request(self, request: Any) -> None:
        record("own.process_request (sync path)")

    async def aprocess_request(self, request: Any) -> None:
        record("own.aprocess_request")

    def process_response(self, request: Any, response: Any) -> Any:
        record("own.process_response")
        return response

    async def __acall__(self, request: Any) -> Any:
        await self.aprocess_request(request)
        response = await self.get_response(request)
        record("own.__acall__ after get_response")
        return response


@async_only_middleware
def async_only(get_response: Any) -> Any:
    async def middleware(request: Any) -> Any:
        record("async_only.before")
        _maybe_fail(request, "async_only")
        response = await get_response(request)
        record("async_only.after")
        return response

    return middleware


@sync_only_middleware
def sync_only(get_response: Any) -> Any:
    def middleware(request: Any) -> Any:
        record("sync_only.before")
        response = get_response(request)
        record("sync_only.after")
        return response

    return middleware


class AsyncHooks(MiddlewareMixin):
    """Stock `__acall__`, but `async def` view and template hooks: Django awaits those."""

    def process_request(self, request: Any) -> None:
        record("async_hooks.process_request")

    async def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> Any:
        record("async_hooks.process_view")
        if request.GET.get("short") == "async_hooks":
            return HttpResponse("short-circuited in process_view", status=203)
        return None

    async def process_template_response(self, request: Any, response: Any) -> Any:
        record("async_hooks.process_template_response")
        return response

    def process_response(self, request: Any, response: Any) -> Any:
        record("async_hooks.process_response")
        return response


class NotUsed(MiddlewareMixin):
    """Takes itself out of the chain when the chain is built, as Django allows."""

    def __init__(self, get_response: Any) -> None:
        record("not_used.__init__")
        raise MiddlewareNotUsed("not needed in this harness")
