"""Searching the queue: a frequent word, a rare word, a number, a SIRET; most recent first and
only within the agent's scope (PostgreSQL: the stored vector, docs/decisions/0015)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dispositifs.models import Dossier
from tests.factories import DispositifFactory, ServiceFactory
from tests.instruction.conftest import deposer

pytestmark = pytest.mark.django_db


@pytest.fixture
def titres(festivals, association, claire):
    """Three dossiers of Marc's service and one of another service, filed a day apart."""
    autre = DispositifFactory(publie=True, service=ServiceFactory(code="DEI", nom="Économie"))
    faits = {}
    for jour, (dispositif, titre) in enumerate(
        [
            (festivals, "Festival des arts de la rue"),
            (festivals, "Résidence d'artistes en milieu rural"),
            (autre, "Festival du numérique"),
            (festivals, "Festivals de jazz en Creuse"),
        ]
    ):
        dossier = deposer(dispositif, association, claire)
        Dossier.objects.filter(pk=dossier.pk).update(
            titre=titre, depose_le=timezone.now() - dt.timedelta(days=10 - jour)
        )
        faits[titre] = Dossier.objects.get(pk=dossier.pk)
    return faits


def _resultats(client, q):
    page = client.get(reverse("instruction:file"), {"q": q})
    assert page.status_code == 200
    return [d.numero for d in page.context["page"].object_list]


def test_search_finds_words_numbers_and_siret_in_scope_most_recent_first(client, marc, titres):
    client.force_login(marc)
    rue = titres["Festival des arts de la rue"]
    jazz = titres["Festivals de jazz en Creuse"]
    residence = titres["Résidence d'artistes en milieu rural"]
    # The other service's festival is never shown; the most recent filing comes first.
    assert _resultats(client, "festival") == [jazz.numero, rue.numero]
    assert _resultats(client, "jazz") == [jazz.numero]
    assert _resultats(client, residence.numero) == [residence.numero]
    assert _resultats(client, rue.siret) == [jazz.numero, residence.numero, rue.numero]
    assert _resultats(client, "introuvable") == []


def test_the_search_follows_a_change_of_title(client, marc, titres):
    """On PostgreSQL the stored vector is recomputed by the database on every write."""
    client.force_login(marc)
    residence = titres["Résidence d'artistes en milieu rural"]
    Dossier.objects.filter(pk=residence.pk).update(titre="Résidence de cirque")
    assert _resultats(client, "cirque") == [residence.numero]
    assert _resultats(client, "artistes") == []


def test_a_search_is_counted_up_to_its_ceiling(client, marc, titres, monkeypatch):
    monkeypatch.setattr("instruction.views.PLAFOND_RECHERCHE", 1)
    client.force_login(marc)
    html = client.get(reverse("instruction:file"), {"q": "festival"}).content.decode()
    assert "Plus de 1 dossiers (affinez avec les filtres)" in html
    sans_recherche = client.get(reverse("instruction:file")).content.decode()
    assert "3 dossiers — page 1 sur 1" in sans_recherche
