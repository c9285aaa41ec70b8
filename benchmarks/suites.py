"""Generated pytest suites the pytest benchmarks run in a subprocess.

A suite is a temporary directory with its own ``pytest.ini`` (so the repository's
configuration does not apply) and a conftest that records how long each test's
protocol (setup, call, teardown) took, written as JSON into the ``$BENCH_TIMES``
directory (one file per process, so ``-n 2`` workers do not overwrite each other).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYTEST_INI = """\
[pytest]
DJANGO_SETTINGS_MODULE = testproject.settings
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error::RuntimeWarning
"""

TIMING_CONFTEST = '''\
import json
import os
import time

import pytest

_durations = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        _durations.append(time.perf_counter() - start)


def pytest_sessionfinish(session):
    if os.environ.get("BENCH_TIMES") and _durations:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(os.path.join(os.environ["BENCH_TIMES"], worker + ".json"), "w") as out:
            json.dump(_durations, out)
'''


def write_suite(files: dict[str, str]) -> Path:
    """A fresh suite directory holding ``files`` (name -> source) plus the harness files."""
    directory = Path(tempfile.mkdtemp(prefix="restflow-bench-"))
    (directory / "pytest.ini").write_text(PYTEST_INI)
    (directory / "conftest.py").write_text(TIMING_CONFTEST)
    for name, source in files.items():
        (directory / name).write_text(textwrap.dedent(source))
    return directory


def run_pytest(directory: Path, *args: str) -> tuple[float, list[float]]:
    """Run pytest on ``directory``; return (wall seconds, per-test durations)."""
    times = Path(tempfile.mkdtemp(prefix="times-", dir=directory))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_TIMES": str(times)}
    env.pop("DATABASE_URL", None)  # benchmarks run on SQLite, like `make bench`
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "."]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"generated suite failed ({' '.join(args)}):\n{result.stdout}\n"
                           f"{result.stderr}")
    durations = [d for path in sorted(times.iterdir()) for d in json.loads(path.read_text())]
    return wall, durations
