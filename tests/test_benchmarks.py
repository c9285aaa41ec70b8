"""The benchmark harness's quick mode runs, so `make bench` cannot rot."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_run_and_report_ratios():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "| sync view GET |" in result.stdout
    assert "Factory path" in result.stdout
    assert "| AsyncAPITestCase, empty async test |" in result.stdout
    assert "| Django WSGI LiveServerThread |" in result.stdout
