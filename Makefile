# Commons Fund: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint fmt typecheck lock messages clean bench screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The development lock (production lock + test and lint tools), with hashes.
$(STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	bash scripts/demo

# Tests run on as many workers as the machine has cores (pytest-xdist); TEST_WORKERS=0 runs
# them in this process. Compiled modules (and pytest's rewritten test modules) are kept in
# var/pycache even where PYTHONDONTWRITEBYTECODE is set: every worker process and every
# Celery or server process a test starts would otherwise compile them again.
TEST_WORKERS ?= auto
test: install
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/var/pycache \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The screenshots of docs/screenshots/ (the public face at 1280 and 390 px, axe-core checked).
screenshots: install
	DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -n 0 -p no:cacheprovider tests/e2e/test_public_face.py

# Every benchmark of bench/ (local PostgreSQL and Redis), then one summary table.
bench: install
	$(BIN)/python bench/all.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

# Format the code (ruff format) and sort imports.
fmt: install
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# Types: strict where money is computed and moved (pyproject.toml [tool.mypy]).
typecheck: install
	$(BIN)/mypy

# Rewrite both locks from pyproject.toml with pip-tools, hashes included: the development
# lock first, then the production lock from the same pins (keeps versions unless
# pyproject.toml asks otherwise; `make lock LOCK_ARGS=--upgrade` takes the newest).
COMPILE = var/lock-venv/bin/pip-compile --quiet --allow-unsafe --strip-extras --generate-hashes \
	--no-emit-find-links --no-emit-index-url $(LOCK_ARGS)
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip "pip-tools~=7.6"
	$(COMPILE) --extra dev --output-file requirements-dev.lock pyproject.toml
	cp requirements-dev.lock requirements.lock
	$(COMPILE) --output-file requirements.lock pyproject.toml
	rm -rf var/lock-venv

# Extract the strings to translate into locale/fr, then compile the catalogue.
messages: install
	$(BIN)/python manage.py makemessages -l fr --no-location --ignore=".venv/*" --ignore="var/*"
	$(BIN)/python manage.py compilemessages -l fr --ignore=".venv/*" --ignore="var/*"

clean:
	rm -rf $(VENV) var
