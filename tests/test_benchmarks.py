"""The benchmark harness's quick mode runs, so `make bench` cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# About 15 s on an idle machine, 40 s on a busy one: `make test` leaves it to `make test-slow`.
pytestmark = pytest.mark.slow


def test_quick_benchmarks_run_and_report_every_section(tmp_path):
    chart = tmp_path / "chart.png"
    # On SQLite even in a PostgreSQL run: its test database must not collide with ours.
    # In memory too: RESTFLOW_TEST_DB_NAME (a PostgreSQL test database's name) would make
    # it a file of that name in the repository, shared with any other run that sets it.
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "RESTFLOW_TEST_DB_NAME")}
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--chart", str(chart)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for expected in [
        "| sync view GET |", "httpx + ASGITransport", "bare ASGIHandler (floor)",
        "view called directly (floor)", "hops per request", "Factory path",
        "AsyncAPIClient, coalescing off", "| AsyncAPIClient / DRF APIClient, sync view GET |",
        "| AsyncAPITestCase, empty async test |",
        "| empty async test, pytest-asyncio alone |",
        "| one-request async test, plugin + AsyncAPIClient |",
        "speed-up (serial / -n 2, per round)",
        "| Django WSGI LiveServerThread |",
        "## Targets", "| factory path / hand-built AsyncRequestFactory request |",
        "| pytest -n 2 speed-up over serial at 8 tests |",
        "| list GET, 20 items |", "contract validation: with schema / without",
    ]:
        assert expected in out, f"{expected!r} missing from:\n{out}"
    assert chart.read_bytes().startswith(b"\x89PNG\r\n"), "the chart should be a PNG"
