# The portal's entry points: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: install lock catalogs node_modules assets db seed run test test-postgres test-browser test-stack lint translations bench bench-http clean

install: $(STAMP)

# Installs exactly what requirements.lock names (every direct and transitive dependency, with
# hashes), then the portal itself without resolving anything else.
$(STAMP): requirements.lock setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# Regenerates the lock files from setup.cfg's ranges: run it deliberately, test, commit both.
# requirements.lock (development and CI: every extra) pins the versions that
# requirements-prod.lock (production: the prod extra) uses too.
UV_VERSION := 0.13.9
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)-lock/bin/uv pip compile $(LOCK_FLAGS) --upgrade setup.cfg --extra prod --extra dev \
		-o requirements.lock
	$(VENV)-lock/bin/uv pip compile $(LOCK_FLAGS) setup.cfg --extra prod \
		--constraint requirements.lock -o requirements-prod.lock
	rm -rf $(VENV)-lock

catalogs: $(COMPILED)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# The fingerprinted, compressed static files production serves (STATIC_BUILD_PATH).
assets: install
	$(FLASK) assets build

db: install catalogs
	mkdir -p instance
	$(FLASK) db upgrade

seed: db
	$(FLASK) demo seed

# The web server, the job worker (which also delivers the outbox) and the scheduler; the job
# queue is a SQLite file under instance/. Emails link to the local server unless SERVER_NAME
# says otherwise.
run: seed
	@echo "Serving the GFP Portal on http://127.0.0.1:$(PORT) with the job worker and the scheduler (Ctrl-C stops all three)."
	@echo "Emails are written as .eml files under instance/mail/."
	SERVER_NAME=$${SERVER_NAME:-127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile -p $(PORT)

test: install catalogs
	$(BIN)/pytest -m "not browser and not stack"

test-postgres: install catalogs
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -m "not browser and not stack"

# The checkers the browser tests run over every page: axe-core and the Nu Html Checker
# (vnu-jar, which needs Java), exactly as package-lock.json names them. Install scripts are not
# run: vnu-jar's would fetch a Java runtime of its own instead of the system's.
node_modules: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

test-browser: install catalogs node_modules
	$(BIN)/pytest -m browser --durations=15

# The production stack for real: nginx (deploy/nginx) in front of two gunicorn instances,
# PostgreSQL (a database it empties), Redis and the mail worker, driven over HTTP.
test-stack: install catalogs
	STACK_DATABASE_URL=$${STACK_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/stack} \
		STACK_REDIS_URL=$${STACK_REDIS_URL:-redis://127.0.0.1:6379/14} \
		$(BIN)/pytest -m stack tests/stack

# Timings of the main pages and bulk jobs on a network ten times the real one (DESIGN §7);
# BENCH_ARGS="--database-url postgresql+psycopg://... --requests 50" to change the defaults.
bench: install catalogs
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Requests per second under load beside a bare Flask app in the same run (gunicorn, 2 sync
# workers; wrk from Debian), on PostgreSQL; BENCH_HTTP_ARGS="--reuse" keeps the data built.
bench-http: install catalogs assets
	$(BIN)/python -m bench.http $(BENCH_HTTP_ARGS)

# Ruff, then the layer order of CONTRIBUTING.md and the views' reliance on queries and services
# (tests/test_layers.py and tests/test_view_queries.py read the source only, so they run here
# without the suite's database).
lint: install
	$(BIN)/ruff check .
	$(BIN)/pytest -q -p no:cacheprovider --noconftest tests/test_layers.py tests/test_view_queries.py

# Every translation function the code calls, beyond Babel's defaults (gettext, ngettext, pgettext,
# npgettext, _): Flask-Babel's lazy ones, the aliases the modules import them under, and the
# markers of messages translated where they are shown (core.catalogs.gettext_noop, ngettext_noop).
EXTRACT_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	-k lazy_npgettext:1c,2,3 -k ngettext_noop:1,2 -k gettext_noop

translations: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg $(EXTRACT_KEYWORDS) \
		--width 100 --project "GFP Portal" -o translations/messages.pot .
	$(BIN)/pybabel update --width 100 --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot \
		-d translations
	$(BIN)/pybabel compile --statistics -d translations

clean:
	rm -rf $(VENV) node_modules instance/test.db instance/test-mail instance/test-storage
