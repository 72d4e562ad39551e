"""Backup and restore (issue 10 item 14; docs/decisions/0058): ``make backup`` / ``make restore``.

A backup is a timestamped folder with three files:

* ``database.dump`` — ``pg_dump --format=custom`` of the database, taken from an exported snapshot;
* ``media.tar.gz`` — the media directory (uploaded files, export files, the audit archive);
* ``manifest.json`` — the SHA-256 of both files and, for the key tables, the row count and a checksum
  computed *in the same snapshot* as the dump, so a restore can prove it holds exactly what was saved.

A restore goes into a **new** database (never over a live one), checks the files against the
manifest first, then the restored tables against it. PostgreSQL only: SQLite is the demo database
of ``make run``, recreated from scratch by ``make run``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import timezone
from psycopg import sql

FORMAT = 1
DUMP_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"

#: The tables whose rows a restore must reproduce exactly (regions, units, teams, cadres, users,
#: sign-ins, leave requests, audit events).
KEY_MODELS = (
    "cadres.Region",
    "cadres.Unit",
    "cadres.Team",
    "cadres.Cadre",
    "accounts.User",
    "attendance.SignIn",
    "leave.LeaveRequest",
    "zhucun.AuditEvent",
)

SQLITE_REFUSED = (
    "备份与恢复只支持 PostgreSQL：当前数据库是 SQLite（make run 的演示库）。"
    "演示库可直接复制 db.sqlite3 文件，或用 make run 重新生成；生产环境请设置 DATABASE_URL 指向 PostgreSQL。"
)

_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class BackupError(Exception):
    """A refusal or failure, with a message in Chinese saying what to do."""


# --- connection parameters ------------------------------------------------------------------------


def libpq_env(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, str]:
    """The environment of pg_dump/pg_restore for a Django database (the password never goes on the
    command line, where ``ps`` would show it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    params = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": dbname or settings_dict["NAME"],
    }
    env.update({key: value for key, value in params.items() if value})
    return env


def _connect(settings_dict: dict[str, Any], dbname: str | None = None, *, autocommit: bool = False) -> Any:
    import psycopg

    return psycopg.connect(
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        dbname=dbname or settings_dict["NAME"],
        autocommit=autocommit,
    )


def require_postgresql(connection: Any) -> None:
    if connection.vendor != "postgresql":
        raise BackupError(SQLITE_REFUSED)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器同版本的 PostgreSQL 客户端（apt-get install postgresql-client）。"
        )
    return path


def tool_major_version(name: str) -> int:
    command = [_tool(name), "--version"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - no shell
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"无法识别 {name} 的版本：{output.strip()}")
    return int(match.group(1))


# --- fingerprints of the key tables ---------------------------------------------------------------


def _key_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in KEY_MODELS]


_FINGERPRINT = sql.SQL(
    "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0) FROM {} AS t"
)


def fingerprints(cursor: Any) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent checksum of every key table: the sum of the first 60 bits
    of each row's md5 (numeric, so it cannot overflow; no row order, no memory per row). Rows are
    read as text with the time zone fixed, so the same rows give the same sum in any database."""
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    result: dict[str, dict[str, Any]] = {}
    for table in _key_tables():
        cursor.execute(_FINGERPRINT.format(sql.Identifier(table)))
        rows, checksum = cursor.fetchone()
        result[table] = {"rows": int(rows), "checksum": str(checksum)}
    return result


def database_fingerprints(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, dict[str, Any]]:
    with _connect(settings_dict, dbname) as conn, conn.cursor() as cursor:
        return fingerprints(cursor)


# --- backup --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _snapshot(settings_dict: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A repeatable-read transaction whose snapshot pg_dump joins (``--snapshot``): the manifest's
    fingerprints and the dump see exactly the same rows, even while the system is in use."""
    with _connect(settings_dict) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            yield snapshot, cursor
        conn.rollback()


def backup(*, connection: Any, media_root: Path, output_dir: Path, now: dt.datetime | None = None) -> Path:
    """Write a backup folder under ``output_dir``; returns its path."""
    require_postgresql(connection)
    settings_dict = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    dump_major = tool_major_version("pg_dump")
    if dump_major < server_major:
        raise BackupError(
            f"pg_dump 版本 {dump_major} 低于数据库服务器版本 {server_major}，无法备份："
            f"请安装 {server_major} 或更高版本的 PostgreSQL 客户端。"
        )
    stamp = timezone.localtime(now or timezone.now())
    folder = output_dir / f"zhucun-{stamp:%Y%m%d-%H%M%S}"
    output_dir.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=False)  # password hashes and personal data: the operator only
    previous_umask = os.umask(0o077)
    try:
        _write_backup(folder, settings_dict, media_root, stamp, server_major, dump_major)
    finally:
        os.umask(previous_umask)
    return folder


def _write_backup(
    folder: Path,
    settings_dict: dict[str, Any],
    media_root: Path,
    stamp: dt.datetime,
    server_major: int,
    dump_major: int,
) -> None:
    dump = folder / DUMP_FILE
    with _snapshot(settings_dict) as (snapshot, cursor):
        tables = fingerprints(cursor)
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [_tool("pg_dump"), "--format=custom", f"--file={dump}", f"--snapshot={snapshot}", "--no-password"],
            env=libpq_env(settings_dict),
            check=True,
            capture_output=True,
        )
    media = folder / MEDIA_FILE
    media_files = 0
    with tarfile.open(media, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    media_files += 1
    manifest = {
        "format": FORMAT,
        "created_at": stamp.isoformat(),
        "database": settings_dict["NAME"],
        "server_major_version": server_major,
        "pg_dump_major_version": dump_major,
        "files": {DUMP_FILE: _sha256(dump), MEDIA_FILE: _sha256(media)},
        "media_files": media_files,
        "tables": tables,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- restore -------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        raise BackupError(f"{folder} 不是备份目录（没有 {MANIFEST_FILE}）：请给出 make backup 生成的 zhucun-… 目录。")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 无法识别（应为 {FORMAT}）。")
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.is_file() or _sha256(file) != expected:
            raise BackupError(f"备份文件 {name} 缺失或已损坏（SHA-256 与 manifest.json 不符），不能用于恢复。")
    return manifest


def _database_exists(settings_dict: dict[str, Any], name: str) -> bool:
    with _connect(settings_dict, "postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(settings_dict: dict[str, Any], name: str) -> None:
    with _connect(settings_dict, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(settings_dict: dict[str, Any], name: str) -> None:
    with _connect(settings_dict, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def restore(*, connection: Any, folder: Path, database_name: str, media_root: Path) -> dict[str, Any]:
    """Restore ``folder`` into the new database ``database_name`` and its media into ``media_root``
    (absent or empty); then compare the key tables with the manifest. Returns the comparison."""
    require_postgresql(connection)
    settings_dict = connection.settings_dict
    if not _DB_NAME.match(database_name):
        raise BackupError(f"数据库名「{database_name}」不合法：请使用字母、数字和下划线，以字母开头，最长 63 个字符。")
    manifest = read_manifest(folder)
    if _database_exists(settings_dict, database_name):
        raise BackupError(
            f"数据库 {database_name} 已存在：恢复只写入新数据库，不覆盖现有数据。"
            "请换一个名称，或由数据库管理员先删除它。"
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"媒体目录 {media_root} 不是空目录：恢复不覆盖现有文件。请用 --media-root 指定一个新目录。")
    tool_major_version("pg_restore")
    create_database(settings_dict, database_name)
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--no-password",
            f"--dbname={database_name}",
            str(folder / DUMP_FILE),
        ],
        env=libpq_env(settings_dict, database_name),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore 失败（数据库 {database_name} 已创建但不完整，请删除后重试）：{result.stderr.strip()[:500]}"
        )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_FILE, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # refuses absolute paths, .. and links out
    restored = database_fingerprints(settings_dict, database_name)
    expected = manifest["tables"]
    differences = {
        table: {"expected": expected.get(table), "restored": restored.get(table)}
        for table in sorted(set(expected) | set(restored))
        if expected.get(table) != restored.get(table)
    }
    return {"tables": restored, "differences": differences, "manifest": manifest}
