"""Open data through the API: the SCDL « subventions » export, public (it is published data)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mdna import scdl
from mdna.api import base


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, list):
            return scdl.en_csv(data).encode("utf-8")
        return (data or {}).get("detail", "").encode("utf-8") if isinstance(data, dict) else b""


class SubventionSerializer(serializers.Serializer):
    """One row of the SCDL « subventions » schema (values as in the CSV)."""

    nomAttribuant = serializers.CharField()
    idAttribuant = serializers.RegexField(r"^\d{14}$")
    dateConvention = serializers.DateField()
    referenceDecision = serializers.CharField()
    nomBeneficiaire = serializers.CharField()
    idBeneficiaire = serializers.RegexField(r"^(\d{14})?$")
    rnaBeneficiaire = serializers.RegexField(r"^(W\d{9})?$")
    objet = serializers.CharField(max_length=255)
    montant = serializers.RegexField(r"^\d+\.\d{2}$", help_text="En euros, point décimal.")
    nature = serializers.ChoiceField(choices=["aide en numéraire", "aide en nature"])
    conditionsVersement = serializers.ChoiceField(choices=["unique", "échelonné"])
    datesPeriodeVersement = serializers.RegexField(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$"
    )
    idRAE = serializers.CharField(allow_blank=True)
    notificationUE = serializers.ChoiceField(choices=["oui", "non"])
    pourcentageSubvention = serializers.CharField()
    dispositifAide = serializers.CharField()


class FiltresSubventions(serializers.Serializer):
    tous = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Toutes les subventions attribuées (sinon celles de plus de 23 000 €).",
    )
    annee = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="Année de la décision."
    )
    commission = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**17,
        help_text="Seulement les dossiers adoptés par cette séance de la commission permanente.",
    )


class NonConfigure(APIException):
    status_code = 503
    default_detail = "Export indisponible."


@extend_schema(
    summary="Subventions attribuées (SCDL « subventions » 2.1.1)",
    description="Les subventions attribuées par la Région, au format national SCDL : JSON par "
    "défaut, CSV avec `?format=csv` ou `Accept: text/csv`. Les particuliers ne sont jamais "
    "publiés.",
    parameters=[FiltresSubventions],
    responses={
        200: OpenApiResponse(SubventionSerializer(many=True)),
        400: base.ERREUR_400,
        429: base.ERREUR_429,
        503: OpenApiResponse(
            base.ErreurSerializer, description="SIRET de la Région non configuré."
        ),
    },
)
class SubventionsView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def get(self, request):
        filtres = FiltresSubventions(data=request.query_params)
        filtres.is_valid(raise_exception=True)
        try:
            rows = list(scdl.lignes(scdl.subventions(**filtres.validated_data)))
        except scdl.ExportImpossible as error:
            raise NonConfigure(str(error)) from error
        response = Response(rows)
        if getattr(request.accepted_renderer, "format", "") == "csv":
            response["Content-Disposition"] = 'attachment; filename="subventions.csv"'
        return response
