# Folio. `make run` serves the site on http://127.0.0.1:8000 (and runs a worker for the
# background tasks beside it); `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install run serve test test-tools lint fuzz bench bench-search load clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	mkdir -p var
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) import_seeds
	DJANGO_DEBUG=1 $(MANAGE) worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# Production: debug off, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS from the environment.
serve: install
	mkdir -p var
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) migrate --no-input
	$(MANAGE) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u DATABASE_URL DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run

# DATABASE_URL picks the database (default SQLite); .ci/run runs this once per database.
test: lint test-tools
	$(BIN)/python -m pytest

# What the browser tests inject into pages (axe-core, for the accessibility audit), from
# the npm registry as package-lock.json pins it; without npm those tests skip (not in CI).
test-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility audit will be skipped"; fi

# The parser, the renderer and the importer under hypothesis and atheris: FUZZ_SECONDS a
# target (shared by the two; about 4 min in all); failing inputs go to var/fuzz/failures/.
# Not part of `make test`; `make fuzz FUZZ_SECONDS=600` for a longer run.
FUZZ_SECONDS ?= 60
fuzz: install
	$(BIN)/python -m fuzz --seconds $(FUZZ_SECONDS)

# Public pages under wrk beside a plain Django view (SQLite, then PostgreSQL), the
# import of 10,000 notes, and archiving the images of 1,000 articles with two workers
# (SQLite, then PostgreSQL; about 25 min in all); `make bench-search`: search over 100,000 (30 min).
# Figures and how to read them: BENCHMARKS.md.
bench: install
	$(BIN)/python -m bench.pages_bench
	$(BIN)/python -m bench.pages_bench --database-url postgres://postgres@127.0.0.1:5432/folio_bench
	$(BIN)/python -m bench.import_bench
	$(BIN)/python -m bench.images_bench
	$(BIN)/python -m bench.images_bench --database-url postgres://postgres@127.0.0.1:5432/folio_bench

bench-search: install
	$(BIN)/python -m bench.search_bench
	$(BIN)/python -m bench.search_bench --database-url postgres://postgres@127.0.0.1:5432/folio_bench

# 60 s of mixed reads (wrk) against the production server while an import and an editor's
# saves run, on SQLite then PostgreSQL; fails on any 5xx or lost edit (bench/load.py).
load: install
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.load --database-url postgres://postgres@127.0.0.1:5432/folio_load

clean:
	rm -rf $(VENV) var
