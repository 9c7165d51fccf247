# medref: `make run` and `make test` work on a clean machine with only Python 3.11.
# uv is installed into .tools/ from PyPI; the project environment (.venv) comes from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install install-dev run test test-sqlite test-postgres bench soak check fmt clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV) ## create .venv from uv.lock (runtime dependencies)
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)

install-dev: $(UV) ## create .venv from uv.lock with the development dependencies
	$(UV) sync --frozen --python $(PYTHON)

run: install ## set up the database and content, then serve on http://127.0.0.1:8000
	$(BIN)/medref setup
	$(BIN)/medref serve

test: install-dev ## the whole suite: SQLite, then PostgreSQL when MEDREF_TEST_POSTGRES_URL is set
	bash scripts/test.sh

bench: install-dev ## benchmarks; results printed as tables and written to var/bench/
	$(BIN)/python -m bench

soak: install-dev ## 10 minutes at 50 concurrent users; results printed and written to var/bench/soak.json
	$(BIN)/python -m bench.soak --seconds 600

check: install-dev ## lint, format check, and strict types on the Django-free core ([tool.mypy] in pyproject.toml)
	$(BIN)/ruff check medref tests bench
	$(BIN)/ruff format --check medref tests bench
	$(BIN)/mypy

fmt: install-dev ## format and fix
	$(BIN)/ruff format medref tests bench
	$(BIN)/ruff check --fix medref tests bench

clean:
	rm -rf $(VENV) .tools var/static .pytest_cache
