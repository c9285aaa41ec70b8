# Two commands set everything up on a machine with only Python 3:
#   make demo   - create .venv, install, run the demo suite on SQLite
#   make test   - the same, then the full test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
space  := $(subst ,, )

.PHONY: demo test test-postgres tox lint typing bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PYTEST) testproject/tests -q

test: demo
	$(PYTEST) tests examples -q
	$(PYTEST) tests testproject/tests examples -q -n 2

# PostgreSQL: needs DATABASE_URL, or run scripts/postgres-up.sh first (it prints one).
test-postgres: $(STAMP)
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL=postgres://... (scripts/postgres-up.sh starts a local server)"; exit 2; }
	$(PYTEST) tests testproject/tests examples -q

# The py x Django x DRF matrix. Interpreters come from PATH, or from pyenv if present.
PYENV_BINS := $(wildcard $(HOME)/.pyenv/versions/3.1[0-3].*/bin)
tox: $(STAMP)
	$(BIN)/python -m pip install --quiet "tox>=4"
	PATH="$(subst $(space),:,$(PYENV_BINS)):$$PATH" $(BIN)/tox run-parallel -p 2 --parallel-no-spinner $(if $(TOXENV),-e $(TOXENV))

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check restflow_test tests testproject benchmarks examples

typing: $(STAMP)
	$(BIN)/python -m pip install --quiet mypy django-stubs djangorestframework-stubs
	$(BIN)/mypy

# The documentation site, built into site/; any warning fails the build.
docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .tox site

bench: $(STAMP)
	$(BIN)/python -m benchmarks
