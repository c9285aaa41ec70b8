# Two commands set everything up on a machine with only Python 3:
#   make demo   - create .venv, install what the demo needs, run the demo suite on SQLite
#   make test   - add the test tools, run the whole suite once (in parallel)
# The slow checks `make test` leaves out run with `make test-slow` and in CI (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
JOBS   ?= 2
# Tests marked slow/browser/postgres (pyproject.toml); conftest.py names what was left out.
SLOW   := slow or browser or postgres
space  := $(subst ,, )

.PHONY: demo test test-slow test-django-path test-postgres tox lint typing bench docs dist clean

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python caches compiled modules (.pyc) as it imports them; with PYTHONDONTWRITEBYTECODE
# set (some sandboxes and CI images set it) every pytest process, each xdist worker and
# each inner pytest run of the suite compiles ~1,000 modules again (about 1.3 s each):
# `make test` took 52 s instead of 44 s here. The commands below write the cache.
unexport PYTHONDONTWRITEBYTECODE

# pip is upgraded only when too old for editable installs of a pyproject (PEP 660, pip 21.3).
$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import pip, sys; sys.exit(tuple(map(int, pip.__version__.split('.')[:2])) < (21, 3))" \
		|| $(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

# One stamp per extra: `make demo` installs the `demo` extra only, `make test` adds `test`.
# --no-compile: Python compiles what the tests import on first use, not all of Django.
$(VENV)/.installed-%: pyproject.toml | $(VENV)/.created
	$(BIN)/python -m pip install --quiet --no-compile -e ".[$*]"
	touch $@

demo: $(VENV)/.installed-demo
	$(PYTEST) testproject/tests -q

test: $(VENV)/.installed-demo $(VENV)/.installed-test
	$(PYTEST) tests examples testproject/tests -q -n $(JOBS) -m "not ($(SLOW))"

# The benchmark smoke test and the browser test (PostgreSQL-only tests skip without
# DATABASE_URL). The browser test needs Chromium and chromedriver.
test-slow: $(VENV)/.installed-dev
	$(PYTEST) tests -q -rs -m "$(SLOW)"

# The suite once more on Django's own async request path (coalescing off), as CI does.
test-django-path: $(VENV)/.installed-demo $(VENV)/.installed-test
	RESTFLOW_COALESCE=0 $(PYTEST) tests examples testproject/tests -q -n $(JOBS) -m "not ($(SLOW))"

# PostgreSQL: needs DATABASE_URL, or run scripts/postgres-up.sh first (it prints one).
# The benchmark smoke test always runs on SQLite, so it is left to `make test-slow`.
test-postgres: $(VENV)/.installed-dev
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL=postgres://... (scripts/postgres-up.sh starts a local server)"; exit 2; }
	$(PYTEST) tests testproject/tests examples -q -rs -m "not slow"

# The py x Django x DRF matrix. Interpreters come from PATH, or from pyenv if present.
PYENV_BINS := $(wildcard $(HOME)/.pyenv/versions/3.1[0-3].*/bin)
tox: $(VENV)/.created
	$(BIN)/python -m pip install --quiet "tox>=4"
	PATH="$(subst $(space),:,$(PYENV_BINS)):$$PATH" $(BIN)/tox run-parallel -p 2 --parallel-no-spinner $(if $(TOXENV),-e $(TOXENV))

lint: $(VENV)/.created
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check .

typing: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet mypy django-stubs djangorestframework-stubs
	$(BIN)/mypy

# The documentation site, built into site/; any warning fails the build.
docs: $(VENV)/.installed-demo $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# Wheel and sdist into dist/, checked: metadata renders (twine check), the wheel holds
# restflow_test and LICENSE only, and a fresh virtualenv outside the repository passes
# the Getting started page with it (scripts/check_dist.py).
dist: $(VENV)/.created
	$(BIN)/python -m pip install --quiet build twine
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python scripts/check_dist.py dist

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .tox site dist
