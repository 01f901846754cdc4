# MDNA — the two commands: `make demo` (serve the portal) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
DEMO_ENV := MDNA_ENV=demo
PYTEST_WORKERS ?= auto

.PHONY: demo test install browser lint format bench migrate e2e clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(INSTALLED)

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_INSTALLED)

install: $(INSTALLED)

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (paquet Debian)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

migrate: $(INSTALLED)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

demo: $(INSTALLED)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_catalogue
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(INSTALLED) $(NODE_INSTALLED) browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

e2e: $(INSTALLED) $(NODE_INSTALLED) browser
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(INSTALLED)
	@for script in bench/*.py; do \
	  case $$script in */_*) continue;; esac; \
	  echo "== $$script"; MDNA_ENV=test $(PY) $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media staticfiles
