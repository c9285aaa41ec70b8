"""Scale: wall time of a generated suite of API tests, serial and with ``pytest -n 2``.

The suite mixes what DRF projects test: async and sync views, forced auth, ORM writes
in the test, JSON posts. Wall time includes interpreter start, collection and test
database creation, as a user sees it. Sizes and modes run interleaved over rounds.
Run: ``python -m benchmarks.scale_bench [--quick]``.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys

from benchmarks.common import parser, ratio, target, write_json
from benchmarks.suites import run_pytest, write_suite

MODULE_HEADER = """
import pytest
from django.contrib.auth import get_user_model

from testproject.shop.models import Product

pytestmark = pytest.mark.django_db
"""

# Four test shapes, cycled; {i} keeps names unique.
TESTS = [
    """
async def test_echo_{i}(async_api_client):
    response = await async_api_client.get("/api/async/echo/", HTTP_X_TRACE="{i}")
    assert response.json()["headers"]["HTTP_X_TRACE"] == "{i}"
""",
    """
async def test_create_{i}(async_api_client):
    user = await get_user_model().objects.acreate(username="u{i}")
    async_api_client.force_authenticate(user)
    response = await async_api_client.post("/api/products/", {{"name": "n{i}", "price": "2.50"}})
    assert response.status_code == 201, response.content
    assert await Product.objects.acount() == 1
""",
    """
async def test_list_{i}(async_api_client):
    await Product.objects.abulk_create([Product(name=f"p{{k}}", price="1.00") for k in range(3)])
    response = await async_api_client.get("/api/async/products/")
    assert len(response.json()) == 3
""",
    """
def test_sync_list_{i}(client):
    Product.objects.create(name="s{i}", price="1.00")
    assert len(client.get("/api/products/").json()) == 1
""",
]

FILE_SIZE = 50
MODES = {"serial": (), "-n 2": ("-n", "2")}


def _files(size: int) -> dict[str, str]:
    files = {}
    for start in range(0, size, FILE_SIZE):
        tests = "".join(TESTS[i % len(TESTS)].format(i=i)
                        for i in range(start, min(start + FILE_SIZE, size)))
        files[f"test_api_{start // FILE_SIZE:03d}.py"] = MODULE_HEADER + tests
    return files


def run(rounds: int, sizes: list[int]) -> dict[tuple[int, str], list[float]]:
    suites = {size: write_suite(_files(size)) for size in sizes}
    samples: dict[tuple[int, str], list[float]] = {(s, m): [] for s in sizes for m in MODES}
    try:
        for _ in range(rounds):
            jobs = list(samples)
            random.shuffle(jobs)
            for size, mode in jobs:
                wall, durations = run_pytest(suites[size], *MODES[mode])
                assert len(durations) == size, (size, mode, len(durations))
                samples[size, mode].append(wall)
    finally:
        for directory in suites.values():
            shutil.rmtree(directory)
    return samples


def report(samples: dict[tuple[int, str], list[float]], rounds: int) -> str:
    sizes = sorted({size for size, _ in samples})
    lines = [f"{rounds} rounds, sizes and modes interleaved; wall seconds, median over rounds",
             "", "| tests | serial s | -n 2 s | ms per test serial | ms per test -n 2 "
             "| speed-up (serial / -n 2, per round) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in sizes:
        serial, parallel = samples[size, "serial"], samples[size, "-n 2"]
        lines.append(
            f"| {size} | {statistics.median(serial):.2f} | {statistics.median(parallel):.2f} "
            f"| {statistics.median(serial) / size * 1e3:.1f} "
            f"| {statistics.median(parallel) / size * 1e3:.1f} | {ratio(serial, parallel):.2f} |"
        )
    if len(sizes) >= 2:
        lines += ["", _marginal(samples, sizes[-2], sizes[-1])]
    return "\n".join(lines)


def _marginal(samples: dict[tuple[int, str], list[float]], small: int, large: int) -> str:
    """Split wall time into a fixed start-up cost and a cost per test (two-point fit)."""
    fits = {}
    for mode in MODES:
        low, high = (statistics.median(samples[size, mode]) for size in (small, large))
        per_test = (high - low) / (large - small)
        fits[mode] = (low - per_test * small, per_test)
    (fixed_s, each_s), (fixed_p, each_p) = fits["serial"], fits["-n 2"]
    text = (f"Fitted from {small} and {large} tests: serial = {fixed_s:.2f} s + "
            f"{each_s * 1e3:.1f} ms per test; -n 2 = {fixed_p:.2f} s + {each_p * 1e3:.1f} ms "
            f"per test. Per test, two workers are {each_s / each_p:.2f}x faster; the gap "
            f"is the {fixed_p - fixed_s:.2f} s more that starting the workers costs.")
    if each_s > 1.6 * each_p:
        crossover = max(0.0, (1.6 * fixed_p - fixed_s) / (each_s - 1.6 * each_p))
        text += f" At this rate -n 2 reaches 1.6x from about {crossover:.0f} tests."
    return text


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    rounds, sizes = (1, [8]) if args.quick else (3, [200, 400, 800])
    samples = run(rounds, sizes)
    print(report(samples, rounds))
    largest = max(sizes)
    write_json(args.json, {
        "walls": {mode: {size: statistics.median(samples[size, mode]) for size in sizes}
                  for mode in MODES},
        "targets": [target(f"pytest -n 2 speed-up over serial at {largest} tests",
                           ratio(samples[largest, "serial"], samples[largest, "-n 2"]),
                           ">=", 1.6)],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
