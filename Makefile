# The two commands: `make run` (the app with the article loaded, on SQLite) and `make test`.
#
# They keep to themselves: `make run` uses .venv and the checkout's .env (written on first run,
# DEBUG on, a generated SECRET_KEY); `make test` uses .venv-test and ignores .env (ENV_FILE=), so a
# test run never reinstalls into, reloads or reconfigures a server that `make run` is serving.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_VENV := .venv-test
TEST_BIN := $(TEST_VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test venv venv-dev migrate load reload lint clean

$(BIN)/.runtime: requirements.txt
	@echo "Installing the runtime requirements into $(VENV) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install $(PIP_QUIET) -r requirements.txt
	@touch $@

$(TEST_BIN)/.dev: requirements.txt requirements-dev.txt
	test -x $(TEST_BIN)/python || $(PYTHON) -m venv $(TEST_VENV)
	$(TEST_BIN)/python -m pip install $(PIP_QUIET) -r requirements-dev.txt
	touch $@

# The checkout's local settings: DEBUG on and a SECRET_KEY of its own, so that every
# `manage.py` command in the README runs as written. Never committed (.gitignore); production
# values are documented in .env.example.
.env:
	@$(PYTHON) -c 'import secrets; print("# Written by make for local development (never commit it). Production: see .env.example.\nDEBUG=true\nSECRET_KEY=" + secrets.token_urlsafe(50) + "\n# The database password of docker compose (docker-compose.yml reads this file).\nPOSTGRES_PASSWORD=" + secrets.token_urlsafe(24))' > $@
	@echo "Wrote .env (DEBUG=true, a generated SECRET_KEY and POSTGRES_PASSWORD) for local development."

venv: $(BIN)/.runtime .env
venv-dev: $(TEST_BIN)/.dev

migrate: venv
	@$(BIN)/python manage.py migrate --noinput --verbosity 0

# Loads fixtures/ into a database without curated data (never over local edits), with history.
load: migrate
	@$(BIN)/python manage.py load_fixtures --if-empty --verbosity 0

# Reloads fixtures/ over the database: records they name go back to the fixtures' version.
reload: migrate
	$(BIN)/python manage.py load_fixtures

run: load
	@$(BIN)/python manage.py create_local_admin
	@echo ""
	@echo "  Admin:    http://$(HOST):$(PORT)/admin/"
	@echo "  API:      http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo ""
	@$(BIN)/python manage.py runserver $(HOST):$(PORT)

# ARGS passes options to pytest, e.g. `make test ARGS="-k claims -x"`. The suite runs in one
# process per core (pytest-xdist), each with its own test database; TEST_WORKERS=0 runs it in this one.
TEST_WORKERS ?= auto
test: venv-dev
	ENV_FILE= $(TEST_BIN)/python -m pytest -n $(TEST_WORKERS) $(ARGS)

lint: venv-dev
	$(TEST_BIN)/ruff check .

clean:
	rm -rf $(VENV) $(TEST_VENV) db.sqlite3 staticfiles .pytest_cache
