"""Coalesced request path: Django's async middleware chain with fewer thread hops.

In async mode Django sends every sync hook of a `MiddlewareMixin` middleware
(`process_request`, `process_response`), every `process_view` hook, the sync view
and the render through its own `sync_to_async` call, each to the same thread. This
module builds the chain Django's `load_middleware(is_async=True)` builds, with one
difference: a middleware whose async path is exactly `MiddlewareMixin`'s stock
`__acall__` (sync hooks, wrapped one by one) becomes a *stage* that runs its hooks
as plain calls on that thread. Consecutive stages, the view hooks, a sync view and
the render then share one `sync_to_async` call.

Stages are generators that run on the sync thread and yield a `(function, args)`
pair whenever Django's async path would run something on the event loop (an async
view, an async hook, a middleware with its own async path); the driver awaits it on
the loop and resumes the generator in the next hop. Everything that is not a stock
`MiddlewareMixin` is built and run by Django's own code, unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response, response_for_exception
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

__all__ = ["COALESCE_SETTING", "coalesce_enabled", "drive", "load_coalesced_middleware",
           "runs_stock_acall"]

COALESCE_SETTING = "RESTFLOW_COALESCE_HOPS"
HOOKS = ("process_request", "process_response", "process_view",
         "process_template_response", "process_exception")

logger = logging.getLogger("django.request")

# What a stage yields: a callable for the event loop and its arguments.
LoopCall = tuple[Callable[..., Awaitable[Any]], tuple[Any, ...]]
Steps = Generator[LoopCall, Any, Any]


def coalesce_enabled(coalesce: bool | None) -> bool:
    """The client's choice, else `settings.RESTFLOW_COALESCE_HOPS` (default on).

    Raises:
        TypeError: `coalesce` is not `True`, `False` or `None`.
        ImproperlyConfigured: The setting is not `True` or `False`.
    """
    if coalesce is not None:
        if not isinstance(coalesce, bool):
            raise TypeError(
                f"`coalesce` must be True, False or None (None follows "
                f"`settings.{COALESCE_SETTING}`), got {coalesce!r}.")
        return coalesce
    configured = getattr(settings, COALESCE_SETTING, True)
    if not isinstance(configured, bool):
        raise ImproperlyConfigured(
            f"`settings.{COALESCE_SETTING}` must be True or False, got {configured!r}.")
    return configured


def runs_stock_acall(middleware: type) -> bool:
    """Whether a middleware class's async mode is exactly `MiddlewareMixin.__acall__`.

    True for a `MiddlewareMixin` subclass that overrides neither `__call__` nor
    `__acall__` and whose hooks are all sync functions: in async mode Django then
    only wraps each hook in `sync_to_async`, which a stage can do as plain calls
    on the same thread. Anything else (its own `__acall__`, an async hook, a plain
    function or class middleware) keeps Django's path.
    """
    if not (isinstance(middleware, type) and issubclass(middleware, MiddlewareMixin)):
        return False
    if (middleware.__call__ is not MiddlewareMixin.__call__
            or middleware.__acall__ is not MiddlewareMixin.__acall__):
        return False
    return not any(iscoroutinefunction(getattr(middleware, name, None)) for name in HOOKS)


def _advance(steps: Steps, value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """Run a stage on the sync thread up to its next loop call, or to its end."""
    try:
        call = steps.throw(error) if error is not None else steps.send(value)
    except StopIteration as stop:
        return True, stop.value
    return False, call


_hop = sync_to_async(_advance, thread_sensitive=True)


async def drive(steps: Steps) -> Any:
    """Run a stage: one thread hop per stretch of sync work, loop calls in between."""
    value: Any = None
    error: BaseException | None = None
    while True:
        done, result = await _hop(steps, value, error)
        if done:
            return result
        function, args = result
        value, error = None, None
        try:
            value = await function(*args)
        except Exception as exc:
            error = exc


def _convert(request: Any, exc: Exception) -> Any:
    """`response_for_exception` where Django's async wrapper runs it: a worker thread.

    Called inside the `except` block on the sync thread; asgiref carries the
    exception into the worker, so receivers of `got_request_exception` see it in
    `sys.exc_info()` there, as with Django's path.
    """
    return async_to_sync(sync_to_async(response_for_exception, thread_sensitive=False))(
        request, exc)


class Stage:
    """A piece of the chain that runs on the sync thread; awaitable like a handler."""

    def __init__(self) -> None:
        markcoroutinefunction(self)

    def steps(self, request: Any) -> Steps:
        raise NotImplementedError

    async def __call__(self, request: Any) -> Any:
        return await drive(self.steps(request))


class LoopStage(Stage):
    """A handler Django built (async), awaited on the event loop."""

    def __init__(self, handler: Callable[[Any], Awaitable[Any]]) -> None:
        super().__init__()
        self.handler = handler

    def steps(self, request: Any) -> Steps:
        return (yield (self.handler, (request,)))


class MixinStage(Stage):
    """A stock `MiddlewareMixin` in async mode: `__acall__` without the hops.

    Also plays the `convert_exception_to_response` wrapper Django puts around it.
    """

    def __init__(self, middleware: Any, inner: Stage) -> None:
        super().__init__()
        self.middleware = middleware
        self.inner = inner

    def steps(self, request: Any) -> Steps:
        # Hooks are looked up per request, as `__acall__` does (a patched hook counts).
        middleware = self.middleware
        try:
            response = None
            if hasattr(middleware, "process_request"):
                response = middleware.process_request(request)
            response = response or (yield from self.inner.steps(request))
            if hasattr(middleware, "process_response"):
                response = middleware.process_response(request, response)
        except Exception as exc:
            response = _convert(request, exc)
        return response


class ViewStage(Stage):
    """Django's `_get_response_async` (resolve, view hooks, view, render) as a stage.

    Sync hooks, a sync view and a sync render run in the current hop; an async
    view, async hook or async render is awaited on the loop, as Django does.
    """

    def __init__(self, handler: BaseHandler) -> None:
        super().__init__()
        self.handler = handler
        self.view_hooks: list[Callable[..., Any]] = []
        self.template_hooks: list[Callable[..., Any]] = []

    def steps(self, request: Any) -> Steps:
        try:
            return (yield from self._respond(request))
        except Exception as exc:
            return _convert(request, exc)

    def _respond(self, request: Any) -> Steps:
        handler = self.handler
        response = None
        callback, callback_args, callback_kwargs = handler.resolve_request(request)
        for hook in self.view_hooks:
            response = yield from _call(hook, request, callback, callback_args,
                                        callback_kwargs)
            if response:
                break
        if response is None:
            view = handler.make_view_atomic(callback)
            try:
                response = yield from _call(view, request, *callback_args, **callback_kwargs)
            except Exception as exc:
                response = handler.process_exception_by_middleware(exc, request)
                if response is None:
                    raise
        handler.check_response(response, callback)
        if hasattr(response, "render") and callable(response.render):
            for hook in self.template_hooks:
                response = yield from _call(hook, request, response)
                handler.check_response(
                    response, hook,
                    name=f"{type(getattr(hook, '__self__', hook)).__name__}"
                         ".process_template_response")
            try:
                response = yield from _call(response.render)
            except Exception as exc:
                response = handler.process_exception_by_middleware(exc, request)
                if response is None:
                    raise
        if asyncio.iscoroutine(response):
            raise RuntimeError("Response is still a coroutine.")
        return response


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Steps:
    """Call `function` here if it is sync; await it on the loop if it is async."""
    if iscoroutinefunction(function):
        return (yield (_awaited(function, kwargs), args))
    return function(*args, **kwargs)


def _awaited(function: Callable[..., Awaitable[Any]],
             kwargs: dict[str, Any]) -> Callable[..., Awaitable[Any]]:
    if not kwargs:
        return function

    async def call(*args: Any) -> Any:
        return await function(*args, **kwargs)

    return call


def load_coalesced_middleware(handler: Any) -> Callable[[Any], Awaitable[Any]]:
    """Build `settings.MIDDLEWARE` as `handler.load_middleware(is_async=True)` does.

    Each middleware gets the mode Django would give it, in the same order, with the
    same adapters; stock `MiddlewareMixin` middleware in async mode become stages.
    Fills the handler's hook lists like Django and returns the chain (an async
    callable, a `Stage` when the outermost middleware is one).
    """
    view_stage = ViewStage(handler)
    handler._view_middleware = []
    handler._template_response_middleware = []
    exception_hooks: list[Any] = []
    handler._exception_middleware = exception_hooks
    current: Any = view_stage
    current_is_async = True
    for path in reversed(settings.MIDDLEWARE):
        middleware = import_string(path)
        can_sync = getattr(middleware, "sync_capable", True)
        can_async = getattr(middleware, "async_capable", False)
        if not can_sync and not can_async:
            raise RuntimeError(f"Middleware {path} must have at least one of "
                               "sync_capable/async_capable set to True.")
        is_async = can_async if current_is_async or not can_sync else False
        try:
            adapted = handler.adapt_method_mode(is_async, current, current_is_async,
                                                debug=settings.DEBUG,
                                                name=f"middleware {path}")
            instance = middleware(adapted)
        except MiddlewareNotUsed as exc:
            if settings.DEBUG:
                logger.debug("MiddlewareNotUsed(%r): %s", path, exc)
            continue
        current = adapted
        if instance is None:
            raise ImproperlyConfigured(f"Middleware factory {path} returned None.")
        _register_hooks(handler, view_stage, instance, exception_hooks)
        if is_async and runs_stock_acall(middleware):
            inner = current if isinstance(current, Stage) else LoopStage(current)
            current = MixinStage(instance, inner)
        else:
            current = convert_exception_to_response(instance)
        current_is_async = is_async
    chain: Callable[[Any], Awaitable[Any]] = handler.adapt_method_mode(True, current,
                                                                      current_is_async)
    return chain


def _register_hooks(handler: Any, view_stage: ViewStage, instance: Any,
                    exception_hooks: list[Any]) -> None:
    """Django's hook lists (async-adapted), plus the plain methods for the view stage.

    The view stage calls the plain `process_view`/`process_template_response`
    methods (sync ones in the hop, async ones on the loop); exception hooks are
    sync-adapted in both modes, as Django does, and Django's own
    `process_exception_by_middleware` runs them.
    """
    if hasattr(instance, "process_view"):
        view_stage.view_hooks.insert(0, instance.process_view)
        handler._view_middleware.insert(
            0, handler.adapt_method_mode(True, instance.process_view))
    if hasattr(instance, "process_template_response"):
        view_stage.template_hooks.append(instance.process_template_response)
        handler._template_response_middleware.append(
            handler.adapt_method_mode(True, instance.process_template_response))
    if hasattr(instance, "process_exception"):
        exception_hooks.append(handler.adapt_method_mode(False, instance.process_exception))
