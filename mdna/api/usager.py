"""Applicants' endpoints: the dossiers of their organisations, filed through the wizard's own
services (draft, answers per step, pieces, idempotent submit, messages, withdrawal)."""

import django_filters
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from dispositifs.depot import services as depot
from dispositifs.depot.selectors import dossier_de_l_usager, dossiers_de_l_usager
from dispositifs.models import Dispositif, Dossier, Etat
from mdna.api import base
from mdna.api.portee import PERMISSIONS_USAGER
from mdna.api.serializers import (
    BrouillonCreationSerializer,
    DossierSerializer,
    DossierUsagerDetailSerializer,
    EtapeSerializer,
    MessageEnvoiSerializer,
    MessageSerializer,
    PieceDossierSerializer,
    PieceEnvoiSerializer,
    RetraitSerializer,
    TiersSerializer,
)
from mdna.selectors import tiers_de

ETAPE = OpenApiParameter("etape", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[a-z0-9_]+$")


class FiltresUsager(django_filters.FilterSet):
    """Filters by official identifiers and state."""

    etat = django_filters.MultipleChoiceFilter(choices=Etat.choices)
    dispositif = django_filters.CharFilter(field_name="dispositif__slug", max_length=80)
    siret = django_filters.CharFilter(max_length=14, help_text="SIRET (14 chiffres).")
    commune = django_filters.CharFilter(max_length=5, help_text="Code INSEE de la commune.")
    departement = django_filters.CharFilter(max_length=3, help_text="Code du département.")

    class Meta:
        model = Dossier
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Mes organisations",
        description="Les organisations (Tiers) pour lesquelles vous agissez.",
        responses={200: TiersSerializer(many=True), **base.ERREURS_LECTURE},
    )
)
class OrganisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = PERMISSIONS_USAGER
    serializer_class = TiersSerializer
    pagination_class = base.Curseur

    def get_queryset(self):
        return tiers_de(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Mes dossiers",
        description="Les dossiers de vos organisations, brouillons compris, paginés par curseur.",
        responses={200: DossierSerializer(many=True), **base.ERREURS_LECTURE, 400: base.ERREUR_400},
    ),
    retrieve=extend_schema(
        summary="Un de mes dossiers",
        responses={200: DossierUsagerDetailSerializer, **base.ERREURS_DETAIL},
    ),
    create=extend_schema(
        summary="Créer un brouillon",
        description="Un brouillon pré-rempli (« dites-le nous une fois ») pour un dispositif "
        "publié et une de vos organisations.",
        request=BrouillonCreationSerializer,
        responses={201: DossierUsagerDetailSerializer, **base.ERREURS_ECRITURE},
    ),
)
class DossierUsagerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Les dossiers de vos organisations."""

    permission_classes = PERMISSIONS_USAGER
    pagination_class = base.Curseur
    filterset_class = FiltresUsager
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[0-9]{1,18}"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return dossiers_de_l_usager(self.request.user).select_related("dispositif", "version")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierUsagerDetailSerializer
        return DossierSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "usager": True}

    def get_object(self) -> Dossier:
        try:
            return dossier_de_l_usager(self.request.user, int(self.kwargs["pk"]))
        except (Http404, ValueError, OverflowError) as error:
            raise NotFound("Dossier introuvable.") from error

    def _detail(self, dossier: Dossier, code=status.HTTP_200_OK) -> Response:
        dossier = dossier_de_l_usager(self.request.user, dossier.pk)
        return Response(
            DossierUsagerDetailSerializer(dossier, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request):
        demande = BrouillonCreationSerializer(data=request.data)
        demande.is_valid(raise_exception=True)
        dispositif = Dispositif.objects.publies().filter(slug=demande.validated_data["dispositif"])
        dispositif = dispositif.select_related("version_courante").first()
        if dispositif is None:
            return Response(
                {"dispositif": ["Aucun dispositif publié ne porte cet identifiant."]}, status=400
            )
        tiers = tiers_de(request.user).filter(pk=demande.validated_data["tiers"]).first()
        if tiers is None:
            return Response({"tiers": ["Vous n'agissez pas pour cette organisation."]}, status=400)
        dossier = depot.brouillon_creer(dispositif=dispositif, tiers=tiers, par=request.user)
        return self._detail(dossier, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Répondre à une étape du formulaire",
        description="Les réponses d'une étape, validées par le même formulaire que le dépôt en "
        "ligne ; 400 avec, pour chaque champ, ses erreurs. Les pièces se joignent à part.",
        parameters=[ETAPE],
        request=EtapeSerializer,
        responses={200: DossierUsagerDetailSerializer, **base.ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["put"], url_path=r"etapes/(?P<etape>[a-z0-9_]+)")
    def etape(self, request, pk=None, etape=None):
        dossier = self.get_object()
        corps = EtapeSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        if not isinstance(corps.validated_data["reponses"], dict):
            return Response({"reponses": ["Un objet JSON est attendu."]}, status=400)
        dossier = depot.etape_repondre(
            dossier=dossier,
            par=request.user,
            etape=etape,
            reponses=corps.validated_data["reponses"],
        )
        return self._detail(dossier)

    @extend_schema(
        summary="Joindre une pièce",
        description="Un fichier pour un champ « fichier » du formulaire (multipart), vérifié "
        "sur son contenu (type et taille) comme en ligne.",
        request={"multipart/form-data": PieceEnvoiSerializer},
        responses={201: PieceDossierSerializer, **base.ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def pieces(self, request, pk=None):
        dossier = self.get_object()
        corps = PieceEnvoiSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        piece = depot.piece_joindre(
            dossier=dossier,
            par=request.user,
            champ=corps.validated_data["champ"],
            fichier=corps.validated_data["fichier"],
        )
        return Response(PieceDossierSerializer(piece).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Déposer le dossier",
        description="Idempotent : un second appel renvoie le même dossier et le même numéro. "
        "400 avec `etapes` si des étapes sont incomplètes.",
        request=None,
        responses={200: DossierUsagerDetailSerializer, **base.ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"])
    def deposer(self, request, pk=None):
        dossier = depot.dossier_deposer(dossier=self.get_object(), par=request.user)
        return self._detail(dossier)

    @extend_schema(
        summary="Retirer la demande",
        description="Le demandeur renonce à sa demande déposée (transition `desister`).",
        request=RetraitSerializer,
        responses={200: DossierUsagerDetailSerializer, **base.ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"])
    def retirer(self, request, pk=None):
        dossier = self.get_object()
        corps = RetraitSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        dossier = depot.dossier_desister(
            dossier=dossier, par=request.user, motif=corps.validated_data["motif"]
        )
        return self._detail(dossier)

    @extend_schema(
        methods=["GET"],
        summary="Les messages du dossier",
        responses={200: MessageSerializer(many=True), **base.ERREURS_DETAIL},
    )
    @extend_schema(
        methods=["POST"],
        summary="Écrire au service instructeur",
        request=MessageEnvoiSerializer,
        responses={201: MessageSerializer, **base.ERREURS_ECRITURE},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser, FormParser],
        pagination_class=None,
    )
    def messages(self, request, pk=None):
        dossier = self.get_object()
        if request.method == "GET":
            fil = dossier.messages.select_related("auteur")
            return Response(MessageSerializer(fil, many=True).data)
        corps = MessageEnvoiSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        message = depot.message_usager_envoyer(
            dossier=dossier, par=request.user, texte=corps.validated_data["texte"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
