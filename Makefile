# Commons Fund: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint lock messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	bash scripts/demo

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark of bench/ (local PostgreSQL and Redis), then one summary table.
bench: install
	$(BIN)/python bench/all.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Rewrite the lock from what pyproject.toml asks for (in a throw-away virtualenv).
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip
	var/lock-venv/bin/pip install --quiet -e ".[dev]"
	{ echo "# Exact versions for a fresh install: pip install -r requirements.lock"; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  var/lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e\|commons-fund'; } > requirements.lock
	rm -rf var/lock-venv

# Extract the strings to translate into locale/fr, then compile the catalogue.
messages: install
	$(BIN)/python manage.py makemessages -l fr --no-location --ignore=".venv/*" --ignore="var/*"
	$(BIN)/python manage.py compilemessages -l fr --ignore=".venv/*" --ignore="var/*"

clean:
	rm -rf $(VENV) var
