"""PostgreSQL: a partial covering index for the late dossiers of the dashboard (in progress, by
filing date, with their scheme), read by an index-only scan (docs/decisions/0008)."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS instruction_dossiers_en_cours_depot ON dispositifs_dossier "
    "(depose_le) INCLUDE (dispositif_id) "
    "WHERE etat IN ('depose', 'incomplet', 'en_instruction')"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP INDEX IF EXISTS instruction_dossiers_en_cours_depot", params=None
        )


class Migration(migrations.Migration):
    dependencies = [("instruction", "0004_compteurs_declencheurs")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
