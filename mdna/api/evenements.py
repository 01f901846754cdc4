"""The events feed (changes of state of the dossiers one may see) and webhook subscriptions."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from mdna import webhooks
from mdna.api import base
from mdna.api.portee import PERMISSIONS_CONNECTE, evenements_visibles
from mdna.api.serializers import (
    AbonnementCreeSerializer,
    AbonnementSerializer,
    EvenementFluxSerializer,
)
from mdna.models import AbonnementWebhook


@extend_schema_view(
    list=extend_schema(
        summary="Le flux des changements d'état",
        description="Dépôts et transitions des dossiers que vous pouvez voir, du plus ancien au "
        "plus récent, paginés par curseur : gardez le lien `next` et rappelez-le pour ne "
        "recevoir que les nouveaux.",
        parameters=[
            OpenApiParameter("dossier", int, description="Seulement ce dossier."),
        ],
        responses={200: EvenementFluxSerializer(many=True), **base.ERREURS_LECTURE},
    )
)
class EvenementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = PERMISSIONS_CONNECTE
    serializer_class = EvenementFluxSerializer
    pagination_class = base.CurseurChronologique

    def get_queryset(self):
        evenements = evenements_visibles(self.request.user).select_related("dossier__dispositif")
        dossier = self.request.query_params.get("dossier", "")
        if dossier.isdigit() and len(dossier) < 19:
            evenements = evenements.filter(dossier_id=int(dossier))
        return evenements


@extend_schema_view(
    list=extend_schema(
        summary="Mes abonnements webhook",
        responses={200: AbonnementSerializer(many=True), **base.ERREURS_LECTURE},
    ),
    create=extend_schema(
        summary="S'abonner",
        description="Chaque changement d'état d'un dossier que vous pouvez voir sera envoyé en "
        "POST JSON à cette adresse, signé (voir la documentation). Le secret n'est affiché "
        "qu'ici.",
        request=AbonnementSerializer,
        responses={201: AbonnementCreeSerializer, **base.ERREURS_ECRITURE},
    ),
    destroy=extend_schema(
        summary="Se désabonner",
        responses={204: None, **base.ERREURS_DETAIL},
    ),
)
class AbonnementViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = PERMISSIONS_CONNECTE
    serializer_class = AbonnementSerializer
    pagination_class = base.Curseur
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return AbonnementWebhook.objects.filter(user=self.request.user, actif=True)

    def create(self, request):
        corps = AbonnementSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        abonnement = webhooks.abonnement_creer(par=request.user, url=corps.validated_data["url"])
        return Response(AbonnementCreeSerializer(abonnement).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        webhooks.abonnement_supprimer(par=self.request.user, abonnement=instance)
