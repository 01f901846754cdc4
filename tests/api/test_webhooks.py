"""Webhooks: signed with HMAC-SHA256, sent after commit for the subscriber's scope, retried with
backoff, logged. No network: the delivery function's HTTP edge is a test receiver."""

import json

import pytest
from django.db import transaction

from dispositifs.models import EvenementDossier
from instruction.services import transition_executer
from mdna import webhooks
from mdna.models import LivraisonWebhook
from mdna.tasks import livrer_webhook
from tests.api.conftest import client_jeton, deposer

pytestmark = pytest.mark.django_db


class Recepteur:
    """A partner's endpoint: verifies the signature as docs/api.md tells it to."""

    def __init__(self, secret: str, codes=(200,)):
        self.secret = secret
        self.codes = list(codes)
        self.recus = []

    def __call__(self, url, *, corps, en_tetes):
        ok = webhooks.verifier(
            self.secret,
            en_tetes[webhooks.EN_TETE_HORODATAGE],
            corps,
            en_tetes[webhooks.EN_TETE_SIGNATURE],
        )
        self.recus.append({"url": url, "ok": ok, "charge": json.loads(corps)})
        code = self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]
        if isinstance(code, Exception):
            raise code
        return code


def s_abonner(user, url="https://partenaire.exemple/mdna"):
    reponse = client_jeton(user).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert reponse.status_code == 201, reponse.content
    return reponse.json()


def test_a_deposit_is_delivered_signed_to_the_subscribers_in_scope(
    marc,
    agent_autre_service,
    claire,
    association,
    festivals,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    abonnement = s_abonner(marc)
    assert len(abonnement["secret"]) == 64  # shown once, at creation
    autre = s_abonner(agent_autre_service, "https://sport.exemple/hook")
    recepteur = Recepteur(abonnement["secret"])
    monkeypatch.setattr(webhooks, "_poster", recepteur)  # the HTTP edge
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(festivals, association, claire)
    assert len(recepteur.recus) == 1  # the sport service's agent does not see culture dossiers
    recu = recepteur.recus[0]
    assert recu["ok"] is True
    assert recu["url"] == "https://partenaire.exemple/mdna"
    assert recu["charge"]["dossier"]["numero"] == dossier.numero
    assert (recu["charge"]["transition"], recu["charge"]["etat_apres"]) == ("depot", "depose")
    livraison = LivraisonWebhook.objects.get(abonnement_id=abonnement["id"])
    assert livraison.statut == "livree" and livraison.code_reponse == 200
    assert not LivraisonWebhook.objects.filter(abonnement_id=autre["id"]).exists()


def test_a_tampered_body_or_old_timestamp_fails_verification(marc, dossier):
    secret = "s" * 64
    corps = b'{"id": 1}'
    horodatage = "1700000000"
    signature = webhooks.signer(secret, horodatage, corps)
    assert webhooks.verifier(secret, horodatage, corps, signature, tolerance=10**10)
    assert not webhooks.verifier(secret, horodatage, b'{"id": 2}', signature, tolerance=10**10)
    assert not webhooks.verifier("t" * 64, horodatage, corps, signature, tolerance=10**10)
    assert not webhooks.verifier(secret, horodatage, corps, signature)  # replayed: too old


def test_nothing_is_sent_for_a_rolled_back_change(
    marc, dossier, django_capture_on_commit_callbacks
):
    s_abonner(marc)
    with django_capture_on_commit_callbacks() as rappels:
        try:
            with transaction.atomic():
                transition_executer(dossier=dossier, nom="declarer_complet", par=marc)
                raise RuntimeError("annulé")
        except RuntimeError:
            pass
    assert rappels == []
    assert not LivraisonWebhook.objects.exists()


def test_failures_are_retried_with_backoff_then_marked_failed(marc, dossier, monkeypatch):
    abonnement = s_abonner(marc)
    evenement = EvenementDossier.objects.get(dossier=dossier, type="depot")
    from mdna.models import AbonnementWebhook

    livraison = LivraisonWebhook.objects.create(
        abonnement=AbonnementWebhook.objects.get(pk=abonnement["id"]), evenement=evenement
    )
    recepteur = Recepteur(abonnement["secret"], codes=[503, OSError("connexion refusée"), 200])
    assert webhooks.livrer(livraison.pk, envoyer=recepteur) is False
    livraison.refresh_from_db()
    assert (livraison.statut, livraison.code_reponse, livraison.erreur) == (
        "en_attente",
        503,
        "Réponse HTTP 503",
    )
    assert webhooks.livrer(livraison.pk, envoyer=recepteur) is False
    livraison.refresh_from_db()
    assert livraison.code_reponse is None and "connexion refusée" in livraison.erreur
    assert webhooks.livrer(livraison.pk, envoyer=recepteur) is True
    livraison.refresh_from_db()
    assert (livraison.statut, livraison.tentatives) == ("livree", 3)
    assert webhooks.livrer(livraison.pk, envoyer=recepteur) is True  # idempotent
    assert len(recepteur.recus) == 3

    # The task retries with an exponential backoff while attempts remain.
    echec = LivraisonWebhook.objects.create(
        abonnement=livraison.abonnement,
        evenement=EvenementDossier.objects.create(
            dossier=dossier, type="test", titre="t", etat_avant="depose", etat_apres="depose"
        ),
    )
    monkeypatch.setattr(webhooks, "_poster", Recepteur("x", codes=[500]))
    delais = []

    class Relance(Exception):
        pass

    def retry(countdown):
        delais.append(countdown)
        return Relance()

    monkeypatch.setattr(livrer_webhook, "retry", retry)
    monkeypatch.setattr(livrer_webhook.request, "is_eager", False, raising=False)
    for _ in range(webhooks.TENTATIVES_MAX - 1):
        with pytest.raises(Relance):
            livrer_webhook.run(echec.pk)
    assert delais[:4] == [30, 60, 120, 240] and delais[-1] == 1920
    assert livrer_webhook.run(echec.pk) is False
    echec.refresh_from_db()
    assert (echec.statut, echec.tentatives) == ("echec", webhooks.TENTATIVES_MAX)


def test_unsubscribe_stops_deliveries(
    marc, claire, association, festivals, django_capture_on_commit_callbacks
):
    abonnement = s_abonner(marc)
    api = client_jeton(marc)
    assert [a["id"] for a in api.get("/api/v1/webhooks/").json()["results"]] == [abonnement["id"]]
    assert "secret" not in api.get("/api/v1/webhooks/").json()["results"][0]
    assert api.delete(f"/api/v1/webhooks/{abonnement['id']}/").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        deposer(festivals, association, claire)
    assert not LivraisonWebhook.objects.exists()
    assert client_jeton(claire).delete(f"/api/v1/webhooks/{abonnement['id']}/").status_code == 404


def test_production_requires_https(marc, settings):
    settings.PRODUCTION = True
    reponse = client_jeton(marc).post(
        "/api/v1/webhooks/", {"url": "http://partenaire.exemple/hook"}, format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"url": ["L'adresse doit commencer par https://."]}
