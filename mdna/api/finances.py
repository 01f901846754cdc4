"""Finance endpoints (read-only): mandates, bordereaux and exports with their download, for the
finance staff (`paiements.services.est_finances`, the rule of the /finances/ screens)."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from mdna.api import base
from mdna.api.portee import Authentifie, PorteeDuJeton
from mdna.fichiers import servir
from paiements import flux, selectors, services
from paiements.models import (
    Bordereau,
    Export,
    FormatExport,
    Mandat,
    StatutExport,
    StatutMandat,
)


class EstFinances(permissions.BasePermission):
    message = "Ces adresses sont celles des gestionnaires financiers."

    def has_permission(self, request, view) -> bool:
        return services.est_finances(request.user)


PERMISSIONS_FINANCES = [Authentifie, EstFinances, PorteeDuJeton]


class LigneMandatSerializer(serializers.Serializer):
    numero = serializers.IntegerField()
    libelle = serializers.CharField()
    montant = serializers.DecimalField(max_digits=14, decimal_places=2)
    nature = serializers.CharField()
    fonction = serializers.CharField(allow_blank=True)
    chapitre = serializers.CharField(allow_blank=True)


class MandatSerializer(serializers.ModelSerializer):
    dossier = serializers.IntegerField(source="engagement.dossier_id")
    bordereau = serializers.IntegerField(source="bordereau_id", allow_null=True)
    origine = serializers.IntegerField(source="origine_id", allow_null=True)
    statut = serializers.ChoiceField(choices=StatutMandat.choices)

    class Meta:
        model = Mandat
        fields = [
            "id",
            "exercice",
            "numero",
            "dossier",
            "bordereau",
            "origine",
            "objet",
            "montant",
            "date_emission",
            "statut",
            "paye_le",
            "tiers_nom",
            "tiers_siret",
            "cree_le",
        ]
        read_only_fields = fields


class MandatDetailSerializer(MandatSerializer):
    lignes = LigneMandatSerializer(many=True)

    class Meta(MandatSerializer.Meta):
        fields = [*MandatSerializer.Meta.fields, "lignes"]
        read_only_fields = fields


class BordereauSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bordereau
        fields = [
            "id",
            "exercice",
            "numero",
            "type",
            "date_emission",
            "nombre_mandats",
            "montant_total",
            "cree_le",
        ]
        read_only_fields = fields


class ExportSerializer(serializers.ModelSerializer):
    bordereaux = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    erreurs = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Pourquoi l'export est invalide."
    )

    class Meta:
        model = Export
        fields = [
            "id",
            "format",
            "statut",
            "nom",
            "sha256",
            "taille",
            "bordereaux",
            "erreurs",
            "cree_le",
            "termine_le",
        ]
        read_only_fields = fields


class FiltresMandats(django_filters.FilterSet):
    exercice = django_filters.NumberFilter()
    statut = django_filters.ChoiceFilter(choices=StatutMandat.choices)
    bordereau = django_filters.NumberFilter(field_name="bordereau_id")
    siret = django_filters.CharFilter(field_name="tiers_siret", max_length=14)

    class Meta:
        model = Mandat
        fields: list[str] = []


class ExportDemandeSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FormatExport.choices)
    bordereaux = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**17), min_length=1, max_length=500
    )


class Courant(viewsets.GenericViewSet):
    permission_classes = PERMISSIONS_FINANCES
    pagination_class = base.Curseur
    lookup_value_regex = r"[0-9]{1,18}"

    def get_object(self):
        objet = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if objet is None:
            raise NotFound("Introuvable.")
        return objet


@extend_schema_view(
    list=extend_schema(
        summary="Les mandats",
        description="Filtres : exercice, statut, bordereau, siret du bénéficiaire.",
        responses={200: MandatSerializer(many=True), 400: base.ERREUR_400, **base.ERREURS_LECTURE},
    ),
    retrieve=extend_schema(
        summary="Un mandat et ses lignes",
        responses={200: MandatDetailSerializer, **base.ERREURS_DETAIL},
    ),
)
class MandatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Courant):
    """Les mandats de paiement (gestionnaires financiers)."""

    filterset_class = FiltresMandats
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        mandats = Mandat.objects.select_related("engagement")
        if self.action == "retrieve":
            mandats = mandats.prefetch_related("lignes")
        return mandats

    def get_serializer_class(self):
        return MandatDetailSerializer if self.action == "retrieve" else MandatSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Les bordereaux",
        responses={200: BordereauSerializer(many=True), **base.ERREURS_LECTURE},
    ),
    retrieve=extend_schema(
        summary="Un bordereau", responses={200: BordereauSerializer, **base.ERREURS_DETAIL}
    ),
)
class BordereauViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Courant):
    """Les bordereaux de mandats (gestionnaires financiers)."""

    serializer_class = BordereauSerializer

    def get_queryset(self):
        return Bordereau.objects.all()


@extend_schema_view(
    list=extend_schema(
        summary="Les exports (PES V2, SEPA, CSV)",
        responses={200: ExportSerializer(many=True), **base.ERREURS_LECTURE},
    ),
    retrieve=extend_schema(
        summary="Un export", responses={200: ExportSerializer, **base.ERREURS_DETAIL}
    ),
    create=extend_schema(
        summary="Demander un export",
        description="Le fichier est construit et vérifié en arrière-plan : suivez `statut` "
        "jusqu'à `pret`, puis téléchargez-le.",
        request=ExportDemandeSerializer,
        responses={201: ExportSerializer, **base.ERREURS_ECRITURE},
    ),
)
class ExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, Courant
):
    """Les exports vers le comptable public et la banque (gestionnaires financiers)."""

    serializer_class = ExportSerializer

    def get_queryset(self):
        return selectors.exports()

    def create(self, request):
        corps = ExportDemandeSerializer(data=request.data)
        corps.is_valid(raise_exception=True)
        ids = set(corps.validated_data["bordereaux"])
        bordereaux = list(Bordereau.objects.filter(pk__in=ids))
        if len(bordereaux) != len(ids):
            return Response({"bordereaux": ["Bordereau inconnu."]}, status=400)
        export = flux.export_demander(
            format=corps.validated_data["format"], bordereaux=bordereaux, par=request.user
        )
        export = selectors.exports().get(pk=export.pk)
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Télécharger le fichier d'un export prêt",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **base.ERREURS_DETAIL,
        },
    )
    @action(detail=True, methods=["get"], url_path="fichier")
    def fichier(self, request, pk=None):
        export = self.get_object()
        if export.statut != StatutExport.PRET:
            raise NotFound("Ce fichier n'est pas prêt (ou n'a pas passé les contrôles).")
        return servir(request, export.fichier, nom=export.nom, cible=export, inline=False)
