import pytest

from dispositifs.depot import services as depot
from dispositifs.depot.services import etape_enregistrer
from mdna.models import Adhesion, RoleAdhesion, Tiers
from tests.dispositifs.answers import valid_answers
from tests.factories import DispositifFactory, ServiceFactory, UserFactory


@pytest.fixture
def culture():
    return ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")


@pytest.fixture
def festivals(culture):
    return DispositifFactory(
        publie=True, slug="soutien-aux-festivals", nom="Soutien aux festivals", service=culture
    )


@pytest.fixture
def marc(culture):
    return UserFactory(
        role="instructeur", service=culture, email="marc@region.fr", first_name="Marc"
    )


@pytest.fixture
def sophie(culture):
    return UserFactory(
        role="valideur", service=culture, email="sophie@region.fr", first_name="Sophie"
    )


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
    )
    Adhesion.objects.create(user=claire, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    return tiers


def deposer(dispositif, tiers, user, **overrides):
    """A filed dossier with valid answers (the wizard is tested in tests/dispositifs)."""
    dossier = depot.brouillon_creer(dispositif=dispositif, tiers=tiers, par=user)
    answers = valid_answers(dossier.version.schema)
    answers.update(demandeur_type=tiers.type, **overrides)
    etape_enregistrer(dossier=dossier, par=user, etape="engagements", reponses=answers)
    return depot.dossier_deposer(dossier=dossier, par=user)


@pytest.fixture
def dossier(festivals, association, claire):
    return deposer(festivals, association, claire)
