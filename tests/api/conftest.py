import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.test import APIClient
from schemathesis import openapi

from mdna import jetons
from mdna.models import Adhesion, PorteeJeton, RoleAdhesion, Tiers
from tests.factories import UserFactory
from tests.instruction.conftest import (  # noqa: F401 - the back office's fixtures, shared
    association,
    claire,
    culture,
    deposer,
    dossier,
    festivals,
    marc,
    sophie,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded pieces and built exports go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def client_jeton(user, portee=PorteeJeton.ECRITURE) -> APIClient:
    _, valeur = jetons.jeton_creer(par=user, nom="Logiciel partenaire", portee=portee)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {valeur}")
    return client


@pytest.fixture
def api_claire(claire):  # noqa: F811
    return client_jeton(claire)


@pytest.fixture
def api_marc(marc):  # noqa: F811
    return client_jeton(marc)


@pytest.fixture
def api_sophie(sophie):  # noqa: F811
    return client_jeton(sophie)


@pytest.fixture
def karim():
    """Another applicant, acting for another organisation."""
    user = UserFactory(email="karim@metallerie.fr", first_name="Karim")
    tiers = Tiers.objects.create(type="entreprise", nom="Métallerie du Lot", siret="44306184100047")
    Adhesion.objects.create(user=user, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    return user


@pytest.fixture
def agent_autre_service():
    return UserFactory(instructeur=True, email="agent@sport.region.fr")


def pdf_octets() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fichier_pdf(nom="statuts.pdf"):
    fichier = io.BytesIO(pdf_octets())
    fichier.name = nom
    return fichier


@pytest.fixture
def schema():
    """The schema served by the application itself, called in-process through WSGI. As
    Django's test client does, requests must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
