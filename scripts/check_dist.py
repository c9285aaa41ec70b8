"""Check what `make dist` built, the way a new user meets it.

1. The wheel holds the `restflow_test` package and its metadata, nothing else, and the
   metadata ships the LICENSE.
2. In a fresh virtualenv outside the repository, the wheel (with its `pytest` extra, plus
   adrf for the test project's async views) passes the Getting started page as written:
   its pytest configuration and its two first test files, run against a copy of the test
   project standing in for the user's own.

Usage: python scripts/check_dist.py [dist-dir]   (what `make dist` runs)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)
INCLUDE = re.compile(r'^--8<-- "([^":]+)(?::[\w-]+)?"$', re.M)


def check_wheel_contents(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = next(name.split("/")[0] for name in names if ".dist-info/" in name)
    stray = [n for n in names if not n.startswith(("restflow_test/", f"{dist_info}/"))]
    if stray:
        sys.exit(f"{wheel.name} holds files outside restflow_test: {stray}")
    if f"{dist_info}/licenses/LICENSE" not in names:
        sys.exit(f"{wheel.name} does not ship LICENSE in {dist_info}/licenses/")
    for required in ("restflow_test/__init__.py", "restflow_test/py.typed"):
        if required not in names:
            sys.exit(f"{wheel.name} lacks {required}")
    print(f"{wheel.name}: restflow_test and LICENSE only ({len(names)} files)")


def getting_started_project(into: Path) -> None:
    """Lay out a project as the Getting started page tells a user to."""
    page = (ROOT / "docs" / "getting-started.md").read_text()
    (toml,) = [body for lang, body in FENCE.findall(page) if lang == "toml"]
    toml = toml.replace('"mysite.settings"', '"testproject.settings"')
    (into / "pyproject.toml").write_text(toml)
    (into / "tests").mkdir()
    for path in INCLUDE.findall(page):
        (into / "tests" / Path(path).name).write_text((ROOT / path).read_text())
    shutil.copytree(ROOT / "testproject", into / "testproject",
                    ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "tests"))


def main() -> None:
    dist = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    (wheel,) = dist.glob("restflow_test-*.whl")
    check_wheel_contents(wheel)
    with tempfile.TemporaryDirectory(prefix="restflow-dist-") as tmp:
        env_dir, project = Path(tmp) / "venv", Path(tmp) / "mysite"
        project.mkdir()
        venv.create(env_dir, with_pip=True)
        python = str(env_dir / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", f"{wheel.resolve()}[pytest]",
                        "adrf"], check=True)
        getting_started_project(project)
        clean_env = {"PATH": "/usr/bin:/bin", "HOME": tmp}
        where = subprocess.run(
            [python, "-c", "import restflow_test; print(restflow_test.__file__)"],
            cwd=project, env=clean_env, capture_output=True, text=True, check=True,
        )
        if not where.stdout.startswith(str(env_dir)):
            sys.exit(f"restflow_test came from {where.stdout.strip()}, not the installed wheel")
        run = subprocess.run([python, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                             cwd=project, env=clean_env, capture_output=True, text=True)
        print(run.stdout[-600:])
        if run.returncode != 0 or "4 passed" not in run.stdout:
            sys.exit("The Getting started page fails with the built wheel:\n" + run.stderr[-2000:])
    print("Getting started passes with the wheel in a fresh virtualenv outside the repository")


if __name__ == "__main__":
    main()
