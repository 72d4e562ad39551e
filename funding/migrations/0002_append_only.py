"""The ledger is append-only in the database itself (issue 12: no edit, no delete; a reversal is a
new entry). On PostgreSQL a trigger refuses UPDATE and DELETE of entries, receipts and reimbursement
batches, whoever asks — the admin, a shell, a bug. TRUNCATE (the test suite's flush) is not a row
operation and is not affected. SQLite (the embedded demo database) relies on the models' guards."""

from django.db import migrations

TABLES = ["funding_ledgerentry", "funding_receipt", "funding_reimbursement", "funding_reimbursementitem"]

FUNCTION = """
CREATE OR REPLACE FUNCTION funding_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funding ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION funding_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS funding_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
