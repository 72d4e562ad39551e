"""Issue 10 item 14, the restore drill: a seeded database is backed up (pg_dump custom format plus the
media directory), restored into a fresh database, and the key tables — regions, units, teams, cadres,
users, sign-ins, leave requests, audit events — have the same rows (count and checksum) as at backup
time; the media come back byte for byte and the restored trail is still append-only. PostgreSQL only
(CI sets ZHUCUN_REQUIRE_POSTGRES, so it always runs there)."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.leave.factories import leave_request
from zhucun.backup import KEY_MODELS, _connect, database_fingerprints, drop_database
from zhucun.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("ZHUCUN_REQUIRE_POSTGRES"),
    reason="pg_dump/pg_restore need PostgreSQL (CI runs this with ZHUCUN_REQUIRE_POSTGRES)",
)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def _seed(world: World, media: Path) -> None:
    """Beyond the world's regions, units, teams, cadres, users and their audit events: a sign-in,
    a leave request, and a file in the media directory."""
    import datetime as dt

    from attendance.models import SignIn

    cadre = world.leaders["A"]
    SignIn.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=dt.date(2026, 11, 2), client_id=uuid.uuid4(),
        status="ok", inside_geofence=True, distance_m=12,
    )  # fmt: skip
    leave_request(world.members["A"])
    (media / "exports" / "assessment").mkdir(parents=True)
    (media / "exports" / "assessment" / "驻村考核-2026.xlsx").write_bytes(b"PK\x03\x04 workbook bytes")


def _run(*args: Any, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@on_postgres
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows(
    world: World, tmp_path: Path, settings: Any
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    _seed(world, media)
    original = database_fingerprints(connection.settings_dict)
    assert all(table["rows"] > 0 for table in original.values()), original
    assert len(original) == len(KEY_MODELS)

    folder = Path(_run("backup", output_dir=str(tmp_path / "backups")).strip())
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"

    target = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    restored_media = tmp_path / "restored-media"
    try:
        report = _run("restore", str(folder), database_name=target, media_root=str(restored_media))
        assert "every key table matches the backup" in report
        assert database_fingerprints(connection.settings_dict, target) == original
        restored_file = restored_media / "exports" / "assessment" / "驻村考核-2026.xlsx"
        assert restored_file.read_bytes() == b"PK\x03\x04 workbook bytes"
        with _connect(connection.settings_dict, target) as restored, pytest.raises(Exception, match="只能追加"):
            restored.execute("DELETE FROM zhucun_auditevent")
    finally:
        drop_database(connection.settings_dict, target)


@on_postgres
def test_a_restore_refuses_an_existing_database_and_a_damaged_backup(world: World, tmp_path: Path) -> None:
    folder = Path(_run("backup", output_dir=str(tmp_path / "backups")).strip())
    with pytest.raises(CommandError, match="已存在：恢复只写入新数据库"):
        _run("restore", str(folder), database_name=connection.settings_dict["NAME"], media_root=str(tmp_path / "m1"))
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    target = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    try:
        with pytest.raises(CommandError, match="已损坏"):
            _run("restore", str(folder), database_name=target, media_root=str(tmp_path / "m2"))
        with _connect(connection.settings_dict, "postgres") as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone() is None
    finally:
        drop_database(connection.settings_dict, target)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal on SQLite")
def test_backup_and_restore_refuse_sqlite_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="备份与恢复只支持 PostgreSQL"):
        _run("backup", output_dir=str(tmp_path))
    with pytest.raises(CommandError, match="备份与恢复只支持 PostgreSQL"):
        _run("restore", str(tmp_path), database_name="zhucun_restored")
    assert list(tmp_path.iterdir()) == []
