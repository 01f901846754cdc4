"""Schemes (dispositifs) as configuration, their immutable published versions, and dossiers."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispositifs.engine.fields import FIELD_TYPES
from dispositifs.engine.tronc import BENEFICIAIRES, MODULES
from mdna.models import Service, User


class StatutDispositif(models.TextChoices):
    BROUILLON = "brouillon", _("Brouillon")
    PUBLIE = "publie", _("Publié")
    FERME = "ferme", _("Fermé")


class TypeFenetre(models.TextChoices):
    PERMANENTE = "permanente", _("Dépôt permanent")
    APPEL = "appel_a_projets", _("Appel à projets")


class DispositifQuerySet(models.QuerySet):
    def publies(self):
        return self.filter(statut=StatutDispositif.PUBLIE, version_courante__isnull=False)

    def ouverts(self, jour: dt.date | None = None):
        jour = jour or timezone.localdate()
        return self.publies().filter(
            models.Q(fenetre_type=TypeFenetre.PERMANENTE)
            | models.Q(date_ouverture__lte=jour, date_cloture__gte=jour)
        )


class Dispositif(models.Model):
    """A scheme: configuration an administrator edits without code. Publishing it freezes a
    version; dossiers are filed against a version."""

    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    resume = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("description"))
    thematique = models.CharField(_("thématique"), max_length=120, db_index=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service instructeur"),
        on_delete=models.PROTECT,
        related_name="dispositifs",
    )
    statut = models.CharField(
        _("statut"),
        max_length=12,
        choices=StatutDispositif.choices,
        default=StatutDispositif.BROUILLON,
    )
    beneficiaires = models.JSONField(_("bénéficiaires"), default=list)
    modules = models.JSONField(_("modules thématiques"), default=list, blank=True)
    departements = models.JSONField(
        _("départements"), default=list, blank=True, help_text=_("Vide : toute la Région.")
    )
    fenetre_type = models.CharField(
        _("fenêtre de dépôt"),
        max_length=20,
        choices=TypeFenetre.choices,
        default=TypeFenetre.PERMANENTE,
    )
    date_ouverture = models.DateField(_("ouverture"), null=True, blank=True)
    date_cloture = models.DateField(_("clôture"), null=True, blank=True)
    taux = models.DecimalField(
        _("taux maximal (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    plancher = models.DecimalField(
        _("aide minimale (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    plafond = models.DecimalField(
        _("aide maximale (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    echeancier = models.JSONField(_("échéancier de paiement"), default=list, blank=True)
    imputation = models.JSONField(_("imputation budgétaire par défaut"), default=dict, blank=True)
    modeles_courrier = models.JSONField(_("modèles de courrier"), default=dict, blank=True)
    version_courante = models.ForeignKey(
        "DispositifVersion",
        verbose_name=_("version publiée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = DispositifQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        indexes = [
            models.Index(fields=["statut", "fenetre_type", "date_cloture"]),
            models.Index(fields=["statut", "thematique"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plafond__isnull=True)
                | models.Q(plancher__isnull=True)
                | models.Q(plafond__gte=models.F("plancher")),
                name="dispositif_plafond_ge_plancher",
            ),
            models.CheckConstraint(
                condition=models.Q(date_cloture__isnull=True)
                | models.Q(date_ouverture__isnull=True)
                | models.Q(date_cloture__gte=models.F("date_ouverture")),
                name="dispositif_cloture_apres_ouverture",
            ),
        ]

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        return reverse("dispositifs:fiche", args=[self.slug])

    def configuration(self, champs=None, pieces=None) -> dict:
        """The configuration the form engine composes (see engine/compose.py)."""
        champs = self.champs.all() if champs is None else champs
        pieces = self.pieces.all() if pieces is None else pieces
        fenetre = {"type": self.fenetre_type}
        if self.fenetre_type == TypeFenetre.APPEL:
            fenetre.update(
                ouverture=self.date_ouverture.isoformat() if self.date_ouverture else None,
                cloture=self.date_cloture.isoformat() if self.date_cloture else None,
            )
        return {
            "slug": self.slug,
            "nom": self.nom,
            "beneficiaires": list(self.beneficiaires),
            "modules": list(self.modules),
            "departements": list(self.departements),
            "regle": {
                "taux": _num(self.taux),
                "plancher": _num(self.plancher),
                "plafond": _num(self.plafond),
            },
            "fenetre": fenetre,
            "pieces": [p.to_config() for p in pieces],
            "champs_supplementaires": [c.to_spec() for c in champs],
            "echeancier": list(self.echeancier),
            "imputation": dict(self.imputation),
            "service": self.service.code if self.service_id else None,
        }

    def est_ouvert(self, jour: dt.date | None = None) -> bool:
        if self.statut != StatutDispositif.PUBLIE:
            return False
        if self.fenetre_type == TypeFenetre.PERMANENTE:
            return True
        jour = jour or timezone.localdate()
        return bool(self.date_ouverture and self.date_cloture) and (
            self.date_ouverture <= jour <= self.date_cloture
        )

    def libelles_beneficiaires(self) -> list[str]:
        return [BENEFICIAIRES.get(b, b) for b in self.beneficiaires]

    def libelles_modules(self) -> list[str]:
        return [MODULES.get(m, m) for m in self.modules]


def _num(value):
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class ChampSupplementaire(models.Model):
    """An extra field of a scheme, chosen in the field catalogue."""

    TYPES = [(code, t.label) for code, t in FIELD_TYPES.items() if code not in {"file", "computed"}]

    dispositif = models.ForeignKey(Dispositif, on_delete=models.CASCADE, related_name="champs")
    ordre = models.PositiveIntegerField(_("ordre"), default=0)
    cle = models.SlugField(
        _("clé"), max_length=60, help_text=_("Lettres minuscules, chiffres et _.")
    )
    type = models.CharField(_("type"), max_length=20, choices=TYPES)
    libelle = models.CharField(_("libellé"), max_length=255)
    aide = models.CharField(_("aide"), max_length=500, blank=True)
    obligatoire = models.BooleanField(_("obligatoire"), default=False)
    choix = models.TextField(
        _("options"),
        blank=True,
        help_text=_("Une option par ligne : code|Libellé (choix seulement)."),
    )
    minimum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    condition_champ = models.CharField(
        _("afficher si le champ"),
        max_length=60,
        blank=True,
        help_text=_("Clé d'un champ précédent."),
    )
    condition_valeur = models.CharField(
        _("vaut"),
        max_length=120,
        blank=True,
        help_text=_("« oui » / « non » pour une question oui/non, sinon le code d'une option."),
    )

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = _("champ supplémentaire")
        verbose_name_plural = _("champs supplémentaires")

    def __str__(self) -> str:
        return self.libelle

    def to_spec(self) -> dict:
        spec = {
            "key": self.cle,
            "type": self.type,
            "label": self.libelle,
            "help": self.aide,
            "required": self.obligatoire,
        }
        if self.choix.strip():
            spec["choices"] = [
                [part.strip() for part in line.split("|", 1)] if "|" in line else [line.strip()] * 2
                for line in self.choix.splitlines()
                if line.strip()
            ]
        if self.minimum is not None:
            spec["min"] = _num(self.minimum)
        if self.maximum is not None:
            spec["max"] = _num(self.maximum)
        if self.condition_champ:
            value = {"oui": True, "non": False}.get(
                self.condition_valeur.strip().lower(), self.condition_valeur.strip()
            )
            spec["condition"] = {"field": self.condition_champ, "equals": value}
        return spec

    @classmethod
    def from_spec(cls, spec: dict, *, ordre: int) -> "ChampSupplementaire":
        condition = spec.get("condition") or {}
        value = condition.get("equals", "")
        return cls(
            ordre=ordre,
            cle=spec["key"],
            type=spec["type"],
            libelle=spec.get("label", spec["key"]),
            aide=spec.get("help", ""),
            obligatoire=bool(spec.get("required")),
            choix="\n".join(f"{c[0]}|{c[1]}" for c in spec.get("choices") or []),
            minimum=spec.get("min"),
            maximum=spec.get("max"),
            condition_champ=condition.get("field", ""),
            condition_valeur={True: "oui", False: "non"}.get(value, str(value))
            if condition
            else "",
        )


class PieceDemandee(models.Model):
    dispositif = models.ForeignKey(Dispositif, on_delete=models.CASCADE, related_name="pieces")
    ordre = models.PositiveIntegerField(_("ordre"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    libelle = models.CharField(_("libellé"), max_length=255)
    aide = models.CharField(_("ce qu'il faut fournir"), max_length=500, blank=True)
    obligatoire = models.BooleanField(_("obligatoire"), default=True)

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = _("pièce demandée")
        verbose_name_plural = _("pièces demandées")

    def __str__(self) -> str:
        return self.libelle

    def to_config(self) -> dict:
        return {
            "code": self.code,
            "libelle": self.libelle,
            "aide": self.aide,
            "obligatoire": self.obligatoire,
        }


class DispositifVersion(models.Model):
    """A published, immutable version of a scheme: its configuration and composed form schema."""

    dispositif = models.ForeignKey(Dispositif, on_delete=models.PROTECT, related_name="versions")
    numero = models.PositiveIntegerField(_("numéro"))
    configuration = models.JSONField(_("configuration"))
    schema = models.JSONField(_("formulaire"))
    empreinte = models.CharField(_("empreinte"), max_length=16)
    publiee_le = models.DateTimeField(_("publiée le"), default=timezone.now)
    publiee_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dispositif", "-numero"]
        verbose_name = _("version de dispositif")
        verbose_name_plural = _("versions de dispositif")
        constraints = [
            models.UniqueConstraint(fields=["dispositif", "numero"], name="version_numero_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dispositif} — version {self.numero}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(
                "Une version publiée ne se modifie pas : publiez-en une nouvelle."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Une version publiée ne se supprime pas.")


class Compteur(models.Model):
    """Gapless counters (dossier numbers per year and prefix), taken under a row lock."""

    cle = models.CharField(max_length=40, unique=True)
    valeur = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cle} = {self.valeur}"


class Etat(models.TextChoices):
    BROUILLON = "brouillon", _("Brouillon")
    DEPOSE = "depose", _("Déposé")
    INCOMPLET = "incomplet", _("Incomplet")
    EN_INSTRUCTION = "en_instruction", _("En instruction")
    PROPOSE = "propose", _("Proposé")
    ATTRIBUE = "attribue", _("Attribué")
    REJETE = "rejete", _("Rejeté")
    IRRECEVABLE = "irrecevable", _("Irrecevable")
    CLASSE_SANS_SUITE = "classe_sans_suite", _("Classé sans suite")
    DESISTE = "desiste", _("Désisté")
    EN_PAIEMENT = "en_paiement", _("En paiement")
    SOLDE = "solde", _("Soldé")
    CADUC = "caduc", _("Caduc")


class Dossier(models.Model):
    """A request for aid, filed against a frozen scheme version. Trunk answers that matter for
    reporting and search are columns; the rest is a JSON document validated by the engine."""

    numero = models.CharField(_("numéro"), max_length=24, unique=True, null=True, blank=True)
    dispositif = models.ForeignKey(Dispositif, on_delete=models.PROTECT, related_name="dossiers")
    version = models.ForeignKey(
        DispositifVersion, on_delete=models.PROTECT, related_name="dossiers"
    )
    etat = models.CharField(_("état"), max_length=20, choices=Etat.choices, default=Etat.BROUILLON)
    demandeur = models.ForeignKey(
        User, verbose_name=_("compte demandeur"), on_delete=models.PROTECT, related_name="dossiers"
    )
    tiers = models.ForeignKey(
        "mdna.Tiers",
        verbose_name=_("bénéficiaire"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    instructeur = models.ForeignKey(
        User,
        verbose_name=_("instructeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_instruits",
    )
    # Trunk columns.
    demandeur_type = models.CharField(_("type de demandeur"), max_length=24, blank=True)
    nom_demandeur = models.CharField(_("demandeur"), max_length=255, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    commune = models.CharField(_("commune (INSEE)"), max_length=5, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    titre = models.CharField(_("titre du projet"), max_length=255, blank=True)
    montant_demande = models.DecimalField(
        _("montant demandé"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cout_total = models.DecimalField(
        _("coût total"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    date_debut = models.DateField(_("début du projet"), null=True, blank=True)
    date_fin = models.DateField(_("fin du projet"), null=True, blank=True)
    # The rest of the answers.
    reponses = models.JSONField(_("réponses"), default=dict, blank=True)
    etape_courante = models.CharField(max_length=40, blank=True)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    depose_le = models.DateTimeField(_("déposé le"), null=True, blank=True)
    verrou = models.PositiveIntegerField(default=0, help_text="Optimistic lock: +1 at each write.")

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["dispositif", "etat"]),
            models.Index(fields=["etat", "depose_le"]),
            models.Index(fields=["departement", "etat"]),
            models.Index(fields=["montant_demande"]),
            models.Index(fields=["siret"]),
            models.Index(fields=["demandeur", "etat"]),
            models.Index(fields=["tiers", "etat"]),
            models.Index(fields=["instructeur", "etat"]),
            # Commune filter (queue, agent and applicant APIs), in the queue's order.
            models.Index(fields=["commune", "-depose_le", "-id"], name="dossier_commune_depose"),
        ]

    def __str__(self) -> str:
        return self.numero or f"Brouillon n° {self.pk}"

    def colonnes(self) -> dict:
        return {
            "demandeur_type": self.demandeur_type,
            "siret": self.siret,
            "commune": self.commune,
            "montant_demande": self.montant_demande,
            "cout_total": self.cout_total,
            "date_debut": self.date_debut,
            "date_fin": self.date_fin,
        }

    def answers(self) -> dict:
        """All answers as JSON, trunk columns merged back (what the engine validates)."""
        from dispositifs.engine.storage import merge_answers

        return merge_answers(self.colonnes(), self.reponses)


def piece_upload_to(instance, filename: str) -> str:
    return f"dossiers/{instance.dossier_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class StatutPiece(models.TextChoices):
    A_VERIFIER = "a_verifier", _("À vérifier")
    VALIDE = "valide", _("Valide")
    A_REMPLACER = "a_remplacer", _("À remplacer")


class Piece(models.Model):
    """A document attached to a dossier (uploaded at its step or taken from the digital safe)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pieces")
    code = models.SlugField(_("pièce"), max_length=40)
    fichier = models.FileField(_("fichier"), upload_to=piece_upload_to, max_length=300)
    nom = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(default=0)
    type_contenu = models.CharField(max_length=10, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    document_coffre = models.ForeignKey(
        "mdna.DocumentCoffre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statut = models.CharField(
        max_length=12, choices=StatutPiece.choices, default=StatutPiece.A_VERIFIER
    )
    motif = models.CharField(_("motif"), max_length=500, blank=True)
    remplacee_par = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    depose_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    depose_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-depose_le"]
        verbose_name = _("pièce")
        indexes = [models.Index(fields=["dossier", "code"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.nom}"

    def reference(self) -> dict:
        return {"piece_id": self.pk, "nom": self.nom}


class EvenementDossier(models.Model):
    """The dossier's timeline: what happened, in plain language. Internal notes are never
    shown to the applicant (visible_usager=False)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="evenements")
    type = models.CharField(max_length=40)
    titre = models.CharField(max_length=255)
    detail = models.TextField(blank=True)
    etat_avant = models.CharField(max_length=20, blank=True)
    etat_apres = models.CharField(max_length=20, blank=True)
    auteur = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visible_usager = models.BooleanField(default=True)
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cree_le", "id"]
        indexes = [models.Index(fields=["dossier", "cree_le"])]

    def __str__(self) -> str:
        return self.titre


class Message(models.Model):
    """A message between the applicant and the instructing service about one dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="messages")
    auteur = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    de_la_region = models.BooleanField(default=False)
    texte = models.TextField(_("message"))
    piece_jointe = models.FileField(upload_to=piece_upload_to, blank=True, max_length=300)
    nom_piece_jointe = models.CharField(max_length=255, blank=True)
    envoye_le = models.DateTimeField(default=timezone.now)
    lu_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["envoye_le", "id"]
        indexes = [models.Index(fields=["dossier", "envoye_le"])]

    def __str__(self) -> str:
        return f"{self.auteur} — {self.envoye_le:%d/%m/%Y}"


class PreferencesAlertes(models.Model):
    """What an applicant wants to be told about (personalised alerts, sent daily by beat)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preferences_alertes")
    nouveaux_dispositifs = models.BooleanField(
        _("nouvelles aides qui correspondent à mes organisations"), default=True
    )
    clotures_proches = models.BooleanField(
        _("appels à projets qui ferment dans 7 jours"), default=True
    )
    documents_expirant = models.BooleanField(
        _("documents de mon coffre-fort qui vont expirer"), default=True
    )
    derniere_alerte = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("préférences d'alertes")

    def __str__(self) -> str:
        return f"Alertes de {self.user}"
