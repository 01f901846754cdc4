"""The catalogue API: public, read-only. The list reuses the Guide's selectors; the detail exposes
a scheme's published configuration and its generated form (steps, fields, JSON Schema of each
field) so that a partner can build or check a filing."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from dispositifs import selectors
from dispositifs.engine.fields import Spec, get_type
from dispositifs.engine.tronc import BENEFICIAIRES, MODULES
from dispositifs.models import Dispositif, DispositifVersion, TypeFenetre

# --- Query parameters ----------------------------------------------------------------------------


class FiltresSerializer(serializers.Serializer):
    """The Guide's filters, as query parameters of the list."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Recherche plein texte (nom, résumé, thématique, description).",
    )
    beneficiaire = serializers.ChoiceField(
        choices=list(BENEFICIAIRES.items()),
        required=False,
        allow_blank=True,
        help_text="Type de bénéficiaire.",
    )
    thematique = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="Thématique exacte."
    )
    departement = serializers.ChoiceField(
        choices=[(d.code, d.nom) for d in selectors.departements_region()],
        required=False,
        allow_blank=True,
        help_text="Code du département : les dispositifs de toute la Région et ceux qui le citent.",
    )
    ouvert = serializers.BooleanField(
        required=False, default=False, help_text="Seulement les dispositifs ouverts aujourd'hui."
    )
    cloture_proche = serializers.BooleanField(
        required=False,
        default=False,
        help_text=f"Seulement les appels à projets qui se terminent dans les "
        f"{selectors.JOURS_CLOTURE_PROCHE} jours.",
    )


# --- Scheme ------------------------------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    nom = serializers.CharField()


class FenetreSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TypeFenetre.choices, source="fenetre_type")
    ouverture = serializers.DateField(source="date_ouverture", allow_null=True)
    cloture = serializers.DateField(source="date_cloture", allow_null=True)


class RegleSerializer(serializers.Serializer):
    taux = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Taux maximal, en %."
    )
    plancher = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Aide minimale, en euros."
    )
    plafond = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Aide maximale, en euros."
    )


class StatutDepotSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["ouvert", "a_venir", "ferme"])
    texte = serializers.CharField()


class DispositifListeSerializer(serializers.ModelSerializer):
    beneficiaires = serializers.ListField(
        child=serializers.ChoiceField(choices=list(BENEFICIAIRES))
    )
    modules = serializers.ListField(child=serializers.ChoiceField(choices=list(MODULES)))
    departements = serializers.ListField(
        child=serializers.CharField(), help_text="Vide : toute la Région."
    )
    service = ServiceSerializer()
    fenetre = FenetreSerializer(source="*")
    regle = RegleSerializer(source="*")
    statut_depot = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dispositif
        fields = [
            "slug",
            "nom",
            "resume",
            "thematique",
            "beneficiaires",
            "modules",
            "departements",
            "fenetre",
            "regle",
            "statut_depot",
            "service",
            "url",
        ]

    @extend_schema_field(StatutDepotSerializer)
    def get_statut_depot(self, dispositif: Dispositif) -> dict:
        jour = self.context.setdefault("jour", timezone.localdate())
        statut = selectors.statut_depot(dispositif, jour)
        return {"code": statut.code, "texte": statut.texte}

    def get_url(self, dispositif: Dispositif) -> str:
        """The scheme's page in the Guide des aides."""
        request = self.context.get("request")
        url = dispositif.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


# --- Frozen configuration and generated form -----------------------------------------------------


class PieceSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()
    aide = serializers.CharField(allow_blank=True)
    obligatoire = serializers.BooleanField()


class EcheanceSerializer(serializers.Serializer):
    libelle = serializers.CharField()
    pourcentage = serializers.DecimalField(max_digits=5, decimal_places=2)
    declencheur = serializers.CharField()


class ConfigurationRegleSerializer(serializers.Serializer):
    taux = serializers.CharField(allow_null=True, help_text="Décimal, en %.")
    plancher = serializers.CharField(allow_null=True, help_text="Décimal, en euros.")
    plafond = serializers.CharField(allow_null=True, help_text="Décimal, en euros.")


class ConfigurationFenetreSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TypeFenetre.choices)
    ouverture = serializers.DateField(allow_null=True, required=False)
    cloture = serializers.DateField(allow_null=True, required=False)


class ConfigurationSerializer(serializers.Serializer):
    """The configuration frozen in a published version."""

    beneficiaires = serializers.ListField(child=serializers.CharField())
    modules = serializers.ListField(child=serializers.CharField())
    departements = serializers.ListField(child=serializers.CharField())
    regle = ConfigurationRegleSerializer()
    fenetre = ConfigurationFenetreSerializer()
    pieces = PieceSerializer(many=True)
    echeancier = EcheanceSerializer(many=True)
    service = serializers.CharField(allow_null=True, help_text="Code du service instructeur.")


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "Le champ n'est demandé que si le champ `field` vaut `equals`, est dans "
        "`in`, ou est rempli (`filled`).",
        "properties": {
            "field": {"type": "string"},
            "equals": {},
            "in": {"type": "array", "items": {}},
            "filled": {"type": "boolean"},
        },
        "required": ["field"],
    }
)
class ConditionField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Schéma JSON (JSON Schema) de la valeur attendue pour ce champ.",
    }
)
class JsonSchemaField(serializers.JSONField):
    pass


class ChampFormulaireSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Clé de la réponse.")
    type = serializers.CharField(help_text="Type de champ du catalogue (text, amount, iban…).")
    label = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    condition = ConditionField(allow_null=True)
    choices = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        allow_null=True,
        help_text="Options [code, libellé] d'un choix.",
    )
    json_schema = JsonSchemaField()


class EtapeFormulaireSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    fields = ChampFormulaireSerializer(many=True)
    rules = serializers.ListField(
        child=serializers.CharField(), help_text="Règles vérifiées sur l'étape."
    )


class FormulaireSerializer(serializers.Serializer):
    engine = serializers.IntegerField(help_text="Version du moteur de formulaires.")
    prefixe = serializers.CharField(help_text="Préfixe des numéros de dossier.")
    hash = serializers.CharField(help_text="Empreinte du formulaire.")
    steps = EtapeFormulaireSerializer(many=True)


def formulaire(schema: dict) -> dict:
    """The composed form of a version, each field with its JSON Schema."""
    return {
        "engine": schema.get("engine"),
        "prefixe": schema.get("prefixe", ""),
        "hash": schema.get("hash", ""),
        "steps": [
            {
                "key": step["key"],
                "title": step.get("title", ""),
                "intro": step.get("intro", ""),
                "rules": list(step.get("rules") or []),
                "fields": [
                    {
                        "key": field["key"],
                        "type": field["type"],
                        "label": field.get("label", field["key"]),
                        "help": field.get("help", ""),
                        "required": bool(field.get("required")),
                        "condition": field.get("condition"),
                        "choices": [[str(c) for c in pair] for pair in field["choices"]]
                        if field.get("choices")
                        else None,
                        "json_schema": get_type(field["type"]).json_schema(Spec(field)),
                    }
                    for field in step.get("fields") or []
                ],
            }
            for step in schema.get("steps") or []
        ],
    }


class VersionSerializer(serializers.ModelSerializer):
    dispositif = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    courante = serializers.SerializerMethodField()
    configuration = ConfigurationSerializer()
    formulaire = serializers.SerializerMethodField()

    class Meta:
        model = DispositifVersion
        fields = [
            "dispositif",
            "numero",
            "courante",
            "publiee_le",
            "empreinte",
            "configuration",
            "formulaire",
        ]

    def get_courante(self, version: DispositifVersion) -> bool:
        """Whether this is the version new applications are filed against."""
        return version.dispositif.version_courante_id == version.pk

    @extend_schema_field(FormulaireSerializer)
    def get_formulaire(self, version: DispositifVersion) -> dict:
        return FormulaireSerializer(formulaire(version.schema)).data


class DispositifDetailSerializer(DispositifListeSerializer):
    version = serializers.IntegerField(
        source="version_courante.numero", help_text="Numéro de la version publiée."
    )
    publiee_le = serializers.DateTimeField(source="version_courante.publiee_le")
    configuration = ConfigurationSerializer(source="version_courante.configuration")
    formulaire = serializers.SerializerMethodField()

    class Meta(DispositifListeSerializer.Meta):
        fields = [
            *DispositifListeSerializer.Meta.fields,
            "description",
            "version",
            "publiee_le",
            "configuration",
            "formulaire",
        ]

    @extend_schema_field(FormulaireSerializer)
    def get_formulaire(self, dispositif: Dispositif) -> dict:
        return FormulaireSerializer(formulaire(dispositif.version_courante.schema)).data


class ErreurSerializer(serializers.Serializer):
    detail = serializers.CharField()


INCONNU = OpenApiResponse(response=ErreurSerializer, description="Inconnu.")
PAGE_INCONNUE = OpenApiResponse(response=ErreurSerializer, description="Page inexistante.")
TROP_DE_REQUETES = OpenApiResponse(
    response=ErreurSerializer, description="Trop de requêtes : réessayez plus tard."
)


# --- Views ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Les dispositifs publiés",
        description="Filtrés comme dans le Guide des aides, paginés (`count`, `next`, "
        "`previous`, `results`).",
        parameters=[FiltresSerializer],
        responses={
            200: DispositifListeSerializer(many=True),
            400: OpenApiResponse(description="Un filtre a une valeur invalide."),
            404: PAGE_INCONNUE,
            429: TROP_DE_REQUETES,
        },
    ),
    retrieve=extend_schema(
        summary="Un dispositif, sa configuration publiée et son formulaire",
        responses={200: DispositifDetailSerializer, 404: INCONNU, 429: TROP_DE_REQUETES},
    ),
)
class DispositifViewSet(viewsets.ReadOnlyModelViewSet):
    """Le catalogue des dispositifs publiés : public, en lecture seule."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dispositif.objects.none()
        if self.action == "list":
            filtres = FiltresSerializer(data=self.request.query_params)
            filtres.is_valid(raise_exception=True)
            return selectors.guide_dispositifs(**filtres.validated_data)
        return selectors.fiches_dispositifs(avec_formulaire=True)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound("Aucun dispositif publié ne porte cet identifiant.") from None

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DispositifDetailSerializer
        return DispositifListeSerializer

    @extend_schema(
        summary="Une version publiée d'un dispositif",
        parameters=[
            OpenApiParameter("numero", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses={200: VersionSerializer, 404: INCONNU, 429: TROP_DE_REQUETES},
    )
    @action(detail=True, url_path=r"versions/(?P<numero>[0-9]{1,9})", url_name="version")
    def version(self, request: Request, slug: str, numero: str) -> Response:
        version = selectors.version_publiee(slug=slug, numero=int(numero)).first()
        if version is None:
            raise NotFound("Ce dispositif publié n'a pas de version portant ce numéro.")
        return Response(VersionSerializer(version, context=self.get_serializer_context()).data)
