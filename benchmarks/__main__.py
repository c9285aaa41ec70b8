"""``python -m benchmarks [--quick]``: run every benchmark and rewrite docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    ("Per request", "benchmarks.requests_bench"),
    ("Per test", "benchmarks.testcase_bench"),
    ("Live server", "benchmarks.live_server_bench"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="seconds, not minutes; no docs")
    args = parser.parse_args()
    sections = []
    for title, module in BENCHES:
        command = [sys.executable, "-m", module] + (["--quick"] if args.quick else [])
        output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True,
                                text=True).stdout
        print(f"## {title}\n\n{output}")
        sections.append(f"## {title}\n\n{output}")
    if not args.quick:
        import django
        import rest_framework

        machine = (f"Python {platform.python_version()}, Django {django.__version__}, "
                   f"DRF {rest_framework.__version__}, {platform.machine()}, "
                   f"{os.cpu_count()} CPUs ({platform.platform()})")
        page = (ROOT / "benchmarks" / "page_header.md").read_text()
        (ROOT / "docs" / "benchmarks.md").write_text(
            page.replace("{machine}", machine) + "\n" + "\n".join(sections)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
