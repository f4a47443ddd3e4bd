# Chantiers & Parcours — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint format messages install clean-demo bench

## The system packages each command needs (scripts/system_packages.sh, one list): installed when
## missing as root (or with sudo), otherwise the command stops at once with the line to run.
packages-%:
	@PYTHON=$(PYTHON) scripts/system_packages.sh $*

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "No virtual environment: on Debian, apt-get install python3-venv (make test does)"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the demo: install, migrate, seed an empty database, start worker + server.
demo: packages-demo install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) BIN=$(BIN) scripts/run_demo.sh

## The whole test suite (unit, views, real workers, browser) on SQLite and the embedded broker,
## or on DATABASE_URL's PostgreSQL and REDIS_URL's Redis. Its files (the SQLite test database,
## the broker's queue) go to var/test/, apart from the demo's, unless VAR_DIR says otherwise.
test: packages-test install
	VAR_DIR="$${VAR_DIR:-$(CURDIR)/var/test}" $(BIN)/pytest -q

## The suite without the browser and worker tests, for a quick loop.
test-fast: packages-demo install
	VAR_DIR="$${VAR_DIR:-$(CURDIR)/var/test}" $(BIN)/pytest -q -m "not browser and not worker"

## The benchmark (issue 7) on the PostgreSQL database of DATABASE_URL: migrates it, seeds it with
## `seed_demo --scale $(BENCH_SCALE)` when it holds no organization (a few minutes at large), then
## prints the table and writes benchmark-$(BENCH_SCALE).json in VAR_DIR (var/). BENCH_ARGS="--repeat 10".
BENCH_SCALE ?= large
bench: packages-demo install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench needs DATABASE_URL=postgres://…"; exit 2;; esac
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python -m benchmarks.run --scale $(BENCH_SCALE) $(BENCH_ARGS)

lint: packages-lint install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_translations.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the Dutch and English catalogs after changing interface text, then translate them
## and run `make messages` again: the compiled .mo files are committed (needs gettext).
messages: packages-lint install
	$(BIN)/python manage.py makemessages -l nl -l en --ignore '.venv' --ignore 'var' --no-obsolete --add-location file
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v0

clean-demo:
	rm -rf db.sqlite3 var/
