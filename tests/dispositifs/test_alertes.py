import datetime as dt
import io

import pytest
from django.urls import reverse

from dispositifs.alertes import envoyer_alertes
from dispositifs.models import PreferencesAlertes
from mdna.models import Adhesion, DocumentCoffre, Notification, Tiers
from tests.factories import DispositifFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)


@pytest.fixture
def claire():
    user = UserFactory(email="claire@festival.fr")
    tiers = Tiers.objects.create(
        type="association", nom="Les Tréteaux", adresse={"code_postal": "23000"}
    )
    Adhesion.objects.create(user=user, tiers=tiers, role="proprietaire")
    return user


def test_calls_closing_within_7_days_and_expiring_documents_are_announced_once(claire):
    DispositifFactory(
        publie=True,
        nom="Festivals d'hiver",
        fenetre_type="appel_a_projets",
        date_ouverture=dt.date(2026, 10, 1),
        date_cloture=dt.date(2026, 11, 27),
    )
    DispositifFactory(
        publie=True,
        nom="Appel lointain",
        fenetre_type="appel_a_projets",
        date_ouverture=dt.date(2026, 10, 1),
        date_cloture=dt.date(2027, 3, 1),
    )
    DispositifFactory(publie=True, nom="Pour les entreprises", beneficiaires=["entreprise"])
    tiers = claire.tiers.get()
    document = DocumentCoffre(
        tiers=tiers, type="attestation_fiscale", nom="a.pdf", valide_jusqu_au=dt.date(2026, 12, 10)
    )
    document.fichier.save("a.pdf", io.BytesIO(b"%PDF-1.4"), save=False)
    document.save()

    envoyer_alertes(maintenant=NOW)
    titres = sorted(Notification.objects.filter(user=claire).values_list("titre", flat=True))
    assert any("Festivals d'hiver" in t and "27/11/2026" in t for t in titres)
    fermetures = [t for t in titres if "ferme le" in t]
    assert len(fermetures) == 1  # the far-away call is not announced as closing
    assert not any("Pour les entreprises" in t for t in titres)  # not for associations
    assert any(t.startswith("Nouvelle aide pour Les Tréteaux") for t in titres)
    assert any("expire le 10/12/2026" in t for t in titres)
    count = Notification.objects.count()
    envoyer_alertes(maintenant=NOW + dt.timedelta(hours=1))
    assert Notification.objects.count() == count  # idempotent


def test_preferences_switch_alerts_off(client, claire):
    DispositifFactory(
        publie=True,
        fenetre_type="appel_a_projets",
        date_ouverture=dt.date(2026, 10, 1),
        date_cloture=dt.date(2026, 11, 25),
    )
    client.force_login(claire)
    client.post(
        reverse("espace:alertes"), {"nouveaux_dispositifs": "on", "documents_expirant": "on"}
    )
    assert not PreferencesAlertes.objects.get(user=claire).clotures_proches
    envoyer_alertes(maintenant=NOW)
    assert not Notification.objects.filter(user=claire, titre__contains="ferme le").exists()
