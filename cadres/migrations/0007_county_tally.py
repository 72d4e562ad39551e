"""Per-county tallies of teams and cadres in post (issue 16, decision 0180), kept by triggers.

The trigger SQL is frozen here (a migration must not change when the code does); ``cadres.tally`` owns
the tallies at run time (rebuild, check).
"""

from django.db import migrations, models

BACKFILL = """
INSERT INTO cadres_county_tally (county_code, teams, active_cadres)
SELECT substr(t.village_id, 1, 6), count(*), coalesce(sum(c.n), 0)
  FROM cadres_team t
  LEFT JOIN (SELECT team_id, count(*) AS n FROM cadres_cadre WHERE status = 'active' GROUP BY team_id) c
    ON c.team_id = t.id
 GROUP BY 1
"""

POSTGRESQL = [
    """
CREATE FUNCTION cadres_county_tally_add(code varchar, d_teams integer, d_active integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO cadres_county_tally AS t (county_code, teams, active_cadres)
    SELECT left(code, 6), d_teams, d_active WHERE code IS NOT NULL
    ON CONFLICT (county_code) DO UPDATE
       SET teams = t.teams + EXCLUDED.teams, active_cadres = t.active_cadres + EXCLUDED.active_cadres;
$$;
""",
    """
CREATE FUNCTION cadres_team_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF left(OLD.village_id, 6) = left(NEW.village_id, 6) THEN
            RETURN NULL;
        END IF;
        SELECT count(*) INTO n FROM cadres_cadre WHERE team_id = NEW.id AND status = 'active';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cadres_county_tally_add(OLD.village_id, -1, -n);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cadres_county_tally_add(NEW.village_id, 1, n);
    END IF;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER cadres_team_tally AFTER INSERT OR DELETE OR UPDATE OF village_id ON cadres_team
FOR EACH ROW EXECUTE FUNCTION cadres_team_tally();
""",
    """
CREATE FUNCTION cadres_cadre_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.team_id = NEW.team_id
       AND (OLD.status = 'active') = (NEW.status = 'active') THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
        PERFORM cadres_county_tally_add((SELECT village_id FROM cadres_team WHERE id = OLD.team_id), 0, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
        PERFORM cadres_county_tally_add((SELECT village_id FROM cadres_team WHERE id = NEW.team_id), 0, 1);
    END IF;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER cadres_cadre_tally AFTER INSERT OR DELETE OR UPDATE OF status, team_id ON cadres_cadre
FOR EACH ROW EXECUTE FUNCTION cadres_cadre_tally();
""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS cadres_cadre_tally ON cadres_cadre",
    "DROP TRIGGER IF EXISTS cadres_team_tally ON cadres_team",
    "DROP FUNCTION IF EXISTS cadres_cadre_tally()",
    "DROP FUNCTION IF EXISTS cadres_team_tally()",
    "DROP FUNCTION IF EXISTS cadres_county_tally_add(varchar, integer, integer)",
]

_ACTIVE_IN_TEAM = "(SELECT count(*) FROM cadres_cadre WHERE team_id = NEW.id AND status = 'active')"
_ADD_ACTIVE = """
    INSERT INTO cadres_county_tally (county_code, teams, active_cadres)
    SELECT substr(village_id, 1, 6), 0, 1 FROM cadres_team WHERE id = NEW.team_id
    ON CONFLICT (county_code) DO UPDATE SET active_cadres = active_cadres + 1;
"""
_REMOVE_ACTIVE = """
    UPDATE cadres_county_tally SET active_cadres = active_cadres - 1
     WHERE county_code = (SELECT substr(village_id, 1, 6) FROM cadres_team WHERE id = OLD.team_id);
"""
SQLITE = [
    "CREATE TRIGGER cadres_team_tally_insert AFTER INSERT ON cadres_team BEGIN "
    "INSERT INTO cadres_county_tally (county_code, teams, active_cadres) VALUES (substr(NEW.village_id, 1, 6), 1, 0) "
    "ON CONFLICT (county_code) DO UPDATE SET teams = teams + 1; END",
    "CREATE TRIGGER cadres_team_tally_delete AFTER DELETE ON cadres_team BEGIN "
    "UPDATE cadres_county_tally SET teams = teams - 1 WHERE county_code = substr(OLD.village_id, 1, 6); END",
    "CREATE TRIGGER cadres_team_tally_move AFTER UPDATE OF village_id ON cadres_team "
    "WHEN substr(OLD.village_id, 1, 6) <> substr(NEW.village_id, 1, 6) BEGIN "
    f"UPDATE cadres_county_tally SET teams = teams - 1, active_cadres = active_cadres - {_ACTIVE_IN_TEAM} "
    "WHERE county_code = substr(OLD.village_id, 1, 6); "
    "INSERT INTO cadres_county_tally (county_code, teams, active_cadres) "
    f"VALUES (substr(NEW.village_id, 1, 6), 1, {_ACTIVE_IN_TEAM}) "
    "ON CONFLICT (county_code) DO UPDATE SET teams = teams + 1, active_cadres = active_cadres + excluded.active_cadres; "
    "END",
    f"CREATE TRIGGER cadres_cadre_tally_insert AFTER INSERT ON cadres_cadre WHEN NEW.status = 'active' "
    f"BEGIN {_ADD_ACTIVE} END",
    f"CREATE TRIGGER cadres_cadre_tally_delete AFTER DELETE ON cadres_cadre WHEN OLD.status = 'active' "
    f"BEGIN {_REMOVE_ACTIVE} END",
    # an update takes the cadre out where they were, then puts them in where they are
    "CREATE TRIGGER cadres_cadre_tally_update_old AFTER UPDATE OF status, team_id ON cadres_cadre "
    f"WHEN OLD.status = 'active' AND NOT (NEW.status = 'active' AND NEW.team_id = OLD.team_id) BEGIN {_REMOVE_ACTIVE} END",
    "CREATE TRIGGER cadres_cadre_tally_update_new AFTER UPDATE OF status, team_id ON cadres_cadre "
    f"WHEN NEW.status = 'active' AND NOT (OLD.status = 'active' AND NEW.team_id = OLD.team_id) BEGIN {_ADD_ACTIVE} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("cadres_team_tally_insert", "cadres_team_tally_delete", "cadres_team_tally_move",
                 "cadres_cadre_tally_insert", "cadres_cadre_tally_delete", "cadres_cadre_tally_update_old",
                 "cadres_cadre_tally_update_new")
]  # fmt: skip


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the county tallies have no trigger for {vendor}")
    schema_editor.execute(BACKFILL)
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    for statement in POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('cadres', '0006_cadre_term_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountyTally',
            fields=[
                ('county_code', models.CharField(max_length=6, primary_key=True, serialize=False, verbose_name='区县代码')),
                ('teams', models.IntegerField(default=0, verbose_name='工作队数')),
                ('active_cadres', models.IntegerField(default=0, verbose_name='在岗驻村干部数')),
            ],
            options={
                'verbose_name': '区县计数',
                'verbose_name_plural': '区县计数',
                'db_table': 'cadres_county_tally',
            },
        ),
        migrations.AddIndex(
            model_name='cadre',
            index=models.Index(condition=models.Q(('status', 'active'), _negated=True), fields=['term_end'], name='cadre_left_term_end_idx'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
