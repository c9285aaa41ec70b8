"""What every benchmark shares: the per-round ratio, targets, and the --json option."""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any


def ratio(ours: list[float], theirs: list[float]) -> float:
    """Median over rounds of ours/theirs, each pair measured in the same round."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))


def target(name: str, measured: float, op: str, limit: float) -> dict[str, Any]:
    """One target row; ``op`` is "<=" or ">=" and says which side of ``limit`` is met."""
    met = measured <= limit if op == "<=" else measured >= limit
    return {"name": name, "measured": measured, "op": op, "limit": limit, "met": met}


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every benchmark module takes."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--quick", action="store_true", help="a few seconds, for the test suite")
    parser.add_argument("--json", help="also write data and targets to this file (for the "
                                       "docs page and the chart)")
    return parser


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        with open(path, "w") as out:
            json.dump(data, out)


def run_per_request_bench(doc: str | None, argv: list[str] | None, run: Any, report: Any,
                          targets: Any, clients: Any) -> int:
    """`main()` of a per-request benchmark: run, print, and write medians and targets."""
    args = parser(doc).parse_args(argv)
    rounds, n = (2, 5) if args.quick else (15, 40)
    result = run(rounds, n)
    print(report(result))
    medians = {view: {who: statistics.median(values) for who, values in s.items()}
               for view, s in result["samples"].items()}
    write_json(args.json, {"medians": medians, "clients": clients,
                           "targets": targets(result)})
    return 0
