# Two commands set everything up on a machine with only Python 3:
#   make demo   - create .venv, install, run the demo suite on SQLite
#   make test   - the same, then the full test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: demo test test-postgres test-xdist tox lint typing bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PYTEST) testproject/tests -q

test: demo
	$(PYTEST) tests -q
	$(PYTEST) tests testproject/tests -q -n 2

# PostgreSQL: needs DATABASE_URL, or run scripts/postgres-up.sh first (it prints one).
test-postgres: $(STAMP)
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL=postgres://... (scripts/postgres-up.sh starts a local server)"; exit 2; }
	$(PYTEST) tests testproject/tests -q

tox: $(STAMP)
	$(BIN)/python -m pip install --quiet "tox>=4"
	PYENV_VERSION=3.11.7:3.10.13:3.12.1:3.13.0 $(BIN)/tox -p auto

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check restflow_test tests testproject

typing: $(STAMP)
	$(BIN)/python -m pip install --quiet mypy django-stubs djangorestframework-stubs
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .tox site
