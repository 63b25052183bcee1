# Two commands: `make run` and `make test`. Both install what is missing (Debian packages, .venv) first.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils \
        chromium chromium-driver postgresql redis-server
HOST ?= 127.0.0.1
PORT ?= 5000
export ASSESSMENT_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/assessment.sqlite3

.PHONY: run test install system lint bench clean translations screenshots

$(STAMPS):
	@mkdir -p $(STAMPS)

# Debian packages: checked with dpkg-query (fast), installed with apt-get only when one is missing.
system: | $(STAMPS)
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when pyproject.toml changes.
$(STAMPS)/venv: pyproject.toml $(BIN)/python | $(STAMPS)
	$(BIN)/pip install -q --no-cache-dir -e '.[dev]'
	@touch $@

# Compiled catalogues (.mo) are build output; the .po files are the source.
$(STAMPS)/translations: $(wildcard assessment/translations/*/LC_MESSAGES/*.po) $(STAMPS)/venv
	$(BIN)/pybabel compile -d assessment/translations
	@touch $@

install: system $(STAMPS)/venv $(STAMPS)/translations

# Re-extract messages from code and templates and merge them into every catalogue.
translations: $(STAMPS)/venv
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k lazy_gettext -k gettext -k ngettext:1,2 --no-location --sort-output -o assessment/translations/messages.pot .
	$(BIN)/pybabel update -i assessment/translations/messages.pot -d assessment/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d assessment/translations

run: install
	@mkdir -p instance
	$(BIN)/assessment validate
	$(BIN)/assessment db upgrade
	$(BIN)/assessment content sync
	@# plain http on the local machine: session cookies must not be marked Secure here (see docs/web.md);
	@# mail and SMS are printed here and listed on /dev/outbox instead of being delivered (docs/deploy.md);
	@# a background job worker runs beside the server and stops with it (docs/deploy.md, "Background jobs")
	$(BIN)/python -m assessment.jobs & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	ASSESSMENT_COOKIE_SECURE=false ASSESSMENT_MAIL_BACKEND=console ASSESSMENT_SMS_BACKEND=console \
	  ASSESSMENT_ALLOW_CONSOLE_MESSAGES=1 ASSESSMENT_DEV_OUTBOX=1 $(BIN)/assessment run --host $(HOST) --port $(PORT)

# The whole suite: lint, types, architecture contracts, code shape, then pytest on SQLite and on a throw-away
# PostgreSQL, with a throw-away redis-server for the shared sign-in throttle, measuring line coverage of
# assessment/ (the floor is fail_under in pyproject.toml; `make test PYTEST_ARGS=--no-cov` skips it).
# The PostgreSQL has a streaming replica beside it for the read-replica tests (about 1-3 s more to start).
test: install
	$(BIN)/ruff check assessment tests bench scripts/check-shape
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check-shape assessment
	ASSESSMENT_REQUIRE_POSTGRES=1 ASSESSMENT_REQUIRE_REDIS=1 scripts/with-postgres --replica scripts/with-redis \
	  $(BIN)/python -m pytest -n 2 -q --cov --cov-report=term $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assessment tests bench scripts/check-shape
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check-shape assessment

# Every page type at 390 px and 1280 px, in Chinese and English, from a throw-away demo site (docs/web.md).
screenshots: install
	$(BIN)/python scripts/screenshots $(or $(SCREENSHOTS),screenshots)

bench: install
	$(BIN)/python bench/score.py

clean:
	rm -rf $(VENV) $(STAMPS) .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
