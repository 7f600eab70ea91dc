# The portal's entry points: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: install catalogs db seed run test test-postgres test-browser lint translations bench clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

catalogs: $(COMPILED)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

db: install catalogs
	mkdir -p instance
	$(FLASK) db upgrade

seed: db
	$(FLASK) demo seed

run: seed
	@echo "Serving the GFP Portal on http://127.0.0.1:$(PORT) with the outbox worker (Ctrl-C stops both)."
	@echo "Emails are written as .eml files under instance/mail/."
	$(BIN)/honcho start -f Procfile -p $(PORT)

test: install catalogs
	$(BIN)/pytest -m "not browser"

test-postgres: install catalogs
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -m "not browser"

test-browser: install catalogs
	$(BIN)/pytest -m browser

# Timings of the main pages and bulk jobs on a network ten times the real one (DESIGN §7);
# BENCH_ARGS="--database-url postgresql+psycopg://... --requests 50" to change the defaults.
bench: install catalogs
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

translations: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext \
		--width 100 --project "GFP Portal" -o translations/messages.pot .
	$(BIN)/pybabel update --width 100 --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot \
		-d translations
	$(BIN)/pybabel compile --statistics -d translations

clean:
	rm -rf $(VENV) instance/test.db instance/test-mail instance/test-storage
