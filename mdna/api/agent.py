"""Agents' endpoints: the work queue with the back office's own filters, a dossier, its
transitions (through the single transition service) and its messages."""

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from instruction import selectors, services
from instruction.filters import FileFilter
from instruction.workflow import TRANSITIONS
from mdna.api import base
from mdna.api.portee import PERMISSIONS_AGENT
from mdna.api.serializers import (
    DossierAgentDetailSerializer,
    DossierSerializer,
    MessageEnvoiSerializer,
    MessageSerializer,
    TransitionDemandeSerializer,
)
from mdna.models import Role

# Transitions that need more than a reason (pieces to ask for, a proposal) have their own
# screens in the back office; through the API, the ones run with a reason only.
TRANSITIONS_API = sorted(
    nom
    for nom, t in TRANSITIONS.items()
    if not (t.roles & {Role.USAGER}) and nom not in {"demander_pieces", "proposer", "renvoyer"}
)


class FileFilterAPI(FileFilter):
    """The back-office queue's FilterSet, plus official identifiers. The order is the cursor's
    (most recent first), so the HTML sort choice is not offered."""

    siret = django_filters.CharFilter(max_length=14, help_text="SIRET (14 chiffres).")
    commune = django_filters.CharFilter(max_length=5, help_text="Code INSEE de la commune.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("tri", None)


class FiltresFile(DjangoFilterBackend):
    """Builds the FilterSet with the acting agent (it scopes the choices of dispositif and
    instructeur to the agent's Service, as in the HTML queue)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


@extend_schema_view(
    list=extend_schema(
        summary="La file de travail",
        description="Les dossiers de votre périmètre (votre service), avec les filtres de la file "
        "du back-office, paginés par curseur (plus récents d'abord).",
        responses={200: DossierSerializer(many=True), 400: base.ERREUR_400, **base.ERREURS_LECTURE},
    ),
    retrieve=extend_schema(
        summary="Un dossier de votre périmètre",
        responses={200: DossierAgentDetailSerializer, **base.ERREURS_DETAIL},
    ),
)
class DossierAgentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Le back-office : file de travail et dossiers."""

    permission_classes = PERMISSIONS_AGENT
    pagination_class = base.Curseur
    filter_backends = [FiltresFile]
    filterset_class = FileFilterAPI
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.perimetre(self.request.user).select_related("dispositif", "version")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierAgentDetailSerializer
        return DossierSerializer

    def get_object(self):
        try:
            return selectors.dossier_du_perimetre(self.request.user, int(self.kwargs["pk"]))
        except (Http404, ValueError, OverflowError) as error:
            raise NotFound("Dossier introuvable.") from error

    def _detail(self, dossier, code=status.HTTP_200_OK) -> Response:
        dossier = selectors.dossier_du_perimetre(self.request.user, dossier.pk)
        return Response(
            DossierAgentDetailSerializer(dossier, context=self.get_serializer_context()).data,
            status=code,
        )

    def _agissant(self):
        dossier = self.get_object()
        if not selectors.peut_agir(self.request.user, dossier):
            raise NotFound("Dossier introuvable.")
        return dossier

    @extend_schema(
        summary="Exécuter une transition du circuit",
        description="Par le service unique des transitions : rôle, périmètre et condition "
        "vérifiés ; un refus est un 400 (409 si le dossier a changé) avec la raison. "
        f"Transitions : {', '.join(TRANSITIONS_API)}.",
        parameters=[
            OpenApiParameter("nom", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TRANSITIONS_API)
        ],
        request=TransitionDemandeSerializer,
        responses={
            200: DossierAgentDetailSerializer,
            409: base.ERREUR_409,
            **base.ERREURS_ECRITURE,
        },
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<nom>[a-z_]+)")
    def transition(self, request, pk=None, nom=None):
        if nom not in TRANSITIONS_API:
            raise NotFound("Transition inconnue.")
        dossier = self._agissant()
        corps = TransitionDemandeSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        dossier = services.transition_executer(
            dossier=dossier,
            nom=nom,
            par=request.user,
            donnees={"motif": corps.validated_data["motif"]},
            verrou=corps.validated_data["verrou"],
        )
        return self._detail(dossier)

    @extend_schema(
        methods=["GET"],
        summary="Les messages du dossier",
        responses={200: MessageSerializer(many=True), **base.ERREURS_DETAIL},
    )
    @extend_schema(
        methods=["POST"],
        summary="Écrire au demandeur",
        request=MessageEnvoiSerializer,
        responses={201: MessageSerializer, **base.ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        if request.method == "GET":
            dossier = self.get_object()
            return Response(
                MessageSerializer(dossier.messages.select_related("auteur"), many=True).data
            )
        dossier = self._agissant()
        corps = MessageEnvoiSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        message = services.message_agent_envoyer(
            dossier=dossier, par=request.user, texte=corps.validated_data["texte"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
