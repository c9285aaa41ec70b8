"""An install of the package exposes `restflow_test` and nothing else of the repository."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The repository's own top-level modules: a user's `tests` or `examples` must win.
PRIVATE = ("tests", "testproject", "examples", "benchmarks", "scripts", "conftest")

FIND_SPECS = """
import importlib.util, json, sys
specs = {name: importlib.util.find_spec(name) for name in sys.argv[1:]}
print(json.dumps({
    name: spec and (spec.origin or " ".join(spec.submodule_search_locations or ()))
    for name, spec in specs.items()
}))
"""


def test_only_restflow_test_is_importable_from_another_directory(tmp_path):
    """Holds for the editable install (`make demo`, hatchling's `dev-mode-exact`) and a wheel."""
    result = subprocess.run(
        [sys.executable, "-c", FIND_SPECS, "restflow_test", *PRIVATE],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True,
    )
    origins = json.loads(result.stdout)
    assert origins["restflow_test"], "restflow_test is not importable from another directory"
    leaked = {name: origins[name] for name in PRIVATE if str(ROOT) in (origins[name] or "")}
    assert not leaked, (
        f"The install puts the repository root on sys.path, so these shadow a user's own: "
        f"{leaked}. Keep `dev-mode-exact = true` under [tool.hatch.build.targets.wheel]."
    )


def test_the_suite_still_finds_the_test_project():
    """pytest's `pythonpath = ["."]` puts back, for our own runs, what the install hides."""
    spec = importlib.util.find_spec("testproject")
    assert spec and spec.origin and spec.origin.startswith(str(ROOT))
