"""Representations of dossiers, events and messages for the API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dispositifs.models import Dossier, Etat, EvenementDossier, Message, Piece
from dispositifs.statuts import statut_usager
from mdna.models import AbonnementWebhook, Tiers


class TiersSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tiers
        fields = ["id", "type", "nom", "siret", "rna", "verifie"]


class DossierSerializer(serializers.ModelSerializer):
    """A dossier in a list: the trunk columns, with official identifiers (SIRET, INSEE codes)."""

    dispositif = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="version.numero", read_only=True)
    tiers = serializers.PrimaryKeyRelatedField(read_only=True)
    etat = serializers.ChoiceField(choices=Etat.choices, read_only=True)
    etat_libelle = serializers.CharField(source="get_etat_display", read_only=True)
    montant_demande = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True
    )
    numero = serializers.CharField(allow_null=True, read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "numero",
            "dispositif",
            "version",
            "tiers",
            "etat",
            "etat_libelle",
            "titre",
            "nom_demandeur",
            "siret",
            "commune",
            "departement",
            "montant_demande",
            "cout_total",
            "date_debut",
            "date_fin",
            "etape_courante",
            "cree_le",
            "modifie_le",
            "depose_le",
            "verrou",
        ]
        read_only_fields = fields


class PieceDossierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Piece
        fields = ["id", "code", "nom", "taille", "type_contenu", "sha256", "statut", "depose_le"]
        read_only_fields = fields


class EvenementSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvenementDossier
        fields = ["id", "type", "titre", "detail", "etat_avant", "etat_apres", "cree_le"]
        read_only_fields = fields


class StatutSerializer(serializers.Serializer):
    libelle = serializers.CharField()
    explication = serializers.CharField()


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Les réponses au formulaire (clé du champ → valeur JSON), voir "
        "`formulaire` du dispositif dans le catalogue.",
    }
)
class ReponsesField(serializers.JSONField):
    pass


class DossierUsagerDetailSerializer(DossierSerializer):
    reponses = serializers.SerializerMethodField()
    statut = serializers.SerializerMethodField()
    etapes = serializers.SerializerMethodField()
    pieces = serializers.SerializerMethodField()
    evenements = serializers.SerializerMethodField()

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "statut",
            "etapes",
            "reponses",
            "pieces",
            "evenements",
        ]
        read_only_fields = fields

    @extend_schema_field(ReponsesField)
    def get_reponses(self, dossier: Dossier) -> dict:
        return dossier.answers()

    @extend_schema_field(StatutSerializer)
    def get_statut(self, dossier: Dossier) -> dict:
        statut = statut_usager(dossier.etat)
        return {"libelle": str(statut["libelle"]), "explication": str(statut["suite"])}

    def get_etapes(self, dossier: Dossier) -> list[str]:
        return [s["key"] for s in dossier.version.schema["steps"]]

    @extend_schema_field(PieceDossierSerializer(many=True))
    def get_pieces(self, dossier: Dossier) -> list:
        pieces = dossier.pieces.filter(remplacee_par__isnull=True).order_by("code", "id")
        return PieceDossierSerializer(pieces, many=True).data

    @extend_schema_field(EvenementSerializer(many=True))
    def get_evenements(self, dossier: Dossier) -> list:
        evenements = dossier.evenements.all()
        if self.context.get("usager"):
            evenements = evenements.filter(visible_usager=True)
        return EvenementSerializer(evenements, many=True).data


class TransitionSerializer(serializers.Serializer):
    nom = serializers.CharField()
    libelle = serializers.CharField()
    possible = serializers.BooleanField()
    raison = serializers.CharField(allow_blank=True, help_text="Pourquoi ce n'est pas possible.")


class DossierAgentDetailSerializer(DossierUsagerDetailSerializer):
    instructeur = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(DossierUsagerDetailSerializer.Meta):
        fields = [*DossierUsagerDetailSerializer.Meta.fields, "instructeur", "transitions"]
        read_only_fields = fields

    def get_instructeur(self, dossier: Dossier) -> str | None:
        return dossier.instructeur.email if dossier.instructeur_id else None

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, dossier: Dossier) -> list:
        from instruction.services import pourquoi_pas
        from instruction.workflow import depuis
        from mdna.models import Role

        user = self.context["request"].user
        exemple = {"motif": "x", "pieces": ["x"], "message": "x"}
        return [
            {
                "nom": t.nom,
                "libelle": t.libelle,
                "possible": not (raison := pourquoi_pas(t, dossier, user, exemple)),
                "raison": raison,
            }
            for t in depuis(dossier.etat)
            if not (t.roles & {Role.USAGER})
        ]


class BrouillonCreationSerializer(serializers.Serializer):
    dispositif = serializers.SlugField(help_text="Identifiant (slug) d'un dispositif publié.")
    tiers = serializers.IntegerField(help_text="Identifiant d'une de vos organisations.")


class EtapeSerializer(serializers.Serializer):
    reponses = ReponsesField(
        help_text="Les réponses de l'étape, validées comme dans le formulaire en ligne."
    )


class PieceEnvoiSerializer(serializers.Serializer):
    champ = serializers.CharField(help_text="Clé du champ « fichier » du formulaire.")
    fichier = serializers.FileField(
        help_text="PDF, JPEG ou PNG (selon le champ), vérifié sur son contenu."
    )


class MessageSerializer(serializers.ModelSerializer):
    auteur = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "texte", "de_la_region", "auteur", "nom_piece_jointe", "envoye_le"]
        read_only_fields = ["id", "de_la_region", "auteur", "nom_piece_jointe", "envoye_le"]

    def get_auteur(self, message: Message) -> str:
        return "Service instructeur" if message.de_la_region else str(message.auteur)


class MessageEnvoiSerializer(serializers.Serializer):
    texte = serializers.CharField(max_length=5000, trim_whitespace=True)


class RetraitSerializer(serializers.Serializer):
    motif = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class TransitionDemandeSerializer(serializers.Serializer):
    motif = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    verrou = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="La valeur `verrou` lue : 409 si le dossier a changé depuis.",
    )


class EvenementFluxSerializer(serializers.ModelSerializer):
    dossier = serializers.IntegerField(source="dossier_id")
    numero = serializers.CharField(source="dossier.numero", allow_null=True)
    dispositif = serializers.CharField(source="dossier.dispositif.slug")

    class Meta:
        model = EvenementDossier
        fields = [
            "id",
            "type",
            "dossier",
            "numero",
            "dispositif",
            "etat_avant",
            "etat_apres",
            "titre",
            "cree_le",
        ]
        read_only_fields = fields


class AbonnementSerializer(serializers.ModelSerializer):
    class Meta:
        model = AbonnementWebhook
        fields = ["id", "url", "actif", "cree_le"]
        read_only_fields = ["id", "actif", "cree_le"]


class AbonnementCreeSerializer(AbonnementSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Secret de signature : affiché une seule fois, gardez-le."
    )

    class Meta(AbonnementSerializer.Meta):
        fields = [*AbonnementSerializer.Meta.fields, "secret"]
        read_only_fields = [*AbonnementSerializer.Meta.read_only_fields, "secret"]
