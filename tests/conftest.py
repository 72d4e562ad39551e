"""Shared fixtures: the org-tree world with its personas, API clients, and the CI guards."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from zhucun.testing.world import World, build_world


def pytest_sessionstart(session: pytest.Session) -> None:
    """CI must run on PostgreSQL: fail, never fall back to SQLite."""
    if os.environ.get("ZHUCUN_REQUIRE_POSTGRES") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.exit("ZHUCUN_REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL", returncode=2)


@pytest.fixture(autouse=True)
def _require_postgres_in_ci(request: pytest.FixtureRequest) -> None:
    if os.environ.get("ZHUCUN_REQUIRE_POSTGRES") and "django_db_setup" in request.fixturenames:
        assert connection.vendor == "postgresql", "CI must run against PostgreSQL"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)  # type: ignore[arg-type]
    return client


@pytest.fixture(autouse=True)
def _fresh_policy_cache() -> None:
    """Each test starts with an empty policy-profile cache (a rolled-back version must not linger)."""
    from zhucun.policy import profile_cache_clear

    profile_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_work_calendar_cache() -> None:
    """Each test starts with an empty working-calendar cache (a rolled-back holiday must not linger)."""
    from zhucun.workcalendar import cache_clear

    cache_clear()


@pytest.fixture
def office_hours(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Freeze ``timezone.now`` at 10:00 Asia/Shanghai on a Thursday in mid-month (26 November 2026):
    after the sign-in window opens and after it closes for the coverage check, never the first day
    of a month, whatever hour and day CI runs at (UTC 16:00 is already tomorrow in Shanghai). Ask
    for it before ``world`` so the world is built on the same day."""
    moment = dt.datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in names or "live_server" in names


def _uses_db(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "_django_db_helper" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A file holds transactional tests or other database tests, never both (decision 0101): under
    pytest-xdist a file runs whole on one worker, and its transactional test's flush would empty the
    database (the province, the working calendar) for the files that worker runs after it."""
    kinds: dict[str, set[bool]] = {}
    for item in items:
        if _uses_db(item):
            kinds.setdefault(str(item.path), set()).add(_transactional(item))
    mixed = sorted(path for path, found in kinds.items() if len(found) == 2)
    if mixed:
        raise pytest.UsageError(
            "these files mix transactional and other database tests; move the transactional ones to a file "
            "of their own (docs/decisions/0101): " + ", ".join(mixed)
        )
    _biggest_files_first(items)


def _group(item: pytest.Item) -> int:
    """pytest-django's order: database tests, then transactional ones, then tests without a database."""
    return 1 if _transactional(item) else 0 if _uses_db(item) else 2


def _biggest_files_first(items: list[pytest.Item]) -> None:
    """Within pytest-django's groups, in their order, the files with the most tests first (decision 0101):
    xdist hands the files out in this order, so the long ones start early and both workers end on short
    ones. A file goes where its first test is, in its first test's group."""
    first: dict[str, int] = {}
    size: Counter[str] = Counter()
    for index, item in enumerate(items):
        first.setdefault(str(item.path), index)
        size[str(item.path)] += 1
    group = {path: _group(items[index]) for path, index in first.items()}
    items.sort(key=lambda item: (group[str(item.path)], -size[str(item.path)], first[str(item.path)]))
