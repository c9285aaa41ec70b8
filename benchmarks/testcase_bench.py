"""Per-test overhead of the bases against Django's TestCase, interleaved.

Runs N empty tests per variant per round in shuffled order and reports medians and
per-round ratios. Run: ``python -m benchmarks.testcase_bench [--quick]``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import unittest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")

import django

django.setup()

from django.test import TestCase  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402

from benchmarks.common import parser, ratio, target, write_json  # noqa: E402
from restflow_test import AsyncAPITestCase  # noqa: E402


def _make(base, is_async: bool, n: int, request: bool) -> type:
    namespace = {}
    for i in range(n):
        if is_async and request:
            async def test(self):
                await self.client.get("/api/async/echo/")
        elif is_async:
            async def test(self):
                pass
        else:
            def test(self):
                pass
        namespace[f"test_{i:04d}"] = test
    return type(f"Bench{base.__name__}", (base,), namespace)


VARIANTS = {
    "AsyncAPITestCase, empty async test": (AsyncAPITestCase, True, False),
    "Django TestCase, empty sync test": (TestCase, False, False),
    "Django TestCase, empty async test": (TestCase, True, False),
    "AsyncAPITestCase, async test with one request": (AsyncAPITestCase, True, True),
}


def _time(case_class) -> float:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case_class)
    count = suite.countTestCases()
    result = unittest.TestResult()
    start = time.perf_counter()
    suite.run(result)
    elapsed = time.perf_counter() - start
    assert result.wasSuccessful(), result.errors + result.failures
    return elapsed / count


def run(rounds: int, n: int) -> dict[str, list[float]]:
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    classes = {name: _make(*spec[:2], n, spec[2]) for name, spec in VARIANTS.items()}
    for case_class in classes.values():
        _time(case_class)  # warm up
    samples: dict[str, list[float]] = {name: [] for name in classes}
    for _ in range(rounds):
        order = list(classes)
        random.shuffle(order)
        for name in order:
            samples[name].append(_time(classes[name]))
    return samples


def report(samples: dict[str, list[float]], rounds: int, n: int) -> str:
    base = samples["AsyncAPITestCase, empty async test"]
    lines = [f"{rounds} rounds x {n} tests per variant, interleaved; medians", "",
             "| variant | µs per test | AsyncAPITestCase empty async / this |",
             "| --- | ---: | ---: |"]
    for name, values in samples.items():
        lines.append(f"| {name} | {statistics.median(values) * 1e6:.0f} "
                     f"| {ratio(base, values):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    rounds, n = (2, 10) if args.quick else (15, 200)
    samples = run(rounds, n)
    print(report(samples, rounds, n))
    measured = ratio(samples["AsyncAPITestCase, empty async test"],
                     samples["Django TestCase, empty async test"])
    write_json(args.json, {"targets": [target(
        "AsyncAPITestCase empty async test / Django TestCase empty async test",
        measured, "<=", 1.0)]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
