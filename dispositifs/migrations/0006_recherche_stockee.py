"""Full-text search of the work queue on a stored column (docs/decisions/0022).

The search vector (number, title, applicant, SIRET) is a generated column, indexed twice:
- GIN (``dossier_recherche``): a rare word, a number or a SIRET is found through it;
- in the queue's order (``dossier_recherche_depose``: filing date ↓, id ↓, covering the scope,
  the state and the vector): a frequent word is checked in the index alone while the queue is
  read most recent first, without reading the rows nor recomputing the vector.
It replaces the expression index ``dossier_recherche_gin`` (instruction 0002). PostgreSQL only:
SQLite (development) searches with LIKE. Adding the column rewrites the table (exclusive lock, about
a minute per million dossiers): run it in a maintenance window, then ``VACUUM ANALYZE
dispositifs_dossier`` so that index-only scans apply at once."""

from django.db import migrations

VECTEUR = (
    "to_tsvector('french'::regconfig, coalesce(numero, '') || ' ' || titre || ' ' || "
    "nom_demandeur || ' ' || siret)"
)

AVANT = [
    f"ALTER TABLE dispositifs_dossier ADD COLUMN IF NOT EXISTS recherche tsvector "
    f"GENERATED ALWAYS AS ({VECTEUR}) STORED",
    "CREATE INDEX IF NOT EXISTS dossier_recherche ON dispositifs_dossier USING gin (recherche)",
    "CREATE INDEX IF NOT EXISTS dossier_recherche_depose ON dispositifs_dossier "
    "(depose_le DESC, id DESC) INCLUDE (dispositif_id, etat, recherche)",
    "DROP INDEX IF EXISTS dossier_recherche_gin",
    # Finer word statistics: a rare word is then estimated rare, and found through GIN.
    "ALTER TABLE dispositifs_dossier ALTER COLUMN recherche SET STATISTICS 1000",
]
ARRIERE = [
    f"CREATE INDEX IF NOT EXISTS dossier_recherche_gin ON dispositifs_dossier USING gin ({VECTEUR})",
    "DROP INDEX IF EXISTS dossier_recherche_depose",
    "DROP INDEX IF EXISTS dossier_recherche",
    "ALTER TABLE dispositifs_dossier DROP COLUMN IF EXISTS recherche",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in AVANT:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in ARRIERE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dispositifs", "0005_index_commune"),
        ("instruction", "0002_recherche_plein_texte"),
    ]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
