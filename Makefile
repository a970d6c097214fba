# Two commands on a fresh machine: `make run` and `make test`.
# Only Python 3.11 and make are assumed; everything else is installed into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint bench messages vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Development commands run with DEBUG on unless told otherwise (production keeps it off).
run messages vendor lint: export DEBUG ?= 1

# The embedded default: SQLite file, Celery eager, e-mail and SMS on the console.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)/
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite on every core, a test file per worker at a time (files that start a Redis
# worker or load the demo club keep to one process); with DATABASE_URL set, on PostgreSQL.
test: install
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Extract and compile translations (needs GNU gettext; the .mo files are committed).
messages: install
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l nb -l sv --ignore=.venv --ignore=static/vendor --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Re-copy front-end libraries from the npm registry into static/vendor (needs npm).
vendor: install
	$(BIN)/python manage.py vendor_static

# stdout carries only the JSON result lines: install's output goes to stderr.
bench:
	@$(MAKE) --no-print-directory install >&2
	@$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
