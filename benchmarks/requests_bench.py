"""Per-request cost: AsyncAPIClient against the alternatives, interleaved.

Each round runs every (client, view) pair once in shuffled order, timing a batch of
requests; ratios to Django's AsyncClient are computed per round and the median is
reported. Run: ``python -m benchmarks.requests_bench [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")

import django

django.setup()

from asgiref.sync import async_to_sync  # noqa: E402
from django.test import AsyncClient as DjangoAsyncClient  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from benchmarks.common import ratio  # noqa: E402
from restflow_test import AsyncAPIClient, AsyncAPIRequestFactory, force_authenticate  # noqa: E402

VIEWS = {
    "sync view GET": ("get", "/api/echo/", None),
    "async view GET": ("get", "/api/async/echo/", None),
    "JSON POST": ("post", "/api/async/echo/", {"name": "Lamp", "tags": ["a", "b"]}),
    "DB list": ("get", "/api/async/products/", None),
}


def _call(client, method, path, data, kwargs):
    if data is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data, **kwargs)


async def _batch_async(client, view, n, kwargs):
    method, path, data = VIEWS[view]
    start = time.perf_counter()
    for _ in range(n):
        response = await _call(client, method, path, data, kwargs)
        assert response.status_code == 200, (view, response.status_code)
    return (time.perf_counter() - start) / n


def _batch_sync(client, view, n):
    method, path, data = VIEWS[view]
    start = time.perf_counter()
    for _ in range(n):
        response = _call(client, method, path, data, {"format": "json"})
        assert response.status_code == 200
    return (time.perf_counter() - start) / n


async def _factory_batches(n):
    from testproject.shop.views_async import AsyncEchoView

    view = AsyncEchoView.as_view()
    ours = AsyncAPIRequestFactory()
    from django.test import AsyncRequestFactory

    theirs = AsyncRequestFactory()
    out = {}
    start = time.perf_counter()
    for _ in range(n):
        request = ours.get("/api/async/echo/")
        force_authenticate(request, None)
        await view(request)
    out["ours"] = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        request = theirs.get("/api/async/echo/")
        request._dont_enforce_csrf_checks = True
        await view(request)
    out["theirs"] = (time.perf_counter() - start) / n
    return out


def run(rounds: int, n: int) -> dict:
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    from testproject.shop.models import Product

    for i in range(20):
        Product.objects.create(name=f"p{i}", price="1.00")
    ours, django_client, drf = AsyncAPIClient(), DjangoAsyncClient(), APIClient()
    json_kwargs = {"ours": {"format": "json"}, "django": {"content_type": "application/json"}}
    samples = {view: {"ours": [], "django": [], "drf": []} for view in VIEWS}
    factory = {"ours": [], "theirs": []}
    for view in VIEWS:  # warm up: middleware loading, first queries
        async_to_sync(_batch_async)(ours, view, 3, json_kwargs["ours"])
        async_to_sync(_batch_async)(django_client, view, 3, json_kwargs["django"])
        _batch_sync(drf, view, 3)
    for _ in range(rounds):
        jobs = [(view, who) for view in VIEWS for who in ("ours", "django", "drf")]
        random.shuffle(jobs)
        for view, who in jobs:
            if who == "drf":
                samples[view][who].append(_batch_sync(drf, view, n))
            else:
                client = ours if who == "ours" else django_client
                samples[view][who].append(
                    async_to_sync(_batch_async)(client, view, n, json_kwargs[who])
                )
        for key, value in async_to_sync(_factory_batches)(n).items():
            factory[key].append(value)
    return {"samples": samples, "factory": factory, "rounds": rounds, "n": n}


def report(result: dict) -> str:
    lines = [
        f"{result['rounds']} rounds x {result['n']} requests, interleaved; medians",
        "",
        "| view | AsyncAPIClient µs | Django AsyncClient µs | DRF APIClient (sync) µs "
        "| ours / Django (per-round median) | ours / DRF sync |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for view, s in result["samples"].items():
        lines.append(
            f"| {view} | {statistics.median(s['ours']) * 1e6:.0f} "
            f"| {statistics.median(s['django']) * 1e6:.0f} "
            f"| {statistics.median(s['drf']) * 1e6:.0f} "
            f"| {ratio(s['ours'], s['django']):.2f} | {ratio(s['ours'], s['drf']):.2f} |"
        )
    f = result["factory"]
    lines += [
        "",
        f"Factory path (async view called directly): AsyncAPIRequestFactory + "
        f"force_authenticate {statistics.median(f['ours']) * 1e6:.0f} µs, hand-built "
        f"Django AsyncRequestFactory request {statistics.median(f['theirs']) * 1e6:.0f} µs, "
        f"ratio {ratio(f['ours'], f['theirs']):.2f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few seconds, for CI")
    args = parser.parse_args(argv)
    rounds, n = (2, 5) if args.quick else (15, 40)
    print(report(run(rounds, n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
