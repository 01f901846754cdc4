from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from dispositifs.models import Dossier, Etat
from instruction.models import Proposition
from mdna.models import Adhesion, RoleAdhesion, Tiers
from paiements import services
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer

IBAN_TRETEAUX = "FR7630006000011234567890189"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def culture():
    return ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")


@pytest.fixture
def festivals(culture):
    return DispositifFactory(
        publie=True,
        slug="soutien-aux-festivals",
        nom="Soutien aux festivals",
        service=culture,
        echeancier=[
            {"libelle": "Avance", "pourcentage": 30, "declencheur": "signature"},
            {"libelle": "Acompte", "pourcentage": 40, "declencheur": "justificatifs"},
            {"libelle": "Solde", "pourcentage": 30, "declencheur": "rapport_final"},
        ],
    )


@pytest.fixture
def marc(culture):
    return UserFactory(role="instructeur", service=culture, first_name="Marc")


@pytest.fixture
def sophie(culture):
    return UserFactory(role="valideur", service=culture, first_name="Sophie")


@pytest.fixture
def paul():
    return UserFactory(role="gestionnaire", first_name="Paul", email="paul@region.fr")


@pytest.fixture
def claire():
    return UserFactory(email="claire@festival.fr", first_name="Claire")


@pytest.fixture
def association(claire):
    tiers = Tiers.objects.create(
        type="association",
        nom="Les Tréteaux de la Creuse",
        siret="73282932000074",
        rna="W872001234",
        adresse={"ligne": "2 rue des Arts", "code_postal": "23000", "commune": "Guéret"},
        titulaire="Les Tréteaux de la Creuse",
        iban=IBAN_TRETEAUX,
        bic="AGRIFRPP",
    )
    Adhesion.objects.create(user=claire, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    return tiers


def attribuer(dossier: Dossier, valideur, montant: str) -> Dossier:
    Dossier.objects.filter(pk=dossier.pk).update(etat=Etat.PROPOSE)
    Proposition.objects.create(
        dossier=dossier,
        montant=Decimal(montant),
        sens="favorable",
        justification="Projet solide",
        auteur=valideur,
        statut="approuvee",
    )
    # Only the commission permanente grants: the dossier goes through a session's vote.
    from instruction.programmation import services as programmation

    commission = programmation.commission_creer(
        par=valideur, date=timezone.localdate(), libelle="Commission permanente"
    )
    programmation.points_inscrire(
        commission=commission, par=valideur, dossiers=[Dossier.objects.get(pk=dossier.pk)]
    )
    programmation.commission_voter(
        commission=commission,
        par=valideur,
        decisions={p.pk: "adopte" for p in commission.points.all()},
    )
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def dossier(festivals, association, claire, sophie):
    dossier = deposer(festivals, association, claire)
    return attribuer(dossier, sophie, "10000.01")


@pytest.fixture
def engagement(dossier, paul):
    return services.engagement_creer(dossier=dossier, par=paul)


def demander(engagement, claire, rang=1, depenses="20000.00", justificatifs=None):
    echeance = engagement.echeances.get(rang=rang)
    return services.demande_deposer(
        echeance=echeance,
        par=claire,
        depenses_realisees=Decimal(depenses),
        recapitulatif="Cachets artistes, location de scène",
        justificatifs=justificatifs
        if justificatifs is not None
        else [(ContentFile(b"%PDF-1.4 factures", name="factures.pdf"), "pdf")],
    )


@pytest.fixture
def certifiee(engagement, claire, marc):
    demande = demander(engagement, claire)
    return services.service_fait_certifier(
        demande=demande, par=marc, montant=demande.montant_echeance
    )
