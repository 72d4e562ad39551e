"""The monthly rollup of sign-ins (issue 16 item 1, decision 0177), kept by a trigger on the sign-ins.

The trigger's SQL is frozen here (a migration must not change when the code does); ``attendance.rollup``
owns the rollup at run time (rebuild, check). Only present days (正常, 迟到) count; one row per cadre and month.
"""

import django.db.models.deletion
from django.db import migrations, models

PRESENT = "('ok', 'late')"

# One row per cadre and month; its village is the one of the last day present (a cadre who moved in the
# month is counted where they now serve, with all the month's days).
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION attendance_signin_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_month date;
    latest_date date;
    latest_village varchar(12);
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN {PRESENT} THEN
        old_month := date_trunc('month', OLD.date)::date;
        SELECT s.date, s.village_code INTO latest_date, latest_village FROM attendance_signin s
         WHERE s.cadre_id = OLD.cadre_id AND s.date >= old_month
           AND s.date < (old_month + interval '1 month')::date AND s.status IN {PRESENT}
         ORDER BY s.date DESC LIMIT 1;
        IF latest_date IS NULL THEN
            DELETE FROM attendance_signin_month m WHERE m.cadre_id = OLD.cadre_id AND m.month = old_month;
        ELSE
            UPDATE attendance_signin_month m
               SET days_present = m.days_present - 1, last_present = latest_date, village_code = latest_village
             WHERE m.cadre_id = OLD.cadre_id AND m.month = old_month;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN {PRESENT} THEN
        INSERT INTO attendance_signin_month AS m (cadre_id, month, village_code, days_present, last_present)
        VALUES (NEW.cadre_id, date_trunc('month', NEW.date)::date, NEW.village_code, 1, NEW.date)
        ON CONFLICT (cadre_id, month) DO UPDATE
           SET days_present = m.days_present + 1,
               village_code = CASE WHEN EXCLUDED.last_present >= m.last_present
                                   THEN EXCLUDED.village_code ELSE m.village_code END,
               last_present = GREATEST(m.last_present, EXCLUDED.last_present);
    END IF;
    RETURN NULL;
END
$$;
"""

POSTGRESQL_TRIGGER = """
CREATE TRIGGER attendance_signin_rollup
AFTER INSERT OR DELETE OR UPDATE OF cadre_id, date, village_code, status ON attendance_signin
FOR EACH ROW EXECUTE FUNCTION attendance_signin_rollup();
"""

# SQLite (make run, the SQLite half of the suite): the same rule in four triggers.
_SQLITE_LATEST = f"""
    FROM attendance_signin s
    WHERE s.cadre_id = OLD.cadre_id AND s.date >= date(OLD.date, 'start of month')
      AND s.date < date(OLD.date, 'start of month', '+1 month') AND s.status IN {PRESENT}
    ORDER BY s.date DESC LIMIT 1
"""
_SQLITE_OLD = f"""
    UPDATE attendance_signin_month
       SET days_present = days_present - 1,
           last_present = (SELECT s.date {_SQLITE_LATEST}),
           village_code = coalesce((SELECT s.village_code {_SQLITE_LATEST}), village_code)
     WHERE cadre_id = OLD.cadre_id AND month = date(OLD.date, 'start of month');
    DELETE FROM attendance_signin_month
     WHERE cadre_id = OLD.cadre_id AND month = date(OLD.date, 'start of month') AND last_present IS NULL;
"""
_SQLITE_NEW = """
    INSERT INTO attendance_signin_month (cadre_id, month, village_code, days_present, last_present)
    VALUES (NEW.cadre_id, date(NEW.date, 'start of month'), NEW.village_code, 1, NEW.date)
    ON CONFLICT (cadre_id, month) DO UPDATE
       SET days_present = days_present + 1,
           village_code = CASE WHEN excluded.last_present >= last_present THEN excluded.village_code
                               ELSE village_code END,
           last_present = max(last_present, excluded.last_present);
"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER attendance_signin_rollup_insert AFTER INSERT ON attendance_signin "
    f"WHEN NEW.status IN {PRESENT} BEGIN {_SQLITE_NEW} END",
    f"CREATE TRIGGER attendance_signin_rollup_delete AFTER DELETE ON attendance_signin "
    f"WHEN OLD.status IN {PRESENT} BEGIN {_SQLITE_OLD} END",
    # an update takes the old day out, then puts the new one in
    f"CREATE TRIGGER attendance_signin_rollup_update_old AFTER UPDATE OF cadre_id, date, village_code, status "
    f"ON attendance_signin WHEN OLD.status IN {PRESENT} BEGIN {_SQLITE_OLD} END",
    f"CREATE TRIGGER attendance_signin_rollup_update_new AFTER UPDATE OF cadre_id, date, village_code, status "
    f"ON attendance_signin WHEN NEW.status IN {PRESENT} BEGIN {_SQLITE_NEW} END",
]

BACKFILL = f"""
INSERT INTO attendance_signin_month (cadre_id, month, village_code, days_present, last_present)
SELECT g.cadre_id, g.month,
       (SELECT s.village_code FROM attendance_signin s WHERE s.cadre_id = g.cadre_id AND s.date = g.last_day),
       g.days, g.last_day
  FROM (SELECT cadre_id, {{month}} AS month, count(*) AS days, max(date) AS last_day
          FROM attendance_signin WHERE status IN {PRESENT} GROUP BY cadre_id, {{month}}) g
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(BACKFILL.format(month="date_trunc('month', date)::date"))
        schema_editor.execute(POSTGRESQL_FUNCTION)
        schema_editor.execute(POSTGRESQL_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(BACKFILL.format(month="date(date, 'start of month')"))
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"the sign-in rollup has no trigger for {vendor}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS attendance_signin_rollup ON attendance_signin")
        schema_editor.execute("DROP FUNCTION IF EXISTS attendance_signin_rollup()")
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS attendance_signin_rollup_{name}")


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0005_whereabouts_returned_to_unit'),
        ('cadres', '0005_party_affairs'),
    ]

    operations = [
        migrations.CreateModel(
            name='SignInMonth',
            fields=[
                ('pk', models.CompositePrimaryKey('cadre_id', 'month', blank=True, editable=False, primary_key=True, serialize=False)),
                ('month', models.DateField(verbose_name='月份')),
                ('village_code', models.CharField(max_length=12, verbose_name='驻在村代码')),
                ('days_present', models.PositiveIntegerField(default=0, verbose_name='在村天数')),
                ('last_present', models.DateField(null=True, verbose_name='最近在村日期')),
                ('cadre', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cadres.cadre', verbose_name='驻村干部')),
            ],
            options={
                'db_table': 'attendance_signin_month',
                'verbose_name': '签到月汇总',
                'verbose_name_plural': '签到月汇总',
                'indexes': [models.Index(fields=['month', 'village_code'], include=('cadre', 'days_present', 'last_present'), name='signin_month_region_idx', opclasses=['date_ops', 'varchar_pattern_ops'])],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
