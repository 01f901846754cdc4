"""Personal API tokens: hashed, shown once, revocable, scoped, throttled; and the session."""

import hashlib

import pytest
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from rest_framework.test import APIClient

from mdna import jetons
from mdna.api.debits import _Debit
from mdna.models import AuditEvent, JetonAPI, PorteeJeton
from tests.api.conftest import client_jeton

pytestmark = pytest.mark.django_db

DOSSIERS = "/api/v1/usager/dossiers/"


def bearer(valeur: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {valeur}")
    return client


def test_a_token_is_stored_hashed_and_shown_once(client, claire):
    client.force_login(claire)
    page = client.post(
        "/compte/jetons-api/", {"nom": "Logiciel de l'association", "portee": "lecture"}
    )
    assert page.status_code == 200
    jeton = JetonAPI.objects.get(user=claire)
    valeur = page.context["nouveau"]["valeur"]
    assert valeur.startswith("mdna_") and len(valeur) > 40
    assert valeur in page.content.decode()
    # Only the digest is stored; the prefix is what the page shows afterwards.
    assert jeton.empreinte == hashlib.sha256(valeur.encode()).hexdigest()
    assert valeur not in str(list(JetonAPI.objects.values_list()))
    assert valeur.startswith(jeton.prefixe)
    suivante = client.get("/compte/jetons-api/").content.decode()
    assert jeton.prefixe in suivante and valeur not in suivante
    assert AuditEvent.objects.filter(action="jeton_api.cree").exists()


def test_a_token_authenticates_and_records_its_last_use(claire, association):
    jeton, valeur = jetons.jeton_creer(par=claire, nom="ERP")
    assert jeton.dernier_usage_le is None
    reponse = bearer(valeur).get("/api/v1/usager/organisations/")
    assert reponse.status_code == 200
    assert [t["nom"] for t in reponse.json()["results"]] == ["Les Tréteaux de la Creuse"]
    jeton.refresh_from_db()
    assert jeton.dernier_usage_le is not None


def test_revoked_or_unknown_tokens_are_401(client, claire):
    jeton, valeur = jetons.jeton_creer(par=claire, nom="ERP")
    client.force_login(claire)
    client.post(f"/compte/jetons-api/{jeton.pk}/revoquer/")
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
    revoque = bearer(valeur).get(DOSSIERS)
    assert revoque.status_code == 401
    assert revoque["WWW-Authenticate"].startswith("Bearer")
    assert bearer("mdna_" + "x" * 43).get(DOSSIERS).status_code == 401
    assert bearer("pas-un-jeton").get(DOSSIERS).status_code == 401
    assert APIClient().get(DOSSIERS).status_code == 401


def test_nobody_revokes_someone_elses_token(client, claire, karim):
    jeton, _ = jetons.jeton_creer(par=claire, nom="ERP")
    client.force_login(karim)
    assert client.post(f"/compte/jetons-api/{jeton.pk}/revoquer/").status_code == 404
    jeton.refresh_from_db()
    assert jeton.revoque_le is None


def test_a_read_only_token_cannot_write(claire, association, festivals):
    lecture = client_jeton(claire, PorteeJeton.LECTURE)
    assert lecture.get(DOSSIERS).status_code == 200
    refus = lecture.post(DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk})
    assert refus.status_code == 403
    assert "lecture seule" in refus.json()["detail"]


def test_a_token_never_has_more_rights_than_its_owner(marc, dossier):
    """An instructor's token reads the queue, never the applicants' endpoints."""
    api = client_jeton(marc)
    assert api.get("/api/v1/instruction/dossiers/").status_code == 200
    assert api.get(DOSSIERS).status_code == 403


def test_throttled_per_token_and_anonymous(settings, claire, monkeypatch):
    # Counters of their own: never flush the shared cache (other workers, the Celery broker).
    monkeypatch.setattr(_Debit, "cache", LocMemCache("debits-test", {}))
    settings.MDNA_API_DEBITS = {"anonyme": "3/minute", "utilisateur": "5/minute"}
    un, deux = client_jeton(claire), client_jeton(claire)
    codes = [un.get(DOSSIERS).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert deux.get(DOSSIERS).status_code == 200  # each system its own budget
    anonyme = APIClient()
    codes = [anonyme.get("/api/v1/dispositifs/").status_code for _ in range(4)]
    assert codes == [200] * 3 + [429]
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        assert un.get(DOSSIERS).status_code == 200


def test_browser_session_needs_csrf_for_writes(claire, association, festivals):
    navigateur = APIClient(enforce_csrf_checks=True)
    navigateur.force_login(claire)
    assert navigateur.get(DOSSIERS).status_code == 200
    sans_csrf = navigateur.post(
        DOSSIERS, {"dispositif": festivals.slug, "tiers": association.pk}, format="json"
    )
    assert sans_csrf.status_code == 403
    assert "CSRF" in sans_csrf.json()["detail"]


def test_admin_lists_and_revokes_tokens(client, admin_user, claire):
    jeton, valeur = jetons.jeton_creer(par=claire, nom="ERP")
    client.force_login(admin_user)
    liste = client.get("/administration/mdna/jetonapi/")
    assert liste.status_code == 200 and jeton.prefixe in liste.content.decode()
    assert valeur not in liste.content.decode()
    client.post(
        "/administration/mdna/jetonapi/",
        {"action": "revoquer", "_selected_action": [jeton.pk]},
    )
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
    assert client.get(f"/administration/mdna/jetonapi/{jeton.pk}/change/").status_code == 200
    assert client.get("/administration/mdna/abonnementwebhook/").status_code == 200
    assert client.get("/administration/mdna/livraisonwebhook/").status_code == 200


def test_browser_session_writes_with_the_csrf_token(claire, association, festivals):
    navigateur = APIClient(enforce_csrf_checks=True)
    navigateur.force_login(claire)
    navigateur.get("/compte/jetons-api/")  # any page with a form sets the CSRF cookie
    jeton_csrf = navigateur.cookies["csrftoken"].value
    reponse = navigateur.post(
        DOSSIERS,
        {"dispositif": festivals.slug, "tiers": association.pk},
        format="json",
        HTTP_X_CSRFTOKEN=jeton_csrf,
    )
    assert reponse.status_code == 201, reponse.content
