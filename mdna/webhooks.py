"""Webhooks: partners told of every change of state of the dossiers they may see.

A state change (deposit or a transition of the workflow table) calls ``changement_publier``
inside its transaction: one delivery row per subscription whose owner may see the dossier, and
a Celery task per delivery queued on commit (a rolled-back change sends nothing). Each call is
a JSON POST signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` with the subscription's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mdna import audit
from mdna.models import AbonnementWebhook, LivraisonWebhook, User

EN_TETE_HORODATAGE = "X-MDNA-Horodatage"
EN_TETE_SIGNATURE = "X-MDNA-Signature"
EN_TETE_EVENEMENT = "X-MDNA-Evenement"
TENTATIVES_MAX = 8
DELAI_HTTP = 5  # seconds


def signer(secret: str, horodatage: str, corps: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<horodatage>.<corps>")."""
    message = horodatage.encode() + b"." + corps
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verifier(
    secret: str, horodatage: str, corps: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What a receiver does (see docs/api.md): recompute, compare in constant time, and refuse
    an old timestamp (replay)."""
    try:
        age = abs(time.time() - int(horodatage))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signer(secret, horodatage, corps), signature)


def _verifier_url(url: str) -> None:
    if getattr(settings, "PRODUCTION", False) and not url.startswith("https://"):
        raise ValidationError({"url": ["L'adresse doit commencer par https://."]})


@transaction.atomic
def abonnement_creer(*, par: User, url: str) -> AbonnementWebhook:
    _verifier_url(url)
    abonnement = AbonnementWebhook.objects.create(user=par, url=url, secret=secrets.token_hex(32))
    audit.record(actor=par, action="webhook.abonnement_cree", target=abonnement, after={"url": url})
    return abonnement


@transaction.atomic
def abonnement_supprimer(*, par: User, abonnement: AbonnementWebhook) -> None:
    audit.record(
        actor=par,
        action="webhook.abonnement_supprime",
        target=abonnement,
        before={"url": abonnement.url},
    )
    abonnement.actif = False
    abonnement.save(update_fields=["actif"])


def charge_utile(evenement) -> dict:
    dossier = evenement.dossier
    return {
        "id": evenement.pk,
        "type": "dossier.etat",
        "transition": evenement.type,
        "date": evenement.cree_le.isoformat(),
        "etat_avant": evenement.etat_avant,
        "etat_apres": evenement.etat_apres,
        "dossier": {
            "id": dossier.pk,
            "numero": dossier.numero,
            "dispositif": dossier.dispositif.slug,
        },
    }


def changement_publier(*, evenement) -> int:
    """Called by the code that changes a dossier's state, inside its transaction."""
    from mdna.api.portee import peut_voir_evenement
    from mdna.tasks import livrer_webhook

    count = 0
    for abonnement in AbonnementWebhook.objects.filter(actif=True).select_related("user"):
        if not abonnement.user.is_active or not peut_voir_evenement(abonnement.user, evenement):
            continue
        livraison = LivraisonWebhook.objects.create(abonnement=abonnement, evenement=evenement)
        transaction.on_commit(lambda pk=livraison.pk: livrer_webhook.delay(pk))
        count += 1
    return count


def _poster(url: str, *, corps: bytes, en_tetes: dict) -> int:
    import requests

    response = requests.post(
        url, data=corps, headers=en_tetes, timeout=DELAI_HTTP, allow_redirects=False
    )
    return response.status_code


def livrer(livraison_id: int, *, envoyer: Callable[..., int] | None = None) -> bool:
    """One attempt. True when the partner answered 2xx. ``envoyer`` is the HTTP edge (a test
    double in tests)."""
    livraison = (
        LivraisonWebhook.objects.select_related("abonnement", "evenement__dossier__dispositif")
        .filter(pk=livraison_id)
        .first()
    )
    if livraison is None or livraison.statut == LivraisonWebhook.Statut.LIVREE:
        return True
    abonnement = livraison.abonnement
    corps = json.dumps(charge_utile(livraison.evenement), ensure_ascii=False).encode()
    horodatage = str(int(time.time()))
    en_tetes = {
        "Content-Type": "application/json",
        "User-Agent": "MDNA-webhooks/1",
        EN_TETE_HORODATAGE: horodatage,
        EN_TETE_SIGNATURE: signer(abonnement.secret, horodatage, corps),
        EN_TETE_EVENEMENT: str(livraison.evenement_id),
    }
    envoyer = envoyer or _poster
    livraison.tentatives += 1
    livraison.derniere_tentative_le = timezone.now()
    try:
        code = envoyer(abonnement.url, corps=corps, en_tetes=en_tetes)
    except OSError as error:  # requests' errors are OSErrors (connection, timeout)
        code, livraison.erreur = None, str(error)[:500]
    livraison.code_reponse = code
    if code is not None and 200 <= code < 300:
        livraison.statut = LivraisonWebhook.Statut.LIVREE
        livraison.livree_le = timezone.now()
        livraison.erreur = ""
    elif code is not None:
        livraison.erreur = f"Réponse HTTP {code}"
    if livraison.statut != LivraisonWebhook.Statut.LIVREE and (
        livraison.tentatives >= TENTATIVES_MAX
    ):
        livraison.statut = LivraisonWebhook.Statut.ECHEC
    livraison.save()
    return livraison.statut == LivraisonWebhook.Statut.LIVREE
