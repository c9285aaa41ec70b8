"""``python -m benchmarks [--quick]``: run every benchmark, check the targets, and
rewrite docs/benchmarks.md and its chart (the quick mode writes neither)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.chart import draw

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "img" / "benchmarks.png"
BENCHES = {
    "requests": ("Per request", "benchmarks.requests_bench"),
    "testcases": ("Per test: test-case bases", "benchmarks.testcase_bench"),
    "pytest": ("Per test: pytest", "benchmarks.pytest_bench"),
    "scale": ("Scale: suite size, serial and -n 2", "benchmarks.scale_bench"),
    "live": ("Live server", "benchmarks.live_server_bench"),
    "contract": ("Contract validation", "benchmarks.contract_bench"),
}


def _run(module: str, quick: bool, scratch: Path) -> tuple[str, dict]:
    data = scratch / f"{module}.json"
    command = [sys.executable, "-m", module, "--json", str(data)]
    command += ["--quick"] if quick else []
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{module} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout, json.loads(data.read_text())


def _targets(rows: list[dict]) -> str:
    lines = ["| target | measured | limit | met |", "| --- | ---: | ---: | --- |"]
    for row in rows:
        lines.append(f"| {row['name']} | {row['measured']:.2f} | {row['op']} {row['limit']:.2f} "
                     f"| {'yes' if row['met'] else '**no**'} |")
    return "\n".join(lines)


def _machine() -> str:
    import django
    import rest_framework

    return (f"Python {platform.python_version()}, Django {django.__version__}, "
            f"DRF {rest_framework.__version__}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs ({platform.platform()})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="seconds, not minutes; draws the chart to a temporary file "
                             "and leaves the docs alone")
    parser.add_argument("--chart", type=Path, help="where to draw the chart (default: "
                        "docs/img/benchmarks.png, or a temporary file with --quick)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sections, data, rows = [], {}, []
        for key, (title, module) in BENCHES.items():
            output, data[key] = _run(module, args.quick, Path(scratch))
            rows += data[key]["targets"]
            sections.append(f"## {title}\n\n{output}")
            print(sections[-1], flush=True)
        targets = _targets(rows)
        print(f"## Targets\n\n{targets}")
        chart = args.chart or (Path(scratch) / "benchmarks.png" if args.quick else CHART)
        draw(data["requests"], data["scale"], chart)
        print(f"\nchart: {chart} ({chart.stat().st_size} bytes)")
    if not args.quick:
        header = (ROOT / "benchmarks" / "page_header.md").read_text()
        PAGE.write_text(header.replace("{machine}", _machine()) + "\n## Targets\n\n"
                        + targets + "\n\n![Per-request cost and suite wall time]"
                        "(img/benchmarks.png)\n\n" + "\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
