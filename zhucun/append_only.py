"""Append-only tables, enforced by the database itself (issue 10 item 7; docs/decisions/0055, 0056).

The audit trail (``zhucun_auditevent``) and the policy profile versions (``zhucun_policyprofileversion``)
refuse UPDATE, DELETE and TRUNCATE through triggers, whoever issues them: a service, the admin, a
shell, a bug. Two transaction-scoped permits open the only doors:

* ``audit_purge`` — the retention job (zhucun/audit_archive.py) may DELETE audit events, and only those
  older than ``MIN_RETENTION_DAYS`` (checked by the trigger against the row's own time);
* ``flush`` — ``manage.py flush`` (the test suite's reset between transactional tests) may empty both
  tables. Nothing else in the application asks for it.

On PostgreSQL the permit is the transaction-local setting ``zhucun.permit`` (``SET LOCAL``: it ends with
the transaction); on SQLite it is a row of ``zhucun_append_only_permit``, a table no model owns (so
``flush`` does not empty it), inserted and deleted inside the same transaction.

A role that owns the tables can still drop the triggers: the guarantee is against everything that runs
through the application. docs/decisions/0055 shows how to also revoke the application role's rights.

``install`` is idempotent. The migration calls it, and so does ``post_migrate`` (zhucun/apps.py): a later
migration that rebuilds one of the tables on SQLite (which drops its triggers) gets them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.db import DEFAULT_DB_ALIAS, connections, transaction

#: The trigger refuses to delete an audit event younger than this, whatever the purge job is told
#: (ZHUCUN_AUDIT_RETENTION_DAYS is refused below it: zhucun/checks.py). 等保 2.0: at least six months.
MIN_RETENTION_DAYS = 180

AUDIT_TABLE = "zhucun_auditevent"
POLICY_TABLE = "zhucun_policyprofileversion"
PERMIT_TABLE = "zhucun_append_only_permit"

AUDIT_REFUSED = "操作记录只能追加，不能修改或删除。"
POLICY_REFUSED = "政策参数版本只能新增，不能修改或删除；如需更正，请新增一个版本。"

Permit = Literal["audit_purge", "flush"]

_POSTGRES_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION zhucun_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    permit text := coalesce(current_setting('zhucun.permit', true), '');
BEGIN
    IF TG_OP = 'TRUNCATE' AND permit = 'flush' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' AND (
        permit = 'flush'
        OR (permit = 'audit_purge' AND OLD.at < now() - interval '{MIN_RETENTION_DAYS} days')
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{AUDIT_REFUSED}（%）', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    f"""
CREATE OR REPLACE FUNCTION zhucun_policyprofileversion_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('zhucun.permit', true), '') = 'flush' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        ELSIF TG_OP = 'TRUNCATE' THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION '{POLICY_REFUSED}（%）', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    f"""CREATE OR REPLACE TRIGGER zhucun_auditevent_append_only BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION zhucun_auditevent_append_only()""",
    f"""CREATE OR REPLACE TRIGGER zhucun_auditevent_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION zhucun_auditevent_append_only()""",
    f"""CREATE OR REPLACE TRIGGER zhucun_policyprofileversion_append_only BEFORE UPDATE OR DELETE ON {POLICY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION zhucun_policyprofileversion_append_only()""",
    f"""CREATE OR REPLACE TRIGGER zhucun_policyprofileversion_no_truncate BEFORE TRUNCATE ON {POLICY_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION zhucun_policyprofileversion_append_only()""",
]

_POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS zhucun_auditevent_append_only ON {AUDIT_TABLE}",
    f"DROP TRIGGER IF EXISTS zhucun_auditevent_no_truncate ON {AUDIT_TABLE}",
    f"DROP TRIGGER IF EXISTS zhucun_policyprofileversion_append_only ON {POLICY_TABLE}",
    f"DROP TRIGGER IF EXISTS zhucun_policyprofileversion_no_truncate ON {POLICY_TABLE}",
    "DROP FUNCTION IF EXISTS zhucun_auditevent_append_only()",
    "DROP FUNCTION IF EXISTS zhucun_policyprofileversion_append_only()",
]

# SQLite stores ``at`` as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which compares as text with datetime().
_SQLITE_FLUSH = f"EXISTS (SELECT 1 FROM {PERMIT_TABLE} WHERE mode = 'flush')"  # noqa: S608 - constants
_SQLITE_PURGE = (
    f"(EXISTS (SELECT 1 FROM {PERMIT_TABLE} WHERE mode = 'audit_purge')"  # noqa: S608 - constants
    f" AND OLD.at < datetime('now', '-{MIN_RETENTION_DAYS} days'))"
)
_SQLITE_INSTALL = [
    f"CREATE TABLE IF NOT EXISTS {PERMIT_TABLE} (mode varchar(20) NOT NULL)",
    "DROP TRIGGER IF EXISTS zhucun_auditevent_no_update",
    "DROP TRIGGER IF EXISTS zhucun_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS zhucun_policyprofileversion_no_update",
    "DROP TRIGGER IF EXISTS zhucun_policyprofileversion_no_delete",
    f"""CREATE TRIGGER zhucun_auditevent_no_update BEFORE UPDATE ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}（UPDATE）'); END""",
    f"""CREATE TRIGGER zhucun_auditevent_no_delete BEFORE DELETE ON {AUDIT_TABLE}
        WHEN NOT ({_SQLITE_FLUSH} OR {_SQLITE_PURGE})
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSED}（DELETE）'); END""",
    f"""CREATE TRIGGER zhucun_policyprofileversion_no_update BEFORE UPDATE ON {POLICY_TABLE}
        BEGIN SELECT RAISE(ABORT, '{POLICY_REFUSED}（UPDATE）'); END""",
    f"""CREATE TRIGGER zhucun_policyprofileversion_no_delete BEFORE DELETE ON {POLICY_TABLE}
        WHEN NOT {_SQLITE_FLUSH}
        BEGIN SELECT RAISE(ABORT, '{POLICY_REFUSED}（DELETE）'); END""",
]

_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS zhucun_auditevent_no_update",
    "DROP TRIGGER IF EXISTS zhucun_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS zhucun_policyprofileversion_no_update",
    "DROP TRIGGER IF EXISTS zhucun_policyprofileversion_no_delete",
    f"DROP TABLE IF EXISTS {PERMIT_TABLE}",
]


def _statements(connection: Any, *, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_UNINSTALL
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_UNINSTALL
    return []  # the project runs on PostgreSQL and SQLite only (README "Configuration")


def _tables_exist(connection: Any) -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return {AUDIT_TABLE, POLICY_TABLE} <= tables


def install(connection: Any) -> None:
    """Create (or re-create) the triggers on ``connection``'s database. Idempotent."""
    if not _tables_exist(connection):
        return
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def installed(connection: Any) -> set[str]:
    """The names of the append-only triggers present in the database (tests and ``check``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (%s::regclass, %s::regclass)",
                [AUDIT_TABLE, POLICY_TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [
                    AUDIT_TABLE,
                    POLICY_TABLE,
                ],
            )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def permit(kind: Permit, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction in which the triggers let ``kind`` through; the permit ends with it."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('zhucun.permit', %s, true)", [kind])
        elif connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {PERMIT_TABLE} (mode) VALUES (%s)", [kind])  # noqa: S608 - a constant
        yield
        # On an exception the transaction rolls back and takes the permit row with it.
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('zhucun.permit', '', true)")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {PERMIT_TABLE} WHERE mode = %s", [kind])  # noqa: S608 - a constant
