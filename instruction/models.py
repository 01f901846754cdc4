"""The back office: requests for pieces, internal notes, opinions, proposals, saved filters."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispositifs.models import Dossier
from mdna.models import Service, User


class DemandePieces(models.Model):
    """A request for missing pieces, with a deadline (30 days by default)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="demandes_pieces")
    pieces = models.JSONField(_("pièces demandées"), default=list)
    message = models.TextField(_("message"), blank=True)
    echeance = models.DateField(_("à fournir avant le"))
    demandee_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    demandee_le = models.DateTimeField(default=timezone.now)
    relancee_le = models.DateTimeField(null=True, blank=True)
    repondue_le = models.DateTimeField(null=True, blank=True)
    signalee_le = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Deadline passed: proposed to an agent for inadmissibility.",
    )

    class Meta:
        ordering = ["-demandee_le"]
        indexes = [models.Index(fields=["repondue_le", "echeance"])]

    def __str__(self) -> str:
        return f"{self.dossier} — avant le {self.echeance:%d/%m/%Y}"


class NoteInterne(models.Model):
    """Never shown to the applicant."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="notes")
    auteur = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    texte = models.TextField(_("note"))
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return self.texte[:60]


class SensAvis(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    RESERVE = "reserve", _("Favorable avec réserves")
    DEFAVORABLE = "defavorable", _("Défavorable")


class Avis(models.Model):
    """An opinion asked of another Service or of an expert, with a deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="avis")
    demande_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="avis"
    )
    expert = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="avis_demandes"
    )
    question = models.TextField(_("question"))
    echeance = models.DateField(_("attendu avant le"))
    demande_le = models.DateTimeField(default=timezone.now)
    sens = models.CharField(_("avis"), max_length=12, choices=SensAvis.choices, blank=True)
    reponse = models.TextField(_("réponse"), blank=True)
    rendu_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rendu_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-demande_le"]
        indexes = [models.Index(fields=["service", "rendu_le"])]

    def __str__(self) -> str:
        return f"Avis sur {self.dossier}"


class StatutProposition(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente du valideur")
    APPROUVEE = "approuvee", _("Approuvée")
    RENVOYEE = "renvoyee", _("Renvoyée à l'instructeur")


class Proposition(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="propositions")
    montant = models.DecimalField(_("montant proposé"), max_digits=14, decimal_places=2)
    sens = models.CharField(_("avis de l'instructeur"), max_length=12, choices=SensAvis.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    justification = models.TextField(_("justification"))
    auteur = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now)
    statut = models.CharField(
        max_length=12, choices=StatutProposition.choices, default=StatutProposition.EN_ATTENTE
    )
    valideur = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decidee_le = models.DateTimeField(null=True, blank=True)
    commentaire_valideur = models.TextField(blank=True)

    class Meta:
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["statut", "cree_le"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(montant__gte=0), name="proposition_montant_positif"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.montant} €"


class FiltreEnregistre(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="filtres")
    nom = models.CharField(_("nom"), max_length=100)
    parametres = models.CharField(max_length=1000)
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class FormatExport(models.TextChoices):
    CSV = "csv", _("CSV (tableur, séparateur point-virgule)")
    XLSX = "xlsx", _("Classeur Excel (XLSX)")


class StatutExport(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    TERMINE = "termine", _("Prêt à télécharger")
    ECHEC = "echec", _("Échec")


def export_upload_to(instance, filename: str) -> str:
    return f"exports/{instance.auteur_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ExportFile(models.Model):
    """An export of the filtered work queue, produced in Celery and kept privately: only its
    author downloads it again (through mdna.fichiers.servir)."""

    auteur = models.ForeignKey(User, on_delete=models.PROTECT, related_name="exports_file")
    format = models.CharField(_("format"), max_length=4, choices=FormatExport.choices)
    parametres = models.CharField(_("filtres"), max_length=1000, blank=True)
    statut = models.CharField(
        max_length=12, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE
    )
    total = models.PositiveIntegerField(default=0)
    traites = models.PositiveIntegerField(default=0)
    fichier = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    nom = models.CharField(max_length=120, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cree_le", "-id"]
        verbose_name = _("export de la file")
        verbose_name_plural = _("exports de la file")
        indexes = [models.Index(fields=["auteur", "cree_le"])]

    def __str__(self) -> str:
        return f"Export {self.get_format_display()} du {self.cree_le:%d/%m/%Y %H:%M}"

    @property
    def pourcentage(self) -> int:
        if self.statut == StatutExport.TERMINE:
            return 100
        return int(100 * self.traites / self.total) if self.total else 0


from instruction.pilotage.models import (  # noqa: E402, F401
    CompteurDossiers,
    CumulPilotage,
    DureeInstruction,
    VersementConstate,
)
from instruction.programmation.models import (  # noqa: E402, F401
    Commission,
    Enveloppe,
    EnveloppeDispositif,
    Imputation,
    LigneSimulation,
    PointOrdreDuJour,
    Simulation,
)
