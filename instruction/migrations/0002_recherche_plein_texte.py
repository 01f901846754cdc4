"""PostgreSQL full-text search over dossiers (number, title, applicant, SIRET) with a GIN index.
SQLite falls back to a simple LIKE search (see instruction/selectors.py)."""

from django.db import migrations

EXPRESSION = (
    "to_tsvector('french'::regconfig, coalesce(numero, '') || ' ' || titre || ' ' || "
    "nom_demandeur || ' ' || siret)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS dossier_recherche_gin ON dispositifs_dossier USING gin ({EXPRESSION})",
            params=None,
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_recherche_gin", params=None)


class Migration(migrations.Migration):
    dependencies = [("instruction", "0001_initial"), ("dispositifs", "0003_dossier_instructeur_and_more")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
