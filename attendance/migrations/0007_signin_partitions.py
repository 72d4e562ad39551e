"""Sign-ins partitioned by month on PostgreSQL (issue 16 item 2, decision 0178).

The table is rebuilt as a range-partitioned one: a partition per month from the first month holding a
sign-in to three months ahead, and a default partition. The rows are copied in one statement, then the
keys and indexes are built on the whole table (faster than maintaining them row by row). Keys that
PostgreSQL requires to include the partition key gain ``date``: the primary key becomes (id, date) and
the client id is unique per day. The one-per-day rule (cadre_id, date) is unchanged. The rollup trigger
(0006) is put back on the new table. Django's model state does not change: on SQLite nothing happens.

On a big table this takes the time of a copy (see decision 0178 for the steps on a live system).
"""

from django.db import migrations

PLAIN = ""
PARTITIONED = "PARTITION BY RANGE (date)"

MONTHLY_PARTITIONS = """
DO $$
DECLARE
    m date;
    last date := (date_trunc('month', current_date) + interval '3 months')::date;
BEGIN
    SELECT coalesce(date_trunc('month', min(date))::date, date_trunc('month', current_date)::date)
      INTO m FROM attendance_signin;
    WHILE m <= last LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF attendance_signin_rebuilt FOR VALUES FROM (%L) TO (%L)',
                       'attendance_signin_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM'),
                       m, (m + interval '1 month')::date);
        m := (m + interval '1 month')::date;
    END LOOP;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER attendance_signin_rollup
AFTER INSERT OR DELETE OR UPDATE OF cadre_id, date, village_code, status ON attendance_signin
FOR EACH ROW EXECUTE FUNCTION attendance_signin_rollup();
"""


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    """attendance_signin rebuilt, partitioned by month or plain again, with the same rows, names and rules."""
    if schema_editor.connection.vendor != "postgresql":
        return

    def run(sql: str) -> None:
        schema_editor.execute(sql, params=None)  # no parameters: % signs in the SQL are its own

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'attendance_signin'::regclass AND contype = 'f'"
        )
        (foreign_key,) = cursor.fetchone()
    run(
        "CREATE TABLE attendance_signin_rebuilt (LIKE attendance_signin INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS) {PARTITIONED if partitioned else PLAIN}"
    )
    if partitioned:
        run("CREATE TABLE attendance_signin_default PARTITION OF attendance_signin_rebuilt DEFAULT")
        run(MONTHLY_PARTITIONS)
    run("INSERT INTO attendance_signin_rebuilt SELECT * FROM attendance_signin")
    run("DROP TABLE attendance_signin CASCADE")  # its trigger, keys and indexes (and, going back, its partitions)
    run("ALTER TABLE attendance_signin_rebuilt RENAME TO attendance_signin")
    run("ALTER SEQUENCE attendance_signin_rebuilt_id_seq RENAME TO attendance_signin_id_seq")
    run(
        "SELECT setval('attendance_signin_id_seq', coalesce((SELECT max(id) FROM attendance_signin), 0) + 1, false)"
    )
    day = ", date" if partitioned else ""
    run(f"ALTER TABLE attendance_signin ADD CONSTRAINT attendance_signin_pkey PRIMARY KEY (id{day})")
    run(f"ALTER TABLE attendance_signin ADD CONSTRAINT attendance_signin_client_id_key UNIQUE (client_id{day})")
    run("ALTER TABLE attendance_signin ADD CONSTRAINT signin_one_per_cadre_per_day UNIQUE (cadre_id, date)")
    run(
        f"ALTER TABLE attendance_signin ADD CONSTRAINT {foreign_key} FOREIGN KEY (cadre_id) "
        "REFERENCES cadres_cadre (id) DEFERRABLE INITIALLY DEFERRED"
    )
    run("CREATE INDEX signin_village_date_idx ON attendance_signin (village_code varchar_pattern_ops, date)")
    run(
        "CREATE INDEX signin_date_village_idx ON attendance_signin (date, village_code varchar_pattern_ops) "
        "INCLUDE (cadre_id, status)"
    )
    if not partitioned:  # Django's index for the foreign key (partitioned, the one-per-day key serves)
        run("CREATE INDEX attendance_signin_cadre_id_idx ON attendance_signin (cadre_id)")
    run(TRIGGER)


def forwards(apps, schema_editor):
    _rebuild(schema_editor, partitioned=True)


def backwards(apps, schema_editor):
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("attendance", "0006_signin_month"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
