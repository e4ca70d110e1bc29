# The two commands: `make run` (the app with the article loaded, on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a local server: it asks for DEBUG explicitly. Everything else defaults to DEBUG off.
RUN_ENV := DEBUG=true

.PHONY: run test venv venv-dev migrate load reload lint clean

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: requirements.txt requirements-dev.txt $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(BIN)/.runtime
venv-dev: $(BIN)/.dev

migrate: venv
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

# Loads fixtures/ into a database without curated data (never over local edits), with history.
load: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_fixtures --if-empty

# Reloads fixtures/ over the database: records they name go back to the fixtures' version.
reload: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_fixtures

run: load
	@$(RUN_ENV) $(BIN)/python manage.py create_local_admin
	@echo ""
	@echo "  Admin:    http://$(HOST):$(PORT)/admin/"
	@echo "  API:      http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo ""
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# ARGS passes options to pytest, e.g. `make test ARGS="-k claims -x"`.
test: venv-dev
	$(BIN)/python -m pytest $(ARGS)

lint: venv-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
