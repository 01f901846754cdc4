"""Every filter of the work queue and of the APIs reads an index (docs/instruction.md,
« Index des filtres »): a new filter without its index makes this test fail."""

import pytest
from django.db import connection

from dispositifs.models import Dossier
from instruction.filters import FileFilter
from mdna.api.agent import FileFilterAPI
from mdna.api.usager import FiltresUsager

pytestmark = pytest.mark.django_db

TABLE = Dossier._meta.db_table

# Filter → the column an index must start with. "recherche" is the full-text GIN index.
COLONNES = {
    "q": "recherche",
    "dispositif": "dispositif_id",
    "etat": "etat",
    "instructeur": "instructeur_id",
    "mes_dossiers": "instructeur_id",
    "departement": "departement",
    "commune": "commune",
    "siret": "siret",
    "montant_min": "montant_demande",
    "montant_max": "montant_demande",
    "depose_du": "depose_le",
    "depose_au": "depose_le",
    "en_retard": "etat",  # etat IN (en cours) AND depose_le < limit: (etat, depose_le)
    "tri": "depose_le",  # default order; the other sorts are listed in docs/instruction.md
}
# Indexes created by SQL for PostgreSQL only (expression, DESC … INCLUDE): see the migrations
# instruction 0002 and 0007.
SEULEMENT_POSTGRESQL = {"recherche", "depose_le"}


def _premieres_colonnes() -> set[str]:
    with connection.cursor() as cursor:
        contraintes = connection.introspection.get_constraints(cursor, TABLE)
    premieres = {c["columns"][0] for c in contraintes.values() if c["index"] and c["columns"]}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE "
                "'%%USING gin (recherche)%%'",
                [TABLE],
            )
            if cursor.fetchall():
                premieres.add("recherche")
    return premieres


@pytest.mark.parametrize("filterset", [FileFilter, FileFilterAPI, FiltresUsager])
def test_every_list_filter_has_an_index(filterset):
    filtres = set(filterset.base_filters)
    assert filtres <= set(COLONNES), f"filtre sans index déclaré : {filtres - set(COLONNES)}"
    premieres = _premieres_colonnes()
    for nom in filtres:
        colonne = COLONNES[nom]
        if colonne in SEULEMENT_POSTGRESQL and connection.vendor != "postgresql":
            continue
        assert colonne in premieres, f"le filtre {nom} ({colonne}) n'a pas d'index"


def test_the_applicant_api_scope_and_slug_have_indexes():
    """The applicant's list is scoped by Tiers and may filter by the scheme's slug."""
    premieres = _premieres_colonnes()
    assert "tiers_id" in premieres
    with connection.cursor() as cursor:
        contraintes = connection.introspection.get_constraints(cursor, "dispositifs_dispositif")
    assert any(
        c["columns"] == ["slug"] and (c["unique"] or c["index"]) for c in contraintes.values()
    )
