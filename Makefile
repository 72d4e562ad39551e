# The two commands: `make run` (fresh machine -> running app on SQLite with demo data) and
# `make test` (the whole suite). Everything else here serves those two.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest migrate demo vendor clean bench bench-smoke backup restore

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
	@$(BIN)/python manage.py demo_logins --host $(HOST) --port $(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

typecheck: venv
	$(BIN)/mypy

# One worker per core (pytest-xdist), each with its own test database; a file's tests stay on one worker so
# its one-world-per-module fixtures are built once (docs/decisions/0101). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= auto
pytest: venv
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test: lint typecheck pytest

# Province-scale benchmark (issue 6; docs/performance.md): fresh PostgreSQL database zhucun_bench, seeds,
# gunicorn with the production settings, writes bench/results.json. Not run in CI. Shrink with
# BENCH_CADRES=2000 BENCH_DAYS=30; installs wrk and pgbench when missing and creates its database role
# (bench/preflight.py). `make bench NATION=1`: the national size instead (issue 16 item 5; database
# zhucun_nation, the N keys; shrink with NATION_CADRES=20000).
bench: venv
	$(BIN)/python bench/run.py

# The harness in miniature (tiny preset, in-process, under a minute); part of `make test` too.
bench-smoke: venv
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest tests/test_bench_smoke.py -q -p no:warnings

# Backup and restore (PostgreSQL; docs/decisions/0058): pg_dump custom format + media + manifest into
# $(BACKUP_DIR) (default ZHUCUN_BACKUP_DIR, ./backups); restore into a NEW database and an empty media
# directory, verified table by table against the manifest:
#   make backup
#   make restore BACKUP=backups/zhucun-20261130-203000 DB=zhucun_restored [MEDIA=/srv/zhucun/media-restored]
backup: venv
	$(BIN)/python manage.py backup $(if $(BACKUP_DIR),--output-dir $(BACKUP_DIR))

restore: venv
	@test -n "$(BACKUP)" -a -n "$(DB)" || { echo "用法：make restore BACKUP=backups/zhucun-… DB=新数据库名 [MEDIA=空目录]"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP) --database-name $(DB) $(if $(MEDIA),--media-root $(MEDIA))

# Re-fetch the pinned front-end libraries from the npm registry into static/vendor/ (committed).
vendor:
	bash scripts/vendor_static.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
