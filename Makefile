# Mission Support tracker. `make run` to try it, `make test` to prove it.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := static/vendor/.installed
PORT ?= 8000

.PHONY: run test test-fast lint format venv assets clean bench

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) (first run: a minute or two)…"
	@$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	@$(PY) -m pip install --quiet -r requirements-dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $(STAMP)

venv: $(STAMP)

# Browser libraries (htmx, Leaflet) from the npm registry, served by the project: no CDN.
$(ASSETS): package.json package-lock.json $(STAMP)
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm ci --silent --no-audit --no-fund
	@rm -rf static/vendor && mkdir -p static/vendor/htmx static/vendor/leaflet
	@cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	@cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images static/vendor/leaflet/
	@touch $(ASSETS)

assets: $(ASSETS)

# Local development defaults; anything the caller sets wins.
run: export DEBUG ?= 1
run: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
run: export PORT := $(PORT)
run: $(STAMP) $(ASSETS)
	@mkdir -p var
	@$(PY) manage.py migrate --no-input -v 0
	@$(PY) manage.py setup_schedules
	@$(PY) manage.py seed_demo
	@if [ -n "$$DATABASE_URL" ] && [ -n "$${REDIS_URL:-$$CELERY_BROKER_URL}" ]; then \
		echo; echo "Serving on http://127.0.0.1:$(PORT)/ with PostgreSQL, Redis, a Celery worker and beat."; \
		echo "Log in at http://127.0.0.1:$(PORT)/login/ as viewer, mission, supervisor or admin. Ctrl-C stops everything."; echo; \
		$(PY) manage.py collectstatic --no-input -v 0; \
		exec $(VENV)/bin/honcho -f Procfile start; \
	else \
		echo; echo "Serving on http://127.0.0.1:$(PORT)/ (embedded SQLite in var/, tasks run in-process)."; \
		echo "Log in at http://127.0.0.1:$(PORT)/login/ as viewer, mission, supervisor or admin. Ctrl-C stops it."; echo; \
		exec $(VENV)/bin/honcho -f Procfile.embedded start; \
	fi

test: $(STAMP) $(ASSETS)
	@bash scripts/test.sh

# The quick loop: SQLite, in-process tasks, no external services.
test-fast: $(STAMP) $(ASSETS)
	@$(PY) -m pytest -q -m "not postgres and not redis and not celery and not browser"

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache node_modules static/vendor

# Benchmark at scale (default 1 M missions; SCALE=0.01 for a quick look): a dedicated `bench`
# database (dropped and re-created), Redis db 11, gunicorn and a Celery worker on loopback.
# Writes BENCHMARKS.md. Never part of `make test`.
SCALE ?= 1.0
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
bench: export REDIS_URL ?= redis://127.0.0.1:6379/11
bench: export DEBUG ?= 1
bench: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk not found (apt-get install -y wrk): using the Python load generator."
	@$(PY) manage.py bench --scale $(SCALE) $(BENCH_ARGS)
