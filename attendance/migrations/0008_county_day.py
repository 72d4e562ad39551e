"""Per-county counters for the big dashboards (issue 16, decision 0180), kept by triggers.

* ``attendance_county_day``: per county and day, the cadres present and the villages with one of them,
  kept by statement-level triggers on the sign-ins (PostgreSQL) or row triggers (SQLite), in the
  sign-in's own statement.
* ``attendance_county_month_days``: per county and month, the rollup's rows by their days present,
  kept by a trigger on the rollup itself.

The SQL is frozen here; ``attendance.rollup`` owns the counters at run time (rebuild, check).
"""

from django.db import migrations, models

PRESENT = "('ok', 'late')"

# PostgreSQL: statement-level triggers with transition tables. A statement may write many sign-ins
# (bulk_create, a DELETE of a day, a correction of a month): its rows' changes are grouped per village
# and day, and a village's coverage is judged once, on the rows as the statement left them — a row
# trigger would see its statement's other rows already written and count none of them (or all) as the
# village's first. The county rows are locked first, in key order (the upsert), and only then are the
# villages' rows counted, by a later statement that sees what concurrent sign-ins committed meanwhile:
# two first sign-ins of one village at once are counted in turn.
_COUNTY_DAY_BODY = f"""
CREATE FUNCTION attendance_signin_county_day_{{event}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- only the villages whose count changed (an UPDATE of a photo or of the coordinates changes none)
    INSERT INTO attendance_county_day AS c (county_code, day, present, covered)
    SELECT left(village_code, 6), date, sum(d), 0
      FROM (SELECT village_code, date, sum(d) AS d FROM ({{changes}}) x GROUP BY 1, 2 HAVING sum(d) <> 0) v
     GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (county_code, day) DO UPDATE SET present = c.present + EXCLUDED.present;
    WITH per_village AS (
        SELECT village_code, date, sum(d) AS d FROM ({{changes}}) x GROUP BY 1, 2 HAVING sum(d) <> 0
    ), judged AS (
        SELECT left(v.village_code, 6) AS county_code, v.date,
               (n.after > 0)::int - (n.after - v.d > 0)::int AS dc
          FROM per_village v
          CROSS JOIN LATERAL (SELECT count(*) AS after FROM attendance_signin s
                               WHERE s.village_code = v.village_code AND s.date = v.date
                                 AND s.status IN {PRESENT}) n
    ), delta AS (
        SELECT county_code, date, sum(dc) AS dc FROM judged GROUP BY 1, 2 HAVING sum(dc) <> 0
    )
    UPDATE attendance_county_day c SET covered = c.covered + delta.dc
      FROM delta WHERE c.county_code = delta.county_code AND c.day = delta.date;
    RETURN NULL;
END
$$;
"""
_IN = f"SELECT village_code, date, 1 AS d FROM new_rows WHERE status IN {PRESENT}"
_OUT = f"SELECT village_code, date, -1 AS d FROM old_rows WHERE status IN {PRESENT}"
_TRANSITIONS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows", _IN),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", f"{_IN} UNION ALL {_OUT}"),
    "delete": ("DELETE", "OLD TABLE AS old_rows", _OUT),
}
POSTGRESQL_COUNTY_DAY = [
    statement
    for event, (operation, referencing, changes) in _TRANSITIONS.items()
    for statement in (
        _COUNTY_DAY_BODY.format(event=event, changes=changes),
        f"CREATE TRIGGER attendance_signin_county_day_{event} AFTER {operation} ON attendance_signin "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION attendance_signin_county_day_{event}()",
    )
]
POSTGRESQL_COUNTY_DAY_DROP = [
    statement
    for event in _TRANSITIONS
    for statement in (
        f"DROP TRIGGER IF EXISTS attendance_signin_county_day_{event} ON attendance_signin",
        f"DROP FUNCTION IF EXISTS attendance_signin_county_day_{event}()",
    )
]

POSTGRESQL_MONTH_DAYS = [
    """
CREATE FUNCTION attendance_signin_month_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.month = NEW.month AND OLD.days_present = NEW.days_present
       AND left(OLD.village_code, 6) = left(NEW.village_code, 6) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE attendance_county_month_days h SET cadres = h.cadres - 1
         WHERE h.county_code = left(OLD.village_code, 6) AND h.month = OLD.month
           AND h.days_present = OLD.days_present;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO attendance_county_month_days AS h (county_code, month, days_present, cadres)
        VALUES (left(NEW.village_code, 6), NEW.month, NEW.days_present, 1)
        ON CONFLICT (county_code, month, days_present) DO UPDATE SET cadres = h.cadres + 1;
    END IF;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER attendance_signin_month_days AFTER INSERT OR DELETE OR UPDATE ON attendance_signin_month
FOR EACH ROW EXECUTE FUNCTION attendance_signin_month_days();
""",
]

# SQLite (one writer at a time: no race to guard against)
_COUNTY_DAY_IN = f"""
    INSERT INTO attendance_county_day (county_code, day, present, covered)
    VALUES (substr(NEW.village_code, 1, 6), NEW.date, 1,
            (SELECT count(*) = 1 FROM attendance_signin s WHERE s.village_code = NEW.village_code
                AND s.date = NEW.date AND s.status IN {PRESENT}))
    ON CONFLICT (county_code, day) DO UPDATE
       SET present = present + 1, covered = covered + excluded.covered;
"""
_COUNTY_DAY_OUT = f"""
    UPDATE attendance_county_day
       SET present = present - 1,
           covered = covered - NOT EXISTS (SELECT 1 FROM attendance_signin s WHERE s.village_code = OLD.village_code
                                              AND s.date = OLD.date AND s.status IN {PRESENT})
     WHERE county_code = substr(OLD.village_code, 1, 6) AND day = OLD.date;
"""
_SAME_DAY = f"(OLD.status IN {PRESENT} AND NEW.status IN {PRESENT} AND OLD.village_code = NEW.village_code AND OLD.date = NEW.date)"
_DAYS_IN = """
    INSERT INTO attendance_county_month_days (county_code, month, days_present, cadres)
    VALUES (substr(NEW.village_code, 1, 6), NEW.month, NEW.days_present, 1)
    ON CONFLICT (county_code, month, days_present) DO UPDATE SET cadres = cadres + 1;
"""
_DAYS_OUT = """
    UPDATE attendance_county_month_days SET cadres = cadres - 1
     WHERE county_code = substr(OLD.village_code, 1, 6) AND month = OLD.month AND days_present = OLD.days_present;
"""
_DAYS_CHANGED = (
    "(OLD.month <> NEW.month OR OLD.days_present <> NEW.days_present "
    "OR substr(OLD.village_code, 1, 6) <> substr(NEW.village_code, 1, 6))"
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER attendance_county_day_insert AFTER INSERT ON attendance_signin "
    f"WHEN NEW.status IN {PRESENT} BEGIN {_COUNTY_DAY_IN} END",
    f"CREATE TRIGGER attendance_county_day_delete AFTER DELETE ON attendance_signin "
    f"WHEN OLD.status IN {PRESENT} BEGIN {_COUNTY_DAY_OUT} END",
    f"CREATE TRIGGER attendance_county_day_update_old AFTER UPDATE OF date, village_code, status "
    f"ON attendance_signin WHEN OLD.status IN {PRESENT} AND NOT {_SAME_DAY} BEGIN {_COUNTY_DAY_OUT} END",
    f"CREATE TRIGGER attendance_county_day_update_new AFTER UPDATE OF date, village_code, status "
    f"ON attendance_signin WHEN NEW.status IN {PRESENT} AND NOT {_SAME_DAY} BEGIN {_COUNTY_DAY_IN} END",
    f"CREATE TRIGGER attendance_month_days_insert AFTER INSERT ON attendance_signin_month BEGIN {_DAYS_IN} END",
    f"CREATE TRIGGER attendance_month_days_delete AFTER DELETE ON attendance_signin_month BEGIN {_DAYS_OUT} END",
    f"CREATE TRIGGER attendance_month_days_update AFTER UPDATE ON attendance_signin_month "
    f"WHEN {_DAYS_CHANGED} BEGIN {_DAYS_OUT} {_DAYS_IN} END",
]
SQLITE_NAMES = [
    "attendance_county_day_insert", "attendance_county_day_delete", "attendance_county_day_update_old",
    "attendance_county_day_update_new", "attendance_month_days_insert", "attendance_month_days_delete",
    "attendance_month_days_update",
]  # fmt: skip

BACKFILL = [
    f"""
INSERT INTO attendance_county_day (county_code, day, present, covered)
SELECT substr(village_code, 1, 6), date, count(*), count(DISTINCT village_code)
  FROM attendance_signin WHERE status IN {PRESENT} GROUP BY 1, 2
""",
    """
INSERT INTO attendance_county_month_days (county_code, month, days_present, cadres)
SELECT substr(village_code, 1, 6), month, days_present, count(*) FROM attendance_signin_month GROUP BY 1, 2, 3
""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the county counters have no trigger for {vendor}")
    for statement in BACKFILL:
        schema_editor.execute(statement)
    statements = [*POSTGRESQL_COUNTY_DAY, *POSTGRESQL_MONTH_DAYS] if vendor == "postgresql" else SQLITE_TRIGGERS
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS attendance_signin_month_days ON attendance_signin_month")
        schema_editor.execute("DROP FUNCTION IF EXISTS attendance_signin_month_days()")
        for statement in POSTGRESQL_COUNTY_DAY_DROP:
            schema_editor.execute(statement)
    else:
        for name in SQLITE_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0007_signin_partitions'),
        ('cadres', '0007_county_tally'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountyDay',
            fields=[
                ('pk', models.CompositePrimaryKey('county_code', 'day', blank=True, editable=False, primary_key=True, serialize=False)),
                ('county_code', models.CharField(max_length=6, verbose_name='区县代码')),
                ('day', models.DateField(verbose_name='日期')),
                ('present', models.IntegerField(default=0, verbose_name='在岗人数')),
                ('covered', models.IntegerField(default=0, verbose_name='有人在岗的村数')),
            ],
            options={
                'verbose_name': '区县每日在岗汇总',
                'verbose_name_plural': '区县每日在岗汇总',
                'db_table': 'attendance_county_day',
            },
        ),
        migrations.CreateModel(
            name='CountyMonthDays',
            fields=[
                ('pk', models.CompositePrimaryKey('county_code', 'month', 'days_present', blank=True, editable=False, primary_key=True, serialize=False)),
                ('county_code', models.CharField(max_length=6, verbose_name='区县代码')),
                ('month', models.DateField(verbose_name='月份')),
                ('days_present', models.IntegerField(verbose_name='在村天数')),
                ('cadres', models.IntegerField(default=0, verbose_name='人数')),
            ],
            options={
                'verbose_name': '区县月在村天数分布',
                'verbose_name_plural': '区县月在村天数分布',
                'db_table': 'attendance_county_month_days',
            },
        ),
        migrations.AddIndex(
            model_name='signinmonth',
            index=models.Index(fields=['month', 'last_present', 'days_present'], include=('village_code',), name='signin_month_last_idx'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
