# The two commands: `make run` (fresh machine -> running app on SQLite with demo data) and
# `make test` (the whole suite). Everything else here serves those two.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest migrate demo vendor clean bench bench-smoke

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Province-scale benchmark (issue 6; docs/performance.md): fresh PostgreSQL database zhucun_bench, seeds,
# gunicorn with the production settings, writes bench/results.json. Not run in CI. Shrink with
# BENCH_CADRES=2000 BENCH_DAYS=30; needs wrk and pgbench (apt-get install -y wrk postgresql-client).
bench: venv
	$(BIN)/python bench/run.py

# The harness in miniature (tiny preset, in-process, under a minute); part of `make test` too.
bench-smoke: venv
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest tests/test_bench_smoke.py -q -p no:warnings

# Re-fetch the pinned front-end libraries from the npm registry into static/vendor/ (committed).
vendor:
	bash scripts/vendor_static.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
