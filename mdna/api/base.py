"""What every endpoint shares: errors as JSON, cursor pagination, throttling, documented
error responses."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from dispositifs.api import ErreurSerializer
from dispositifs.depot.services import DepotImpossible, ReponsesInvalides
from instruction.services import ActionRefusee, Conflit


def gestionnaire_erreurs(exc, context):
    """DRF's handler, plus the services' refusals: a refusal is a 400 (409 for a concurrent
    change) with the reason in ``detail``; invalid answers are a 400 field → messages."""
    if isinstance(exc, Conflit):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ActionRefusee):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ReponsesInvalides):
        return Response(exc.erreurs, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DepotImpossible):
        body = {"detail": str(exc)}
        if exc.etapes:
            body["etapes"] = {
                etape: {
                    ("non_field_errors" if k == "__all__" else k): [e["message"] for e in v]
                    for k, v in erreurs.items()
                }
                for etape, erreurs in exc.etapes.items()
            }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    if isinstance(exc, PermissionDenied):
        # Out of scope is "not found": never reveal that a dossier exists.
        exc = exceptions.NotFound("Introuvable.")
    return exception_handler(exc, context)


class Curseur(pagination.CursorPagination):
    """Stable pages over lists that move (new dossiers, new events): follow ``next``."""

    page_size = 50
    page_size_query_param = "taille"
    max_page_size = 200
    ordering = "-id"


class CurseurChronologique(Curseur):
    ordering = "id"


ERREUR_400 = OpenApiResponse(
    description="Requête invalide : `detail`, ou pour chaque champ la liste de ses erreurs.",
    response={"type": "object", "additionalProperties": True},
)
ERREUR_401 = OpenApiResponse(ErreurSerializer, description="Authentification requise.")
ERREUR_403 = OpenApiResponse(ErreurSerializer, description="Rôle ou portée du jeton insuffisant.")
ERREUR_404 = OpenApiResponse(
    ErreurSerializer, description="Introuvable, ou hors de votre périmètre."
)
ERREUR_409 = OpenApiResponse(
    ErreurSerializer, description="Le dossier a changé entre-temps (champ `verrou`)."
)
ERREUR_429 = OpenApiResponse(
    ErreurSerializer, description="Trop de requêtes : réessayez plus tard."
)
ERREUR_404_LISTE = OpenApiResponse(
    ErreurSerializer, description="Curseur de pagination invalide (repartez du lien `next`)."
)
ERREURS_LECTURE = {401: ERREUR_401, 403: ERREUR_403, 404: ERREUR_404_LISTE, 429: ERREUR_429}
ERREURS_DETAIL = {**ERREURS_LECTURE, 404: ERREUR_404}
ERREURS_ECRITURE = {**ERREURS_DETAIL, 400: ERREUR_400}
