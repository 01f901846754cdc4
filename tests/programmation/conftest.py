import datetime as dt
from decimal import Decimal

import pytest

from instruction import services
from instruction.programmation import services as programmation
from tests.factories import UserFactory
from tests.instruction import conftest as instruction_fixtures

# The back office's fixtures (Marc, Sophie, Claire, the festival scheme), shared here.
culture = instruction_fixtures.culture
festivals = instruction_fixtures.festivals
marc = instruction_fixtures.marc
sophie = instruction_fixtures.sophie
claire = instruction_fixtures.claire
association = instruction_fixtures.association
dossier = instruction_fixtures.dossier
deposer = instruction_fixtures.deposer

EXERCICE = 2026


def proposer_et_approuver(dossier, marc, sophie, montant="5000"):
    """Instruct, propose and approve: the dossier waits for the commission's vote."""
    services.transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
    proposition = services.proposition_enregistrer(
        dossier=dossier,
        par=marc,
        montant=Decimal(montant),
        sens="favorable",
        justification="Projet solide, public large.",
    )
    services.proposition_approuver(proposition=proposition, par=sophie)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def jeanne(culture):
    return UserFactory(
        role="valideur", service=culture, email="jeanne@region.fr", first_name="Jeanne"
    )


@pytest.fixture
def enveloppe(festivals, sophie):
    return programmation.enveloppe_enregistrer(
        par=sophie,
        exercice=EXERCICE,
        ligne_budgetaire="65-6574-311-P311",
        libelle="Festivals et manifestations culturelles",
        credits_votes=Decimal("15000.00"),
        dispositifs=[festivals],
    )


@pytest.fixture
def proposes(festivals, association, claire, marc, sophie, enveloppe):
    """Three approved proposals (3,000 + 4,000 + 5,000 €) on the 15,000 € envelope."""
    return [
        proposer_et_approuver(deposer(festivals, association, claire), marc, sophie, montant)
        for montant in ("3000", "4000", "5000")
    ]


@pytest.fixture
def seance(jeanne):
    return programmation.commission_creer(
        par=jeanne, date=dt.date(EXERCICE, 12, 17), libelle="Commission permanente"
    )


class Lettres:
    """The decision letters and batches recorded by the éditiques service."""

    @property
    def documents(self) -> list[dict]:
        from editiques.models import Document

        return [
            {"type": d.type, "cle": d.cle_evenement, "dossier": d.dossier, "lot": d.lot}
            for d in Document.objects.filter(type__in=["arrete_attributif", "refus"])
            .select_related("dossier", "lot")
            .order_by("pk")
        ]

    @property
    def lots(self) -> list:
        from editiques.models import LotDocuments

        return list(LotDocuments.objects.order_by("pk"))


@pytest.fixture
def editiques():
    return Lettres()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
