"""Per-test cost in pytest: async tests with our plugin against pytest-asyncio alone.

Each variant is a generated file of N tests run in its own pytest process; the time
per test is the mean of the test protocols (setup + call + teardown) after the first,
which pays for creating the test database. Variants run interleaved over rounds.
Run: ``python -m benchmarks.pytest_bench [--quick]``.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys

from benchmarks.common import parser, ratio, write_json
from benchmarks.suites import run_pytest, write_suite

EMPTY_ASYNC = """
import pytest

pytestmark = pytest.mark.django_db

{tests}
"""

BODIES = {
    "empty async": ("async def test_{i}():\n    pass\n", EMPTY_ASYNC),
    "one request, async_api_client": (
        "async def test_{i}(async_api_client):\n"
        "    assert (await async_api_client.get('/api/async/echo/')).status_code == 200\n",
        EMPTY_ASYNC),
    "one request, Django async_client": (
        "async def test_{i}(async_client):\n"
        "    assert (await async_client.get('/api/async/echo/')).status_code == 200\n",
        EMPTY_ASYNC),
    "empty sync": ("def test_{i}():\n    pass\n", EMPTY_ASYNC),
}

PLUGIN_OFF = ("-p", "no:restflow_test")

# (label, body, pytest args): what a user gets with and without restflow-test installed.
VARIANTS = [
    ("empty async test, restflow-test plugin", "empty async", ()),
    ("empty async test, pytest-asyncio alone", "empty async", PLUGIN_OFF),
    ("one-request async test, plugin + AsyncAPIClient", "one request, async_api_client", ()),
    ("one-request async test, pytest-asyncio + Django AsyncClient",
     "one request, Django async_client", PLUGIN_OFF),
    ("empty sync test, pytest-django (reference)", "empty sync", PLUGIN_OFF),
]


def _suite(body: str, n: int):
    test, module = BODIES[body]
    tests = "\n\n".join(test.format(i=i) for i in range(n + 1))
    return write_suite({"test_generated.py": module.format(tests=tests)})


def run(rounds: int, n: int) -> dict[str, list[float]]:
    suites = {body: _suite(body, n) for body in BODIES}
    samples: dict[str, list[float]] = {label: [] for label, _, _ in VARIANTS}
    try:
        for _ in range(rounds):
            order = list(VARIANTS)
            random.shuffle(order)
            for label, body, args in order:
                _, durations = run_pytest(suites[body], *args)
                assert len(durations) == n + 1, (label, len(durations))
                samples[label].append(statistics.fmean(durations[1:]))
    finally:
        for directory in suites.values():
            shutil.rmtree(directory)
    return samples


def report(samples: dict[str, list[float]], rounds: int, n: int) -> str:
    pairs = [(VARIANTS[0][0], VARIANTS[1][0]), (VARIANTS[2][0], VARIANTS[3][0])]
    lines = [f"{rounds} rounds x {n} tests per variant, one pytest process each, "
             "interleaved; mean per test within a run, median over rounds", "",
             "| variant | µs per test |", "| --- | ---: |"]
    for label, values in samples.items():
        lines.append(f"| {label} | {statistics.median(values) * 1e6:.0f} |")
    lines += ["", "| comparison | ratio (per round, median) |", "| --- | ---: |"]
    for ours, theirs in pairs:
        lines.append(f"| {ours} / {theirs} | {ratio(samples[ours], samples[theirs]):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    rounds, n = (1, 5) if args.quick else (7, 200)
    print(report(run(rounds, n), rounds, n))
    write_json(args.json, {"targets": []})
    return 0


if __name__ == "__main__":
    sys.exit(main())
