"""Live servers: start times, and requests/second over the socket against Django's
WSGI live server on the same view, interleaved. Run in a fresh process so the first
start is a real first start: ``python -m benchmarks.live_server_bench [--quick]``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")

import django

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402

from benchmarks.common import parser, ratio, write_json  # noqa: E402
from restflow_test.live_server import start_live_server  # noqa: E402

VIEW = "/api/echo/"


class WSGIServer:
    """Django's own LiveServerTestCase server thread, started the way it starts it."""

    def __init__(self) -> None:
        self.thread = LiveServerThread("127.0.0.1", StaticFilesHandler, {}, port=0)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"

    def stop(self) -> None:
        self.thread.terminate()
        self.thread.join()


def _start(kind: str):
    return WSGIServer() if kind == "wsgi" else start_live_server(kind)


def _timed_start(kind: str) -> tuple[float, object]:
    start = time.perf_counter()
    server = _start(kind)
    return time.perf_counter() - start, server


def _rate(url: str, n: int) -> float:
    with httpx.Client(base_url=url) as http:
        http.get(VIEW)
        start = time.perf_counter()
        for _ in range(n):
            assert http.get(VIEW).status_code == 200
        return n / (time.perf_counter() - start)


def run(rounds: int, n: int, restarts: int) -> str:
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    kinds = ["daphne", "uvicorn", "wsgi"]
    first, later, servers = {}, {k: [] for k in kinds}, {}
    for kind in kinds:
        first[kind], servers[kind] = _timed_start(kind)
    for _ in range(restarts):
        for kind in kinds:
            elapsed, extra = _timed_start(kind)
            later[kind].append(elapsed)
            extra.stop()
    rates: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(rounds):
        order = list(kinds)
        random.shuffle(order)
        for kind in order:
            rates[kind].append(_rate(servers[kind].url, n))
    stops = {}
    for kind in kinds:
        start = time.perf_counter()
        servers[kind].stop()
        stops[kind] = time.perf_counter() - start
    lines = [f"{rounds} rounds x {n} sequential keep-alive GETs of {VIEW} (sync DRF view), "
             f"interleaved; {restarts} restarts; medians", "",
             "| server | first start ms | later start ms | stop ms | req/s "
             "| req/s ÷ WSGI (per round) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind in kinds:
        name = {"wsgi": "Django WSGI LiveServerThread"}.get(kind, kind)
        lines.append(
            f"| {name} | {first[kind] * 1e3:.1f} | {statistics.median(later[kind]) * 1e3:.1f} "
            f"| {stops[kind] * 1e3:.1f} | {statistics.median(rates[kind]):.0f} "
            f"| {ratio(rates[kind], rates['wsgi']):.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    print(run(*((2, 10, 2) if args.quick else (10, 200, 10))))
    write_json(args.json, {"targets": []})
    return 0


if __name__ == "__main__":
    sys.exit(main())
