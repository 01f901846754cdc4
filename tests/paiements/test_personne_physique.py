"""A grant paid to a natural person (Léa, a student): the accountant's file requires her
civility, first name and surname, which finance staff keep on the engagement."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from lxml import etree

from instruction.services import ActionRefusee
from mdna.models import Adhesion, AuditEvent, RoleAdhesion, Tiers
from paiements import flux, services
from paiements.exports import validate_pes
from paiements.models import StatutExport
from tests.factories import DispositifFactory, UserFactory
from tests.instruction.conftest import deposer
from tests.paiements.conftest import attribuer

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea():
    return UserFactory(email="lea@etudiant.fr", first_name="Léa")


@pytest.fixture
def mobilite(culture):
    return DispositifFactory(
        publie=True,
        slug="bourse-mobilite",
        nom="Bourse de mobilité internationale",
        service=culture,
        beneficiaires=["particulier"],
        echeancier=[
            {"libelle": "Versement unique", "pourcentage": 100, "declencheur": "signature"}
        ],
    )


@pytest.fixture
def engagement_lea(mobilite, lea, sophie, paul):
    tiers = Tiers.objects.create(
        type="particulier",
        nom="Léa Martin-Dubois",
        adresse={"ligne": "12 cours de la Marne", "code_postal": "33000", "commune": "Bordeaux"},
        titulaire="Léa Martin-Dubois",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    Adhesion.objects.create(user=lea, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    dossier = attribuer(deposer(mobilite, tiers, lea), sophie, "1600.00")
    return services.engagement_creer(dossier=dossier, par=paul)


def _bordereau(engagement, lea, marc, paul):
    echeance = engagement.echeances.get()
    demande = services.demande_deposer(
        echeance=echeance,
        par=lea,
        depenses_realisees=Decimal("1600.00"),
        recapitulatif="Stage de quatre mois à Valence",
        justificatifs=[],
    )
    demande = services.service_fait_certifier(
        demande=demande, par=marc, montant=demande.montant_echeance
    )
    mandat = services.mandat_liquider(demande=demande, par=paul)
    return services.bordereau_creer(mandats=[mandat], par=paul)


def test_engagement_prefills_first_name_and_surname_but_not_the_civility(engagement_lea):
    assert (engagement_lea.prenom, engagement_lea.nom_famille) == ("Léa", "Martin-Dubois")
    assert engagement_lea.civilite == ""


def test_pes_export_is_refused_until_finance_records_the_civility_then_validates(
    engagement_lea, lea, marc, paul, client, django_capture_on_commit_callbacks
):
    bordereau = _bordereau(engagement_lea, lea, marc, paul)
    with pytest.raises(ActionRefusee, match=engagement_lea.dossier.numero):
        flux.export_demander(format="pes", bordereaux=[bordereau], par=paul)

    client.force_login(paul)
    url = reverse("finances:engagement_beneficiaire", args=[engagement_lea.pk])
    page = client.post(url, {"civilite": "", "prenom": "Léa", "nom_famille": "Martin-Dubois"})
    assert page.status_code == 400
    assert "Choisissez la civilité" in page.content.decode()
    page = client.post(url, {"civilite": "MME", "prenom": "Léa", "nom_famille": "Martin-Dubois"})
    assert page.status_code == 302
    evenement = AuditEvent.objects.get(action="engagement.beneficiaire_modifie")
    assert evenement.before["civilite"] == "" and evenement.after["civilite"] == "MME"
    assert evenement.actor == paul

    with django_capture_on_commit_callbacks(execute=True):
        export = flux.export_demander(format="pes", bordereaux=[bordereau], par=paul)
    export.refresh_from_db()
    assert export.statut == StatutExport.PRET, export.erreurs
    with export.fichier.open("rb") as fichier:
        contenu = fichier.read()
    assert validate_pes(contenu) == []
    info = etree.fromstring(contenu).find(".//Tiers/InfoTiers")
    assert info.find("CatTiers").get("V") == "01"
    assert info.find("Civilite").get("V") == "MME"
    assert info.find("Prenom").get("V") == "Léa"
    assert info.find("Nom").get("V").upper() == "MARTIN-DUBOIS"


def test_the_civility_form_is_shown_only_for_an_individual(
    engagement_lea, engagement, paul, client
):
    client.force_login(paul)
    page = client.get(reverse("finances:engagement", args=[engagement_lea.pk]))
    assert "Bénéficiaire particulier" in page.content.decode()
    assert "l’export PES sera refusé" in page.content.decode()
    page = client.get(reverse("finances:engagement", args=[engagement.pk]))
    assert "Bénéficiaire particulier" not in page.content.decode()


def test_only_finance_staff_edit_the_payee(engagement_lea, marc, client):
    with pytest.raises(PermissionDenied):
        services.engagement_beneficiaire_modifier(
            engagement=engagement_lea, par=marc, civilite="MME", prenom="Léa", nom_famille="M"
        )
    client.force_login(marc)
    url = reverse("finances:engagement_beneficiaire", args=[engagement_lea.pk])
    page = client.post(url, {"civilite": "MME", "prenom": "Léa", "nom_famille": "Martin"})
    assert page.status_code in (403, 404)
    engagement_lea.refresh_from_db()
    assert engagement_lea.civilite == ""
