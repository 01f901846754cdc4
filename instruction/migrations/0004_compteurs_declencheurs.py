"""Triggers that keep the dashboard counters exact (instruction/pilotage/triggers.py), then a
first fill from the existing dossiers."""

from django.db import migrations


def forward(apps, schema_editor):
    from instruction.pilotage import triggers

    triggers.installer(schema_editor)
    schema_editor.execute(f"DELETE FROM {triggers.TABLE}", params=None)
    schema_editor.execute(
        f"INSERT INTO {triggers.TABLE} (dispositif_id, departement, etat, nombre, montant_demande) "
        "SELECT dispositif_id, departement, etat, count(*), coalesce(sum(montant_demande), 0) "
        "FROM dispositifs_dossier WHERE etat <> 'brouillon' GROUP BY 1, 2, 3",
        params=None,
    )


def backward(apps, schema_editor):
    from instruction.pilotage import triggers

    triggers.retirer(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("instruction", "0003_programmation_pilotage")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
