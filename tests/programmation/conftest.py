import datetime as dt
import sys
import types
from decimal import Decimal

import pytest
from django.db import transaction

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


class FakeEditiques:
    """Records the éditiques contract calls (document_demander, lot_creer) made on commit."""

    def __init__(self):
        self.documents = []
        self.lots = []

    def document_demander(self, *, type, par, cle_evenement, dossier=None, tiers=None, **kw):
        # Recorded in the caller's transaction, issued after commit: a rollback issues nothing.
        document = {"type": type, "cle": cle_evenement, "dossier": dossier, "lot": kw.get("lot")}
        transaction.on_commit(lambda: self.documents.append(document))

    def lot_creer(self, *, libelle, par):
        lot = types.SimpleNamespace(pk=len(self.lots) + 1, libelle=libelle)
        self.lots.append(lot)
        return lot


@pytest.fixture
def editiques(monkeypatch):
    """A stand-in honouring the éditiques contract, to count the letters requested."""
    fake = FakeEditiques()
    module = types.ModuleType("editiques.services")
    module.document_demander = fake.document_demander
    module.lot_creer = fake.lot_creer
    monkeypatch.setitem(sys.modules, "editiques.services", module)
    return fake
