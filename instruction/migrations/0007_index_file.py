"""Indexes for the work queue on a large database (see docs/BENCHMARKS.md, « Back-office »):
each sort and each selective filter reads dossiers in the page's order from an index, and the
default sort covers the scope columns so that deep pages are found without reading the rows.
PostgreSQL only (SQLite, for development, has few rows)."""

from django.db import migrations

INDEXES = {
    # Default sort (most recent filing first), covering the scope (scheme), the state and the
    # other filters: the page's ids are found in the index alone, whatever the filters.
    "dossier_file_depose": (
        "(depose_le DESC, id DESC) "
        "INCLUDE (dispositif_id, etat, montant_demande, departement, instructeur_id)"
    ),
    "dossier_file_montant": "(montant_demande, id) INCLUDE (dispositif_id, etat)",
    "dossier_file_instructeur": "(instructeur_id, depose_le DESC, id DESC) INCLUDE (dispositif_id, etat)",
    "dossier_file_dispositif": "(dispositif_id, depose_le DESC, id DESC) INCLUDE (etat)",
    "dossier_file_departement": "(departement, depose_le DESC, id DESC) INCLUDE (dispositif_id, etat)",
    "dossier_file_etat": "(etat, depose_le, id) INCLUDE (dispositif_id)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON dispositifs_dossier {columns}", params=None
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("instruction", "0006_export_file")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
