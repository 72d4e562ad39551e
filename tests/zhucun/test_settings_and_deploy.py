"""Settings read from the environment, production passes ``check --deploy`` with no default secret,
and docker-compose describes the production services."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests) is itself a deploy warning.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "zhucun.settings.production",
            "SECRET_KEY": "x" * 64 + "-a-long-random-production-secret",
            "ALLOWED_HOSTS": "zhucun.example.gov.cn",
            "DATABASE_URL": "sqlite:////tmp/zhucun-deploy-check.db",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = _manage(
        "check",
        env={"DJANGO_SETTINGS_MODULE": "zhucun.settings.production", "ALLOWED_HOSTS": "zhucun.example.gov.cn"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_docker_compose_runs_web_worker_beat_postgres_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {
        "web", "worker", "worker-exports", "worker-notifications", "beat", "postgres", "postgres-replica", "redis"
    }  # fmt: skip
    # the streaming replica the dashboards read from (decision 0103): a standby copied from the primary
    assert "pg_basebackup" in (ROOT / "deploy/postgres/replica-entrypoint.sh").read_text()
    assert "wal_level=replica" in services["postgres"]["command"]
    assert "gunicorn" in services["web"]["command"]
    # one worker per queue (zhucun/queues.py), the exports' with bounded memory per child and prefetch 1
    for worker, queue in (("worker", "jobs"), ("worker-exports", "exports"), ("worker-notifications", "notifications")):
        assert f"celery -A zhucun worker -Q {queue} " in services[worker]["command"]
        assert "--prefetch-multiplier=1" in services[worker]["command"]
    assert "--max-memory-per-child=" in services["worker-exports"]["command"]
    assert "celery -A zhucun beat" in services["beat"]["command"]
    postgres_major = int(str(services["postgres"]["image"]).split(":")[1].split(".")[0])
    assert postgres_major >= 14  # Django 5.2 needs PostgreSQL 14+
    for name in ("web", "worker", "worker-exports", "worker-notifications", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "zhucun.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert (
            environment["DATABASE_REPLICA_URL"].startswith("postgres://")
            and "@postgres-replica:" in environment["DATABASE_REPLICA_URL"]
        )
    # compose v1 (the only validator available here) rejects these v2-only keys.
    assert "name" not in compose


def test_settings_default_to_sqlite_and_in_process_tasks_without_environment() -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='zhucun.settings.local'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "Asia/Shanghai", "zh-hans"], result.stderr


def test_the_export_threshold_is_read_from_the_environment() -> None:
    """Decision 0013: ``ZHUCUN_EXPORT_SYNC_MAX_ROWS`` (default 5,000) moves big workbooks to a job."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='zhucun.settings.local'; django.setup();"
        "from django.conf import settings as s; from assessment.services import export_sync_max_rows as n;"
        "print(s.ZHUCUN_EXPORT_SYNC_MAX_ROWS, n())"
    )
    env = {**os.environ, "ZHUCUN_EXPORT_SYNC_MAX_ROWS": "123"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["123", "123"], result.stderr


def test_production_collectstatic_succeeds_with_every_vendored_file(tmp_path: Path) -> None:
    """The Docker image runs collectstatic with the manifest storage, which fails on any reference
    (a CSS url() or a source map) to a file that is not vendored."""
    result = _manage(
        "collectstatic",
        "--noinput",
        env={
            "DJANGO_SETTINGS_MODULE": "zhucun.settings.production",
            "SECRET_KEY": "x" * 64,
            "ALLOWED_HOSTS": "zhucun.example.gov.cn",
            "DATABASE_URL": "sqlite:////tmp/zhucun-collectstatic.db",
            "STATIC_ROOT": str(tmp_path / "static"),
        },
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_every_way_of_starting_the_web_process_reads_gunicorn_conf() -> None:
    """Production, docker-compose and `make bench` start gunicorn with the same settings file."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] >= 2 and conf["timeout"] <= 60 and conf["max_requests"] > 0
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "--workers" not in compose["services"]["web"]["command"]
    assert '"--workers"' not in (ROOT / "Dockerfile").read_text()
    assert "gunicorn.conf.py" in (ROOT / "bench" / "run.py").read_text()


@pytest.mark.django_db
def test_health_check_answers_without_login_and_reports_the_database(client: Any) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_check_is_503_when_the_database_is_unreachable(client: Any, monkeypatch: Any) -> None:
    from django.db import DatabaseError, connection

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_postgresqls_jit_is_off_for_the_applications_connections() -> None:
    """The national bench found JIT compiling the dashboards' aggregates slower than running them, and
    loading LLVM (~0.9 s) at each connection's first use (docs/performance.md): settings turn it off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
