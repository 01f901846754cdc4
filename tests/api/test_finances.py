"""Finance endpoints: mandates, bordereaux, exports requested and downloaded, for finance staff
only (the rule of the /finances/ screens)."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from mdna import jetons
from mdna.models import PorteeJeton
from paiements import services
from tests.api.conftest import client_jeton
from tests.factories import UserFactory
from tests.paiements.conftest import attribuer, demander

pytestmark = pytest.mark.django_db


@pytest.fixture
def paul():
    return UserFactory(role="gestionnaire", first_name="Paul", email="paul@region.fr")


@pytest.fixture
def bordereau(dossier, sophie, marc, claire, paul, association):
    association.titulaire = association.nom
    association.iban = "FR7630006000011234567890189"
    association.bic = "AGRIFRPP"
    association.adresse = {"ligne": "2 rue des Arts", "code_postal": "23000", "commune": "Guéret"}
    association.save()
    attribuer(dossier, sophie, "8000.00")
    engagement = services.engagement_creer(dossier=dossier, par=paul)
    demande = demander(engagement, claire, depenses="8000.00")
    demande = services.service_fait_certifier(
        demande=demande, par=marc, montant=demande.montant_echeance
    )
    mandat = services.mandat_liquider(demande=demande, par=paul)
    return services.bordereau_creer(mandats=[mandat], par=paul)


def test_finance_officer_reads_mandates_and_downloads_an_export(
    paul, bordereau, django_capture_on_commit_callbacks
):
    api = client_jeton(paul)
    mandats = api.get("/api/v1/finances/mandats/", {"siret": "73282932000074"}).json()["results"]
    assert len(mandats) == 1
    mandat = mandats[0]
    assert (mandat["bordereau"], mandat["montant"], mandat["statut"]) == (
        bordereau.pk,
        "4000.00",
        "emis",
    )
    detail = api.get(f"/api/v1/finances/mandats/{mandat['id']}/").json()
    assert sum(float(ligne["montant"]) for ligne in detail["lignes"]) == 4000.0
    assert api.get("/api/v1/finances/mandats/", {"exercice": 1999}).json()["results"] == []
    liste = api.get("/api/v1/finances/bordereaux/").json()["results"]
    assert [(b["id"], b["montant_total"], b["nombre_mandats"]) for b in liste] == [
        (bordereau.pk, "4000.00", 1)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        cree = api.post(
            "/api/v1/finances/exports/",
            {"format": "csv", "bordereaux": [bordereau.pk]},
            format="json",
        )
    assert cree.status_code == 201, cree.content
    export = api.get(f"/api/v1/finances/exports/{cree.json()['id']}/").json()
    assert export["statut"] == "pret" and export["bordereaux"] == [bordereau.pk]
    fichier = api.get(f"/api/v1/finances/exports/{export['id']}/fichier/")
    assert fichier.status_code == 200
    contenu = b"".join(fichier.streaming_content).decode("utf-8-sig")
    assert "4000" in contenu and "73282932000074" in contenu
    assert len(list(csv.reader(io.StringIO(contenu), delimiter=";"))) >= 2


def test_export_requests_are_checked(paul, bordereau):
    api = client_jeton(paul)
    inconnu = api.post(
        "/api/v1/finances/exports/", {"format": "csv", "bordereaux": [999999]}, format="json"
    )
    assert inconnu.status_code == 400 and "bordereaux" in inconnu.json()
    mauvais = api.post(
        "/api/v1/finances/exports/", {"format": "xls", "bordereaux": [bordereau.pk]}, format="json"
    )
    assert mauvais.status_code == 400 and "format" in mauvais.json()
    lecture = client_jeton(paul, PorteeJeton.LECTURE)
    assert (
        lecture.post(
            "/api/v1/finances/exports/",
            {"format": "csv", "bordereaux": [bordereau.pk]},
            format="json",
        ).status_code
        == 403
    )


@pytest.mark.parametrize("role", ["anonyme", "demandeur", "instructeur", "valideur"])
def test_only_finance_staff(role, claire, marc, sophie, bordereau):
    user = {"anonyme": None, "demandeur": claire, "instructeur": marc, "valideur": sophie}[role]
    api = APIClient() if user is None else client_jeton(user)
    attendu = 401 if user is None else 403
    for url in (
        "/api/v1/finances/mandats/",
        "/api/v1/finances/bordereaux/",
        f"/api/v1/finances/bordereaux/{bordereau.pk}/",
        "/api/v1/finances/exports/",
    ):
        assert api.get(url).status_code == attendu, url


def test_mandate_list_query_count(paul, bordereau, django_assert_max_num_queries):
    api = client_jeton(paul)
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/v1/finances/mandats/").json()["results"]) == 1
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/v1/finances/exports/").json()["results"]) == 0


def test_finance_responses_match_the_schema(schema, paul, bordereau):
    from tests.api.test_schema import CHECKS

    _, valeur = jetons.jeton_creer(par=paul, nom="schemathesis", portee=PorteeJeton.ECRITURE)
    mandat = bordereau.mandats.get()
    for chemin, parametres in (
        ("/api/v1/finances/mandats/", {}),
        ("/api/v1/finances/mandats/{id}/", {"id": mandat.pk}),
        ("/api/v1/finances/bordereaux/", {}),
        ("/api/v1/finances/bordereaux/{id}/", {"id": bordereau.pk}),
        ("/api/v1/finances/exports/", {}),
    ):
        reponse = (
            schema[chemin]["GET"]
            .Case(path_parameters=parametres)
            .call_and_validate(headers={"Authorization": f"Bearer {valeur}"}, checks=CHECKS)
        )
        assert reponse.status_code == 200
