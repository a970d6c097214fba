"""The ledger trigger lets a free-text reason be blanked, and nothing else change.

A reason typed by staff (a manual grant, a reversal in admin) may name a member; erasing the
member must be able to blank it (rewards.gdpr). Blanking moves no points, so the books stay
as they were; any other edit is still refused, as since migration 0002.
"""

from django.db import migrations

NOW = """
CREATE OR REPLACE FUNCTION rewards_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'rewards_ledgerentry rows are never deleted';
    END IF;
    IF (to_jsonb(NEW) - 'remaining' - 'reason') IS DISTINCT FROM (to_jsonb(OLD) - 'remaining' - 'reason')
       OR (NEW.reason IS DISTINCT FROM OLD.reason AND NEW.reason <> '') THEN
        RAISE EXCEPTION 'rewards_ledgerentry rows are append-only (remaining may move, a reason be blanked)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# Migration 0002's function, for going back.
BEFORE = """
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
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOW)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BEFORE)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0006_field_labels")]

    operations = [migrations.RunPython(forwards, backwards)]
