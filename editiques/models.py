"""The Region's official documents (éditiques): requested in the caller's transaction, rendered
by a Celery worker, stored once and never overwritten (a correction is a new version)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TypeDocument(models.TextChoices):
    ACCUSE_DEPOT = "accuse_depot", _("Accusé de réception de la demande")
    ACCUSE_COMPLETUDE = "accuse_completude", _("Accusé de dossier complet")
    DEMANDE_PIECES = "demande_pieces", _("Demande de pièces")
    RELANCE = "relance", _("Relance")
    IRRECEVABILITE = "irrecevabilite", _("Notification d'irrecevabilité")
    REFUS = "refus", _("Lettre de refus")
    ARRETE_ATTRIBUTIF = "arrete_attributif", _("Arrêté attributif")
    CONVENTION = "convention", _("Convention")
    NOTIFICATION_ATTRIBUTION = "notification_attribution", _("Notification d'attribution")
    AVENANT = "avenant", _("Avenant")
    AVIS_PAIEMENT = "avis_paiement", _("Avis de paiement")
    MANDAT = "mandat", _("Mandat de paiement")
    BORDEREAU = "bordereau", _("Bordereau de mandats")
    CADUCITE = "caducite", _("Lettre de caducité")
    ORDRE_REVERSEMENT = "ordre_reversement", _("Ordre de reversement")
    RAPPORT_COMMISSION = "rapport_commission", _("Rapport de commission")


class Statut(models.TextChoices):
    DEMANDE = "demande", _("Demandé")
    RENDU = "rendu", _("Émis")
    ECHEC = "echec", _("Échec du rendu")


def document_upload_to(instance, filename: str) -> str:
    return f"editiques/{instance.annee}/{instance.type}/{filename}"


def copie_upload_to(instance, filename: str) -> str:
    doc = instance.document
    return f"editiques/{doc.annee}/{doc.type}/signes/{filename}"


def lot_upload_to(instance, filename: str) -> str:
    return f"editiques/lots/{instance.pk}/{filename}"


class Compteur(models.Model):
    """Numbering of documents per type and year, gapless: the counter row is locked and
    incremented in the caller's transaction, so a rollback gives the number back."""

    type = models.CharField(max_length=30, choices=TypeDocument.choices)
    annee = models.PositiveIntegerField()
    dernier = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "annee"], name="editiques_compteur_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.annee} : {self.dernier}"


class LotDocuments(models.Model):
    """A batch of documents (e.g. the decision letters after a commission vote)."""

    libelle = models.CharField(_("libellé"), max_length=255)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    # Batch download (ZIP or merged PDF), built in Celery.
    archive_format = models.CharField(max_length=4, blank=True)
    archive = models.FileField(upload_to=lot_upload_to, max_length=300, blank=True)
    archive_statut = models.CharField(max_length=10, blank=True)
    archive_progression = models.PositiveIntegerField(default=0)
    # A selection of already issued documents (batch download), besides the lot's own ones.
    selection = models.ManyToManyField("Document", blank=True, related_name="selections")

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("lot de documents")
        verbose_name_plural = _("lots de documents")

    def __str__(self) -> str:
        return self.libelle

    def tous(self) -> models.QuerySet:
        """The lot's documents: those requested in it and those selected into it."""
        return Document.objects.filter(
            models.Q(lot=self) | models.Q(pk__in=self.selection.values("pk"))
        )

    def _compte(self, statut: str | None = None) -> int:
        qs = self.tous()
        return qs.filter(statut=statut).count() if statut else qs.count()

    @property
    def total(self) -> int:
        return self._compte()

    @property
    def rendus(self) -> int:
        return self._compte(Statut.RENDU)

    @property
    def echecs(self) -> int:
        return self._compte(Statut.ECHEC)

    def progression(self) -> dict:
        counts = dict(self.tous().values_list("statut").annotate(n=models.Count("id")).order_by())
        total = sum(counts.values())
        rendus = counts.get(Statut.RENDU, 0)
        echecs = counts.get(Statut.ECHEC, 0)
        return {
            "total": total,
            "rendus": rendus,
            "echecs": echecs,
            "en_attente": total - rendus - echecs,
            "pourcentage": round(100 * (rendus + echecs) / total) if total else 100,
        }


class Document(models.Model):
    """One issued document. The file, its hash and the data snapshot are written once by the
    renderer; a correction is a new row (version + 1) that points to the one it replaces."""

    type = models.CharField(_("type"), max_length=30, choices=TypeDocument.choices)
    numero = models.CharField(_("numéro"), max_length=40, unique=True)
    annee = models.PositiveIntegerField(_("année"))
    cle_evenement = models.CharField(_("événement"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    remplace = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remplace_par",
        verbose_name=_("remplace"),
    )
    motif_correction = models.TextField(_("motif de la correction"), blank=True)
    dossier = models.ForeignKey(
        "dispositifs.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="editiques",
    )
    tiers = models.ForeignKey(
        "mdna.Tiers", null=True, blank=True, on_delete=models.PROTECT, related_name="editiques"
    )
    lot = models.ForeignKey(
        LotDocuments, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    contexte = models.JSONField(_("contexte"), default=dict, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    demande_le = models.DateTimeField(_("demandé le"), default=timezone.now)
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut.choices, default=Statut.DEMANDE
    )
    tentatives = models.PositiveIntegerField(_("tentatives"), default=0)
    erreur = models.TextField(_("erreur"), blank=True)
    # Written once, by the renderer.
    donnees = models.JSONField(_("données utilisées"), null=True, blank=True)
    gabarit_version = models.CharField(_("version du modèle"), max_length=80, blank=True)
    fichier = models.FileField(
        _("fichier"), upload_to=document_upload_to, max_length=300, blank=True
    )
    taille = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rendu_le = models.DateTimeField(_("émis le"), null=True, blank=True)
    coffre = models.OneToOneField(
        "mdna.DocumentCoffre", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-demande_le", "-id"]
        verbose_name = _("document émis")
        verbose_name_plural = _("documents émis")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "cle_evenement", "version"], name="editiques_document_evenement"
            )
        ]
        indexes = [
            models.Index(fields=["dossier", "type"]),
            models.Index(fields=["tiers", "type"]),
            models.Index(fields=["statut", "demande_le"]),
            models.Index(fields=["lot", "statut"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} n° {self.numero}"

    @property
    def nom_fichier(self) -> str:
        suffixe = f"-v{self.version}" if self.version > 1 else ""
        return f"{self.numero}{suffixe}.pdf"

    @property
    def est_remplace(self) -> bool:
        return hasattr(self, "remplace_par")


class CopieSignee(models.Model):
    """The signed copy of an arrêté or a convention, kept beside the generated original."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="copies_signees")
    fichier = models.FileField(upload_to=copie_upload_to, max_length=300)
    nom = models.CharField(max_length=255)
    taille = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deposee_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deposee_le"]
        verbose_name = _("copie signée")
        verbose_name_plural = _("copies signées")

    def __str__(self) -> str:
        return f"Copie signée de {self.document}"


class TexteSurcharge(models.Model):
    """A scheme's own wording of a letter. Never edited in place: each change is a new version;
    the latest active version applies to documents rendered afterwards."""

    dispositif = models.ForeignKey(
        "dispositifs.Dispositif", on_delete=models.PROTECT, related_name="textes_editiques"
    )
    type = models.CharField(_("type de document"), max_length=30, choices=TypeDocument.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Remplace le premier paragraphe. Variables : {{ demandeur }}, {{ dossier }}…"),
    )
    complement = models.TextField(
        _("complément"), blank=True, help_text=_("Paragraphe ajouté avant la signature.")
    )
    actif = models.BooleanField(_("actif"), default=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispositif", "type", "-version"]
        verbose_name = _("texte propre à un dispositif")
        verbose_name_plural = _("textes propres aux dispositifs")
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "type", "version"], name="editiques_surcharge_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.dispositif} (v{self.version})"


class RenduEnEchec(Document):
    """The failed renders, as their own admin screen (re-run action)."""

    class Meta:
        proxy = True
        verbose_name = _("rendu en échec")
        verbose_name_plural = _("rendus en échec")
