"""Personal API tokens: created (the full value shown once), stored as a SHA-256 digest,
revoked, and checked on each API request (``Authorization: Bearer mdna_…``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from mdna import audit
from mdna.models import JetonAPI, PorteeJeton, User

PREFIXE = "mdna_"
# The last use is written at most once a minute per token (not one write per request).
USAGE_PRECISION = dt.timedelta(minutes=1)


def empreinte(valeur: str) -> str:
    """Tokens are 256-bit random values: a plain SHA-256 is enough (no brute force possible),
    and it lets the lookup use a unique index."""
    return hashlib.sha256(valeur.encode()).hexdigest()


@transaction.atomic
def jeton_creer(*, par: User, nom: str, portee: str = PorteeJeton.LECTURE) -> tuple[JetonAPI, str]:
    """A new token for ``par``; returns it with its full value (never stored, shown once)."""
    if portee not in PorteeJeton.values:
        raise ValueError(portee)
    aleatoire = secrets.token_urlsafe(32)
    valeur = f"{PREFIXE}{aleatoire}"
    jeton = JetonAPI.objects.create(
        user=par,
        nom=nom.strip()[:100] or "Jeton",
        prefixe=valeur[: len(PREFIXE) + 6],
        empreinte=empreinte(valeur),
        portee=portee,
    )
    audit.record(
        actor=par, action="jeton_api.cree", target=jeton, after={"nom": jeton.nom, "portee": portee}
    )
    return jeton, valeur


@transaction.atomic
def jeton_revoquer(*, jeton: JetonAPI, par: User) -> JetonAPI:
    if jeton.user_id != par.pk and not par.is_administrateur:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Ce jeton n'est pas le vôtre.")
    if jeton.revoque_le is None:
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
        audit.record(actor=par, action="jeton_api.revoque", target=jeton)
    return jeton


class JetonAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``. A revoked or unknown token is a 401, never a fallback
    to an anonymous request."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in ("bearer", "token"):
            return None
        if len(header) != 2 or not header[1].startswith(PREFIXE):
            raise exceptions.AuthenticationFailed("Jeton d'API mal formé.")
        jeton = (
            JetonAPI.objects.select_related("user", "user__service")
            .filter(empreinte=empreinte(header[1]))
            .first()
        )
        if jeton is None or jeton.revoque_le is not None:
            raise exceptions.AuthenticationFailed("Jeton d'API inconnu ou révoqué.")
        if not jeton.user.is_active:
            raise exceptions.AuthenticationFailed("Le compte de ce jeton est désactivé.")
        maintenant = timezone.now()
        if jeton.dernier_usage_le is None or maintenant - jeton.dernier_usage_le > USAGE_PRECISION:
            JetonAPI.objects.filter(pk=jeton.pk).update(dernier_usage_le=maintenant)
            jeton.dernier_usage_le = maintenant
        return jeton.user, jeton

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class JetonScheme(OpenApiAuthenticationExtension):
    target_class = "mdna.jetons.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'API personnel (Mon compte → Jetons d'API).",
        }
