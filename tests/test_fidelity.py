"""Differential harness: the coalesced request path behaves like Django's async path.

Each request goes through Django's `AsyncClient` (the same
`load_middleware(is_async=True)` chain as `ASGIHandler`) and through `AsyncAPIClient`
with coalescing on and off. Recorders in `testproject.fidelity` note every hook,
view and signal receiver with the thread kind it ran on (event loop, the test's
sync thread, a worker) and whether it saw the test's event loop and context
variables; the traces and responses must be identical.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception, request_finished, request_started
from django.test import AsyncClient as DjangoAsyncClient
from django.test import override_settings
from django.utils.deprecation import MiddlewareMixin

from restflow_test import AsyncAPIClient, AsyncAPITestCase
from restflow_test.coalesce import Stage
from testproject.fidelity import trace

from .helpers import problems, run_case

pytestmark = pytest.mark.django_db

M = "testproject.fidelity.middleware."
STACKS = {
    "stock": list(settings.MIDDLEWARE),
    "mixins": [M + "OuterMixin", M + "InnerMixin"],
    "own-acall-between-mixins": [M + "OuterMixin", M + "OwnAsyncPath", M + "InnerMixin"],
    "async-only-between-mixins": [M + "OuterMixin", M + "async_only", M + "InnerMixin"],
    "sync-only-between-mixins": [M + "OuterMixin", M + "sync_only", M + "InnerMixin"],
    "sync-only-innermost": [M + "OuterMixin", M + "InnerMixin", M + "sync_only"],
    "sync-only-outermost": [M + "sync_only", M + "OuterMixin", M + "InnerMixin"],
    "async-hooks-between-mixins": [M + "OuterMixin", M + "AsyncHooks", M + "InnerMixin"],
    "stock-and-every-kind": [*settings.MIDDLEWARE, M + "OuterMixin", M + "OwnAsyncPath",
                             M + "async_only", M + "AsyncHooks", M + "NotUsed", M + "InnerMixin"],
}
VIEWS = ["/sync/", "/async/", "/drf-sync/", "/adrf/", "/template/", "/missing/"]
STREAMS = ["/sync-stream/", "/async-stream/"]
QUERIES = ["", "?fail=handled", "?fail=unhandled", "?short=outer", "?short=inner",
           "?short=async_hooks",
           "?boom=outer.process_request", "?boom=inner.process_response",
           "?boom=inner.process_request", "?boom=async_only"]


async def _read(response: Any, ours: bool) -> bytes:
    if ours:
        return await response.aread()
    if not response.streaming:
        return bytes(response.content)
    if response.is_async:
        return b"".join([chunk async for chunk in response.streaming_content])
    return b"".join(response.streaming_content)


async def _outcome(client: Any, url: str) -> tuple[Any, list[tuple[str, str, bool]]]:
    """What one request shows: the response (or the exception) and the trace."""
    recorded = await trace.start()
    try:
        response = await client.get(url)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc)), recorded.events
    body = await _read(response, ours=isinstance(client, AsyncAPIClient))
    return (response.status_code, sorted(response.items()), body), recorded.events


def _clients(raise_request_exception: bool = False) -> dict[str, Any]:
    return {
        "django": DjangoAsyncClient(raise_request_exception=raise_request_exception),
        "ours, coalesced": AsyncAPIClient(raise_request_exception=raise_request_exception,
                                          coalesce=True),
        "ours, Django's path": AsyncAPIClient(
            raise_request_exception=raise_request_exception, coalesce=False),
    }


async def _compare(stack: list[str], urls: list[str], **clients: Any) -> dict[str, Any]:
    """Every url through every client; the outcomes, by client."""
    clients = clients or _clients()
    seen: dict[str, Any] = {}
    with override_settings(MIDDLEWARE=stack, ROOT_URLCONF="testproject.fidelity.urls"):
        for name, client in clients.items():
            seen[name] = [(url, *await _outcome(client, url)) for url in urls]
    return seen


def _assert_same(seen: dict[str, Any]) -> None:
    reference = seen.pop("django")
    assert any(events for _, _, events in reference), "nothing was recorded"
    for name, outcomes in seen.items():
        for (url, response, events), (_, want_response, want_events) in zip(
                outcomes, reference, strict=True):
            assert events == want_events, f"{name}, {url}: trace differs"
            assert response == want_response, f"{name}, {url}: response differs"


@pytest.mark.parametrize("stack", STACKS, ids=list(STACKS))
async def test_traces_and_responses_match_djangos_async_path(stack):
    urls = [view + query for view in VIEWS for query in QUERIES]
    _assert_same(await _compare(STACKS[stack], urls))


@pytest.mark.parametrize("stack", ["mixins", "own-acall-between-mixins"])
async def test_streaming_views_match_djangos_async_path(stack):
    _assert_same(await _compare(STACKS[stack], STREAMS + [s + "?short=inner" for s in STREAMS]))


@pytest.mark.parametrize("stack", ["mixins", "async-only-between-mixins", "stock"])
async def test_raised_exceptions_match_djangos_async_path(stack):
    urls = [view + query for view in ("/sync/", "/adrf/") for query in
            ("?fail=unhandled", "?fail=handled", "?boom=inner.process_request")]
    _assert_same(await _compare(STACKS[stack], urls, **_clients(raise_request_exception=True)))


@pytest.fixture
def receivers():
    """Sync and async receivers of the request signals, recording like the hooks."""

    def on_sync(signal: Any, **kwargs: Any) -> None:
        trace.record(f"{names[signal]} (sync receiver)")

    async def on_async(signal: Any, **kwargs: Any) -> None:
        trace.record(f"{names[signal]} (async receiver)")
        # Thread-sensitive work from an async receiver: no deadlock, same thread.
        await sync_to_async(trace.record)(f"{names[signal]} (async receiver, sync part)")

    names = {request_started: "request_started", request_finished: "request_finished",
             got_request_exception: "got_request_exception"}
    for signal in names:
        signal.connect(on_sync, dispatch_uid="fidelity-sync")
        signal.connect(on_async, dispatch_uid="fidelity-async")
    yield
    for signal in names:
        signal.disconnect(dispatch_uid="fidelity-sync")
        signal.disconnect(dispatch_uid="fidelity-async")


def _without_request_finished(seen: dict[str, Any]) -> dict[str, Any]:
    # Django's `asend` runs sync and async receivers of request_started concurrently,
    # so their relative order is a race: compare that signal's events as a set.
    return {
        name: [(url, response, sorted(e for e in events if e[0].startswith("request_started"))
                + [e for e in events if not e[0].startswith(("request_started",
                                                              "request_finished"))])
               for url, response, events in outcomes]
        for name, outcomes in seen.items()
    }


@pytest.mark.usefixtures("receivers")
async def test_request_signals_match_djangos_async_path_except_request_finished():
    urls = ["/sync/", "/adrf/", "/sync/?fail=unhandled", "/async/?boom=outer.process_request"]
    _assert_same(_without_request_finished(await _compare(STACKS["mixins"], urls)))


@pytest.mark.usefixtures("receivers")
async def test_request_finished_sync_receivers_run_on_the_sync_thread_when_coalesced():
    """The one documented difference: Django closes the response on a worker thread."""
    seen = await _compare(STACKS["mixins"], ["/sync/"])
    finished = {name: [e for e in outcomes[0][2] if e[0].startswith("request_finished")]
                for name, outcomes in seen.items()}
    assert finished["django"] == finished["ours, Django's path"] == [
        ("request_finished (sync receiver)", "worker", False),
        ("request_finished (async receiver)", "loop", True),
        ("request_finished (async receiver, sync part)", "worker", False)]
    assert finished["ours, coalesced"] == [
        ("request_finished (sync receiver)", "sync", False),
        ("request_finished (async receiver)", "loop", True),
        ("request_finished (async receiver, sync part)", "sync", False)]


async def test_stock_middleware_really_run_coalesced_in_the_harness():
    client = AsyncAPIClient(coalesce=True)
    await _compare(STACKS["stock-and-every-kind"], ["/sync/"], ours=client)
    assert isinstance(client.handler._middleware_chain, Stage)


@override_settings(RESTFLOW_COALESCE_HOPS=False)
async def test_setting_off_sends_requests_through_djangos_chain():
    client = AsyncAPIClient()
    assert (await client.get("/api/echo/")).status_code == 200
    assert not isinstance(client.handler._middleware_chain, Stage)


@override_settings(RESTFLOW_COALESCE_HOPS=False)
async def test_client_argument_wins_over_the_setting():
    client = AsyncAPIClient(coalesce=True)
    assert (await client.get("/api/echo/")).status_code == 200
    assert isinstance(client.handler._middleware_chain, Stage)


async def test_harness_fails_when_coalescing_is_forced_onto_an_own_async_path():
    def everything_mixin(middleware: type) -> bool:
        return isinstance(middleware, type) and issubclass(middleware, MiddlewareMixin)

    with mock.patch("restflow_test.coalesce.runs_stock_acall", everything_mixin):
        seen = await _compare(STACKS["own-acall-between-mixins"], ["/sync/"])
    with pytest.raises(AssertionError, match="trace differs"):
        _assert_same(seen)
    assert ("own.process_request (sync path)", "sync", False) in seen["ours, coalesced"][0][2]


async def test_a_hook_patched_after_the_first_request_is_used_like_django_does():
    def patched(self: Any, request: Any) -> None:
        trace.record("inner.process_request (patched)")

    clients = _clients()
    await _compare(STACKS["mixins"], ["/sync/"], **clients)  # chains are built now
    with mock.patch("testproject.fidelity.middleware.InnerMixin.process_request", patched):
        seen = await _compare(STACKS["mixins"], ["/sync/"], **clients)
    assert ("inner.process_request (patched)", "sync", False) in seen["django"][0][2]
    _assert_same(seen)


def test_traces_match_in_a_test_case_base_too():
    class OnTheMainThread(AsyncAPITestCase):
        """The harness inside a test-case base: the sync thread is the main thread."""

        async def test_harness(self) -> None:
            urls = ["/sync/", "/adrf/?fail=handled", "/async/?fail=unhandled",
                    "/template/?boom=inner.process_response"]
            _assert_same(await _compare(STACKS["stock-and-every-kind"], urls))

    result = run_case(OnTheMainThread)
    assert result.testsRun == 1 and not problems(result)


def test_coalesce_argument_must_be_a_bool():
    with pytest.raises(TypeError, match=r"`coalesce` must be True, False or None.*'no'"):
        AsyncAPIClient(coalesce="no")  # type: ignore[arg-type]


@override_settings(RESTFLOW_COALESCE_HOPS="off")
def test_coalesce_setting_must_be_a_bool():
    with pytest.raises(ImproperlyConfigured, match=r"RESTFLOW_COALESCE_HOPS` must be True or"):
        AsyncAPIClient()
