# Everything runs from a virtualenv in .venv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
WEB_PORT ?= 8000
# make run is a laptop on plain http: debug pages, no HTTPS redirect.
RUN_ENV := DEBUG=true HOST=$(HOST) WEB_PORT=$(WEB_PORT) SITE_URL=http://$(HOST):$(WEB_PORT)
# The benchmarks start production-like servers (DEBUG off): a throw-away key unless one
# is set.
BENCH_ENV := SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"

.PHONY: run test lint format messages compile-messages migrations-check install clean bench \
	bench-small bench-all bench-pages bench-flags bench-search bench-scorecards

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Compiled catalogues come from the committed .po files (none yet is fine); Babel
# compiles them, so GNU gettext is needed only to extract new strings (make messages).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -D django -d locale -l $* 2>&1 | tail -n 1

compile-messages: $(CATALOGUES)

run: install compile-messages
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo
	@echo "  Mentorship Portal: http://$(HOST):$(WEB_PORT)/   (Ctrl+C stops web, worker and scheduler)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(RUN_ENV) $(BIN)/honcho start --no-prefix -f Procfile 2>&1 || true

# The suite on every core (pytest-xdist): a file's tests stay together, and the tests
# that start services of their own run one after another (conftest.py).
# make test TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install compile-messages
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# The benchmarks (docs/benchmarks.md): PostgreSQL only (DATABASE_URL), each in a
# database of its own on that server, generated on the first run and reused after.
# make bench: every page and API list under load (gunicorn + wrk, 100,000 students;
# var/bench/pages.json and .md), e.g. make bench BENCH_PAGES_ARGS="--only queue";
# make bench-small: the same in two minutes on 2,000 students. The flagging run: e.g.
# make bench-flags BENCH_ARGS="--students 10000 --events 1000000" (var/bench/flags.json).
# Search: e.g. make bench-search BENCH_SEARCH_ARGS="--questions 20000 --articles 1000"
# (var/bench/search.json). Scorecards: e.g. make bench-scorecards
# BENCH_SCORECARDS_ARGS="--mentors 200 --students 10000 --zones 0"
# (var/bench/scorecards.json). make bench-all runs the four.
BENCH_PAGES_ARGS ?=
BENCH_ARGS ?=
BENCH_SEARCH_ARGS ?=
BENCH_SCORECARDS_ARGS ?=
bench: bench-pages

bench-all: bench-pages bench-flags bench-search bench-scorecards

bench-pages: install
	$(BENCH_ENV) $(MANAGE) bench_pages $(BENCH_PAGES_ARGS)

bench-small: install
	$(BENCH_ENV) $(MANAGE) bench_pages --small $(BENCH_PAGES_ARGS)

bench-flags: install
	$(BENCH_ENV) $(MANAGE) bench_flags $(BENCH_ARGS)

bench-search: install
	$(BENCH_ENV) $(MANAGE) bench_search $(BENCH_SEARCH_ARGS)

bench-scorecards: install
	$(BENCH_ENV) $(MANAGE) bench_scorecards $(BENCH_SCORECARDS_ARGS)

# Extract every marked string into the Russian catalogue (needs GNU gettext).
messages: install
	$(MANAGE) makemessages --locale ru --no-obsolete --ignore 'var/*' --ignore '.venv/*'
	$(BIN)/pybabel compile -D django -d locale -l ru

clean:
	rm -rf $(VENV) var
