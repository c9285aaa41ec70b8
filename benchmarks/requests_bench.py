"""Per-request cost: AsyncAPIClient against every alternative, interleaved.

Each round runs every (client, view) pair once in shuffled order, timing a batch of
requests; ratios are computed within a round and the median over rounds is reported.
``ours`` runs with coalescing on (the default: stock middleware hooks, the view hooks
and a sync view share one thread hop), ``ours (exact)`` with it off (Django's async
path, hop for hop).
The two floors show what is left when the test client is taken away: Django's bare
``ASGIHandler`` (the full middleware stack, fed a hand-built scope) and the view called
directly with a factory request (no middleware at all).
Run: ``python -m benchmarks.requests_bench [--quick]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")

import django

django.setup()

import httpx  # noqa: E402
from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.test import AsyncClient as DjangoAsyncClient  # noqa: E402
from django.test import AsyncRequestFactory  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402
from django.urls import resolve  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from benchmarks.common import ratio, run_per_request_bench, target  # noqa: E402
from restflow_test import AsyncAPIClient, AsyncAPIRequestFactory, force_authenticate  # noqa: E402

VIEWS = {
    "sync view GET": ("get", "/api/echo/", None),
    "async view GET": ("get", "/api/async/echo/", None),
    "JSON POST": ("post", "/api/async/echo/", {"name": "Lamp", "tags": ["a", "b"]}),
    "DB list": ("get", "/api/async/products/", None),
}

# Column order of the report; "ours" is first and every ratio is ours / the other.
CLIENTS = {
    "ours": "AsyncAPIClient",
    "exact": "AsyncAPIClient, coalescing off",
    "django": "Django AsyncClient",
    "drf": "DRF APIClient (sync)",
    "httpx": "httpx + ASGITransport",
    "asgi": "bare ASGIHandler (floor)",
    "direct": "view called directly (floor)",
}


def _timed(n: int, one: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        one()
    return (time.perf_counter() - start) / n


async def _timed_async(n: int, one) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await one()
    return (time.perf_counter() - start) / n


def _check(view: str, status: int) -> None:
    assert status == 200, f"{view}: status {status}"


class Runners:
    """One ``batch(view, n) -> seconds per request`` per client, all sync callables."""

    def __init__(self) -> None:
        self.ours = AsyncAPIClient(coalesce=True)
        self.exact = AsyncAPIClient(coalesce=False)
        self.django = DjangoAsyncClient()
        self.drf = APIClient()
        self.handler = ASGIHandler()
        self.factory = AsyncRequestFactory()

    def batch(self, who: str, view: str, n: int) -> float:
        return getattr(self, f"_{who}")(view, n)

    def _ours(self, view, n):
        return self._test_client(self.ours, view, n, {"format": "json"})

    def _exact(self, view, n):
        return self._test_client(self.exact, view, n, {"format": "json"})

    def _django(self, view, n):
        return self._test_client(self.django, view, n, {"content_type": "application/json"})

    def _test_client(self, client, view, n, json_body):
        """An async test client; `json_body` says how it is told to send JSON."""
        method, path, data = VIEWS[view]
        kwargs = {} if data is None else {"data": data, **json_body}

        async def one():
            _check(view, (await getattr(client, method)(path, **kwargs)).status_code)

        return async_to_sync(_timed_async)(n, one)

    def _drf(self, view, n):
        method, path, data = VIEWS[view]
        kwargs = {} if data is None else {"data": data, "format": "json"}
        return _timed(n, lambda: _check(view, getattr(self.drf, method)(path, **kwargs)
                                        .status_code))

    def _httpx(self, view, n):
        method, path, data = VIEWS[view]
        kwargs = {} if data is None else {"json": data}

        async def batch():
            transport = httpx.ASGITransport(app=self.handler)
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as http:
                async def one():
                    response = await http.request(method.upper(), path, **kwargs)
                    _check(view, response.status_code)

                return await _timed_async(n, one)

        return async_to_sync(batch)()

    def _asgi(self, view, n):
        method, path, data = VIEWS[view]
        body = b"" if data is None else json.dumps(data).encode()
        headers = [(b"host", b"testserver")]
        if body:
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method.upper(), "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }

        async def one():
            sent = []
            delivered = False

            async def receive():
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await asyncio.Event().wait()  # no disconnect; Django cancels this wait

            async def send(message):
                sent.append(message)

            await self.handler(dict(scope), receive, send)
            _check(view, sent[0]["status"])

        return async_to_sync(_timed_async)(n, one)

    def _direct(self, view, n):
        method, path, data = VIEWS[view]
        callback = resolve(path).func
        kwargs = {} if data is None else {"data": json.dumps(data),
                                          "content_type": "application/json"}

        def request():
            request = getattr(self.factory, method)(path, **kwargs)
            request._dont_enforce_csrf_checks = True
            return request

        if iscoroutinefunction(callback):
            async def one():
                response = await callback(request())
                response.render()
                _check(view, response.status_code)

            return async_to_sync(_timed_async)(n, one)

        def one_sync():
            response = callback(request())
            response.render()
            _check(view, response.status_code)

        return _timed(n, one_sync)


async def _factory_batches(n: int) -> dict[str, float]:
    from testproject.shop.views_async import AsyncEchoView

    view = AsyncEchoView.as_view()
    ours, theirs = AsyncAPIRequestFactory(), AsyncRequestFactory()

    async def ours_one():
        request = ours.get("/api/async/echo/")
        force_authenticate(request, None)
        await view(request)

    async def theirs_one():
        request = theirs.get("/api/async/echo/")
        request._dont_enforce_csrf_checks = True
        await view(request)

    jobs = [("ours", ours_one), ("theirs", theirs_one)]
    random.shuffle(jobs)
    return {who: await _timed_async(n, one) for who, one in jobs}


def count_hops(runners: Runners) -> dict[str, dict[str, int]]:
    """How many ``sync_to_async`` thread hops one request makes, per view and client."""
    from asgiref import sync

    counted = {"hops": 0}
    original = sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        counted["hops"] += 1
        return await original(self, *args, **kwargs)

    hops: dict[str, dict[str, int]] = {}
    sync.SyncToAsync.__call__ = counting
    try:
        for view in VIEWS:
            hops[view] = {}
            for who in ("ours", "exact", "django", "httpx", "asgi"):
                counted["hops"] = 0
                runners.batch(who, view, 1)
                hops[view][who] = counted["hops"]
    finally:
        sync.SyncToAsync.__call__ = original
    return hops


def hop_cost(n: int) -> float:
    """Seconds for one ``await sync_to_async(f)()`` round trip to the loop's sync thread."""

    def nothing() -> None:
        return None

    async def one():
        await sync_to_async(nothing)()

    return async_to_sync(_timed_async)(n, one)


def run(rounds: int, n: int) -> dict:
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    from testproject.shop.models import Product

    Product.objects.bulk_create(Product(name=f"p{i}", price="1.00") for i in range(20))
    runners = Runners()
    samples = {view: {who: [] for who in CLIENTS} for view in VIEWS}
    factory: dict[str, list[float]] = {"ours": [], "theirs": []}
    for view in VIEWS:  # warm up: middleware chains, first queries, imports
        for who in CLIENTS:
            runners.batch(who, view, 3)
    hops = count_hops(runners)
    hop_samples = []
    for _ in range(rounds):
        hop_samples.append(hop_cost(n))
        jobs = [(view, who) for view in VIEWS for who in CLIENTS]
        random.shuffle(jobs)
        for view, who in jobs:
            samples[view][who].append(runners.batch(who, view, n))
        for key, value in async_to_sync(_factory_batches)(n).items():
            factory[key].append(value)
    return {"samples": samples, "factory": factory, "rounds": rounds, "n": n,
            "hops": hops, "hop_cost": statistics.median(hop_samples)}


def report(result: dict) -> str:
    others = [who for who in CLIENTS if who != "ours"]
    lines = [
        f"{result['rounds']} rounds x {result['n']} requests per cell, interleaved; "
        "medians, in µs per request",
        "",
        "| view | " + " | ".join(CLIENTS.values()) + " |",
        "| --- |" + " ---: |" * len(CLIENTS),
    ]
    for view, s in result["samples"].items():
        cells = [f"{statistics.median(s[who]) * 1e6:.0f}" for who in CLIENTS]
        lines.append(f"| {view} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "AsyncAPIClient time divided by each alternative's, per round, median "
        "(above 1: we are slower):",
        "",
        "| view | " + " | ".join(f"ours / {CLIENTS[who]}" for who in others) + " |",
        "| --- |" + " ---: |" * len(others),
    ]
    for view, s in result["samples"].items():
        cells = [f"{ratio(s['ours'], s[who]):.2f}" for who in others]
        lines.append(f"| {view} | " + " | ".join(cells) + " |")
    cost = result["hop_cost"] * 1e6
    lines += [
        "",
        f"Where the time goes: one `sync_to_async` round trip (event loop thread to the "
        f"test's sync thread and back) costs {cost:.0f} µs here. Hops per request, counted "
        f"by wrapping asgiref's `SyncToAsync`; hops per request (the async view and DB "
        f"list make some of their own: adrf and the ORM's `a*` methods):",
        "",
        "| view | " + " | ".join(CLIENTS[who] for who in HOPS_OF) + " | hops x hop cost, "
        "coalesced / exact, µs |",
        "| --- |" + " ---: |" * (len(HOPS_OF) + 1),
    ]
    for view, counts in result["hops"].items():
        cells = [str(counts[who]) for who in HOPS_OF]
        lines.append(f"| {view} | " + " | ".join(cells) + f" | {counts['ours'] * cost:.0f} / "
                     f"{counts['exact'] * cost:.0f} |")
    f = result["factory"]
    lines += [
        "",
        f"Factory path (async view called directly): AsyncAPIRequestFactory + "
        f"force_authenticate {statistics.median(f['ours']) * 1e6:.0f} µs, hand-built "
        f"Django AsyncRequestFactory request {statistics.median(f['theirs']) * 1e6:.0f} µs, "
        f"ratio {ratio(f['ours'], f['theirs']):.2f}",
    ]
    return "\n".join(lines)


HOPS_OF = ("ours", "exact", "django", "httpx", "asgi")
# Issue #11: what a coalesced request may cost against DRF's sync APIClient.
DRF_LIMITS = {"sync view GET": 1.5, "async view GET": 0.8, "JSON POST": 1.5, "DB list": 1.5}


def targets(result: dict) -> list[dict]:
    samples = result["samples"]
    rows = [target(f"AsyncAPIClient / DRF APIClient, {view}",
                   ratio(samples[view]["ours"], samples[view]["drf"]), "<=", limit)
            for view, limit in DRF_LIMITS.items()]
    rows += [target(f"AsyncAPIClient / Django AsyncClient, {view}",
                    ratio(s["ours"], s["django"]), "<=", 0.4)
             for view, s in samples.items()]
    rows += [target(f"AsyncAPIClient, coalescing off / Django AsyncClient, {view}",
                    ratio(s["exact"], s["django"]), "<=", 1.05)
             for view, s in samples.items()]
    f = result["factory"]
    rows.append(target("factory path / hand-built AsyncRequestFactory request",
                       ratio(f["ours"], f["theirs"]), "<=", 1.10))
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_per_request_bench(__doc__, argv, run, report, targets, CLIENTS)


if __name__ == "__main__":
    sys.exit(main())
