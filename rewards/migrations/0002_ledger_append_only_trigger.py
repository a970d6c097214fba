"""On PostgreSQL the database itself refuses to edit or delete ledger rows.

The ORM already refuses (rewards.models.wallet.AppendOnlyModel); this catches raw SQL, a
psql session or a future bug. Only the bookkeeping column `remaining` may change.
SQLite (the embedded default) has no such trigger; the ORM guard holds there.
"""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION rewards_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'rewards_ledgerentry rows are never deleted';
    END IF;
    IF (to_jsonb(NEW) - 'remaining') IS DISTINCT FROM (to_jsonb(OLD) - 'remaining') THEN
        RAISE EXCEPTION 'rewards_ledgerentry rows are append-only (only remaining may change)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rewards_ledger_append_only
    BEFORE UPDATE OR DELETE ON rewards_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION rewards_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS rewards_ledger_append_only ON rewards_ledgerentry;
DROP FUNCTION IF EXISTS rewards_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
