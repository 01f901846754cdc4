"""Open data: the grants decided, in the SCDL « subventions » 2.1.1 format (CSV and JSON,
through the API and a management command)."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from instruction import services
from mdna import scdl
from mdna.models import Tiers
from tests.api.conftest import deposer

pytestmark = pytest.mark.django_db

URL = "/api/v1/donnees-ouvertes/subventions/"
GROS_PROJET = {
    "depenses": [{"poste": "Scène et son", "montant": "60000.00"}],
    "montant_demande": "25000.00",
    "cofinanceurs": [],
    "autofinancement": "35000.00",
}
EN_TETE = (
    "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,idBeneficiaire,"
    "rnaBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,"
    "notificationUE,pourcentageSubvention,dispositifAide"
)


def proposer(dossier, montant, marc, sophie):
    """The real path up to the vote: complete, proposal, approval."""
    services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
    proposition = services.proposition_enregistrer(
        dossier=dossier,
        par=marc,
        montant=Decimal(montant),
        sens="favorable",
        justification="Projet structurant pour le territoire.",
    )
    services.proposition_approuver(proposition=proposition, par=sophie)
    return dossier


def voter(dossiers, sophie):
    """A session of the commission permanente adopts these dossiers."""
    from dispositifs.models import Dossier
    from instruction.programmation import services as programmation

    seance = programmation.commission_creer(
        par=sophie, date=dt.date(2026, 11, 20), libelle="Commission permanente"
    )
    programmation.points_inscrire(
        commission=seance,
        par=sophie,
        dossiers=list(Dossier.objects.filter(pk__in=[d.pk for d in dossiers])),
    )
    programmation.commission_voter(
        commission=seance, par=sophie, decisions={p.pk: "adopte" for p in seance.points.all()}
    )
    return seance


@pytest.fixture
def decisions(festivals, association, claire, marc, sophie):
    """Three grants voted on 2026-11-20 (one under the threshold, one exactly at it) by two
    sessions, one refused, one pending."""
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)):
        gros = proposer(
            deposer(festivals, association, claire, **GROS_PROJET), "24000.50", marc, sophie
        )
        petit = proposer(deposer(festivals, association, claire), "5000", marc, sophie)
        seuil = proposer(
            deposer(festivals, association, claire, **GROS_PROJET), "23000", marc, sophie
        )
        premiere = voter([gros, petit], sophie)
        seconde = voter([seuil], sophie)
        refuse = deposer(festivals, association, claire, **GROS_PROJET)
        services.transition_executer(dossier=refuse, nom="declarer_complet", par=marc)
        deposer(festivals, association, claire, **GROS_PROJET)
    from dispositifs.models import Dossier

    return {
        "gros": Dossier.objects.get(pk=gros.pk),
        "petit": Dossier.objects.get(pk=petit.pk),
        "seuil": Dossier.objects.get(pk=seuil.pk),
        "premiere": premiere,
        "seconde": seconde,
    }


def test_one_row_per_grant_above_the_legal_threshold_with_the_schemas_columns(
    decisions, festivals, settings
):
    reponse = APIClient().get(URL, {"format": "csv"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    texte = reponse.content.decode("utf-8")
    assert texte.splitlines()[0] == EN_TETE
    rows = list(csv.DictReader(io.StringIO(texte)))
    assert len(rows) == 1
    row = rows[0]
    gros = decisions["gros"]
    assert row == {
        "nomAttribuant": "Région Nouvelle-Aquitaine",
        "idAttribuant": settings.MDNA_PES["siret"],
        "dateConvention": "2026-11-20",
        "referenceDecision": gros.numero,
        "nomBeneficiaire": "Les Tréteaux de la Creuse",
        "idBeneficiaire": "73282932000074",
        "rnaBeneficiaire": "W872001234",
        "objet": gros.titre,
        "montant": "24000.50",
        "nature": "aide en numéraire",
        "conditionsVersement": "échelonné",
        "datesPeriodeVersement": f"2026-11-20/{gros.date_fin.isoformat()}",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": festivals.slug,
    }
    assert re.match(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$", row["datesPeriodeVersement"])


def test_all_grants_on_demand_and_json_with_the_same_values(decisions):
    tous = APIClient().get(URL, {"tous": "true"})
    assert tous.status_code == 200 and tous["Content-Type"].startswith("application/json")
    rows = tous.json()
    assert [r["referenceDecision"] for r in rows] == [
        decisions[k].numero for k in ("gros", "petit", "seuil")
    ]
    assert [r["montant"] for r in rows] == ["24000.50", "5000.00", "23000.00"]
    assert all(list(r) == list(scdl.COLONNES) for r in rows)
    assert APIClient().get(URL, {"tous": "true", "annee": 2025}).json() == []
    assert APIClient().get(URL, {"annee": "deux-mille"}).status_code == 400


def test_individuals_are_never_published(decisions):
    """A grant to a person (a student's mobility grant…) is personal data: never in the file."""
    from dispositifs.models import Dossier

    lea = Tiers.objects.create(type="particulier", nom="Léa Martin")
    Dossier.objects.filter(pk=decisions["gros"].pk).update(tiers=lea)
    rows = APIClient().get(URL, {"tous": "true"}).json()
    assert "Léa Martin" not in {r["nomBeneficiaire"] for r in rows}
    assert len(rows) == 2


def test_paid_grants_stay_published_with_the_amount_voted(decisions, marc, sophie, settings):
    from mdna.models import Role

    paul = type(sophie).objects.create_user("paul@region.fr", role=Role.GESTIONNAIRE)
    services.transition_executer(dossier=decisions["gros"], nom="mettre_en_paiement", par=paul)
    rows = APIClient().get(URL).json()
    assert [(r["referenceDecision"], r["montant"]) for r in rows] == [
        (decisions["gros"].numero, "24000.50")
    ]


def test_management_command_writes_csv_and_json(decisions, tmp_path):
    sortie = tmp_path / "subventions.csv"
    call_command("export_scdl", "--sortie", str(sortie), stderr=io.StringIO())
    lignes = sortie.read_text(encoding="utf-8").splitlines()
    assert lignes[0] == EN_TETE and len(lignes) == 2
    out = io.StringIO()
    call_command("export_scdl", "--tous", "--format", "json", stdout=out)
    assert len(json.loads(out.getvalue())) == 3


def test_the_regions_siret_is_required(decisions, settings):
    settings.MDNA_REGION_SIRET = ""
    with pytest.raises(CommandError, match="MDNA_REGION_SIRET"):
        call_command("export_scdl", stdout=io.StringIO())
    reponse = APIClient().get(URL)
    assert reponse.status_code == 503 and "MDNA_REGION_SIRET" in reponse.json()["detail"]


def test_export_query_count_does_not_grow(decisions, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(APIClient().get(URL, {"tous": "true"}).json()) == 3


def test_the_export_of_a_voted_commission_has_one_row_per_granted_dossier(decisions):
    seance = decisions["premiere"]
    rows = APIClient().get(URL, {"commission": seance.pk, "tous": "true"}).json()
    assert [r["referenceDecision"] for r in rows] == [
        decisions["gros"].numero,
        decisions["petit"].numero,
    ]
    assert all(tuple(r) == scdl.COLONNES for r in rows)
    out = io.StringIO()
    call_command("export_scdl", "--commission", str(seance.pk), "--tous", stdout=out)
    assert out.getvalue().splitlines()[0] == EN_TETE and len(out.getvalue().splitlines()) == 3
    seconde = APIClient().get(URL, {"commission": decisions["seconde"].pk, "tous": "true"})
    assert [r["referenceDecision"] for r in seconde.json()] == [decisions["seuil"].numero]
