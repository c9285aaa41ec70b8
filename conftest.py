"""Repository-wide pytest set-up (the package's own suite, not the plugin).

- Subprocesses the suite starts (pytester runs, `python -O` checks) find the test project
  as the suite does: the install exposes `restflow_test` only (see pyproject.toml), and
  pytest's `pythonpath` setting reaches this process alone.
- `make test` deselects the tests marked `slow`, `browser` and `postgres`; pytest alone
  would print "N deselected", so the summary names them and how to run them. Under
  pytest-xdist the workers collect, and each hands its list to the controller.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# marker -> (what it is, how to run it)
SLOW_MARKERS = {
    "slow": ("benchmark smoke", "make test-slow"),
    "browser": ("browser", "make test-slow"),
    "postgres": ("PostgreSQL-only", "make test-postgres"),
}
DESELECTED = pytest.StashKey[dict[str, str]]()  # node id -> marker
WORKER_OUTPUT_KEY = "restflow_deselected"


def pytest_configure(config: pytest.Config) -> None:
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    config.stash[DESELECTED] = {}


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        marker = next((name for name in SLOW_MARKERS if item.get_closest_marker(name)), None)
        if marker:
            item.config.stash[DESELECTED][item.nodeid] = marker


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: report to the controller
        workeroutput[WORKER_OUTPUT_KEY] = session.config.stash[DESELECTED]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # type: ignore[no-untyped-def]
    node.config.stash[DESELECTED].update(node.workeroutput.get(WORKER_OUTPUT_KEY, {}))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    deselected = config.stash[DESELECTED]
    if not deselected or hasattr(config, "workeroutput"):
        return
    counts = {name: list(deselected.values()).count(name) for name in SLOW_MARKERS}
    kinds = [name for name, count in counts.items() if count]
    what = ", ".join(f"{counts[name]} {SLOW_MARKERS[name][0]}" for name in kinds)
    how = " and ".join(dict.fromkeys(f"`{SLOW_MARKERS[name][1]}`" for name in kinds))
    terminalreporter.write_sep("=", "slow checks left out", yellow=True)
    tests = "test" if len(deselected) == 1 else "tests"
    terminalreporter.write_line(
        f"{len(deselected)} slow {tests} deselected ({what}). To run: {how}; CI runs them all."
    )
