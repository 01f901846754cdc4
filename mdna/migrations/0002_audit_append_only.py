"""On PostgreSQL the database itself refuses to update or delete an audit event."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION mdna_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mdna_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mdna_auditevent_append_only
    BEFORE UPDATE OR DELETE ON mdna_auditevent
    FOR EACH ROW EXECUTE FUNCTION mdna_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS mdna_auditevent_append_only ON mdna_auditevent;
DROP FUNCTION IF EXISTS mdna_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("mdna", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
