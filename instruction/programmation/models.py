"""Programming and decision: budget envelopes, the imputation of each proposed dossier on an
envelope (maintained totals), programming simulations, commission permanente sessions, agendas
and votes. See docs/programmation.md and docs/decisions/0008-consommation-des-enveloppes.md."""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispositifs.models import Dispositif, Dossier
from mdna.models import User

ZERO = Decimal("0.00")


class Enveloppe(models.Model):
    """The credits voted in the budget for one exercice and one budget line, shared by one or
    several schemes. `montant_propose` and `montant_attribue` are maintained in the same
    transaction as the proposal approval and the vote (row lock on the envelope)."""

    exercice = models.PositiveSmallIntegerField(_("exercice"))
    ligne_budgetaire = models.CharField(
        _("ligne budgétaire"),
        max_length=60,
        help_text=_("Chapitre, nature, fonction et programme, par exemple 65-6574-311-P311."),
    )
    libelle = models.CharField(_("libellé"), max_length=200)
    credits_votes = models.DecimalField(_("crédits votés"), max_digits=14, decimal_places=2)
    montant_propose = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    montant_attribue = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    dispositifs = models.ManyToManyField(
        Dispositif, through="EnveloppeDispositif", related_name="enveloppes"
    )
    cree_par = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exercice", "ligne_budgetaire"]
        verbose_name = _("enveloppe budgétaire")
        constraints = [
            models.UniqueConstraint(
                fields=["exercice", "ligne_budgetaire"], name="enveloppe_unique_par_ligne"
            ),
            models.CheckConstraint(
                condition=models.Q(credits_votes__gte=0), name="enveloppe_credits_positifs"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.exercice}, {self.ligne_budgetaire})"

    @property
    def disponible(self) -> Decimal:
        """What a vote may still grant: credits minus what is already granted."""
        return self.credits_votes - self.montant_attribue

    @property
    def restant(self) -> Decimal:
        """Credits left once the pending proposals are granted too."""
        return self.credits_votes - self.montant_attribue - self.montant_propose

    def _pourcent(self, montant: Decimal) -> Decimal:
        if not self.credits_votes:
            return Decimal(0)
        return min(Decimal(100), max(Decimal(0), montant * 100 / self.credits_votes)).quantize(
            Decimal("0.1")
        )

    @property
    def pourcent_attribue(self) -> Decimal:
        """For the gauge (SVG width, capped at 100)."""
        return self._pourcent(self.montant_attribue)

    @property
    def pourcent_propose(self) -> Decimal:
        return min(self._pourcent(self.montant_propose), 100 - self.pourcent_attribue)


class EnveloppeDispositif(models.Model):
    """A scheme draws on one envelope per exercice (unique), so a proposal knows where it goes."""

    enveloppe = models.ForeignKey(Enveloppe, on_delete=models.CASCADE, related_name="liens")
    dispositif = models.ForeignKey(Dispositif, on_delete=models.PROTECT, related_name="+")
    exercice = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "exercice"], name="un_dispositif_une_enveloppe_par_exercice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enveloppe_id} ← {self.dispositif_id} ({self.exercice})"


class StatutImputation(models.TextChoices):
    PROPOSEE = "proposee", _("Proposée")
    ATTRIBUEE = "attribuee", _("Attribuée")
    LIBEREE = "liberee", _("Libérée")
    # Lapsed grant: the unpaid part is freed, `montant` keeps only what was paid (0010, 0013).
    CADUQUE = "caduque", _("Caduque (reste libéré)")


class Imputation(models.Model):
    """What one dossier consumes on an envelope: proposed once its proposal is approved, granted
    by the vote, freed when rejected or withdrawn; a lapsed grant keeps only its paid part."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="imputation")
    enveloppe = models.ForeignKey(
        Enveloppe, null=True, blank=True, on_delete=models.PROTECT, related_name="imputations"
    )
    montant = models.DecimalField(max_digits=14, decimal_places=2)
    statut = models.CharField(
        max_length=10, choices=StatutImputation.choices, default=StatutImputation.PROPOSEE
    )
    modifiee_le = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["enveloppe", "statut"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.montant} € ({self.statut})"


class Simulation(models.Model):
    """A named what-if scenario over an envelope: which dossiers, which amounts. It never changes
    a dossier nor the envelope; it may become a commission agenda."""

    nom = models.CharField(_("nom du scénario"), max_length=120)
    enveloppe = models.ForeignKey(Enveloppe, on_delete=models.PROTECT, related_name="simulations")
    commentaire = models.TextField(_("commentaire"), blank=True)
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now)
    commission = models.ForeignKey(
        "Commission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["enveloppe", "cree_le"])]

    def __str__(self) -> str:
        return self.nom


class LigneSimulation(models.Model):
    simulation = models.ForeignKey(Simulation, on_delete=models.CASCADE, related_name="lignes")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    montant = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["dossier__numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["simulation", "dossier"], name="ligne_simulation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(montant__gte=0), name="ligne_simulation_montant_positif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.montant} €"


class StatutCommission(models.TextChoices):
    PREPARATION = "preparation", _("En préparation")
    VOTEE = "votee", _("Votée")


class Commission(models.Model):
    """A session of the commission permanente."""

    date = models.DateField(_("date de la séance"))
    libelle = models.CharField(_("libellé"), max_length=200)
    statut = models.CharField(
        max_length=12, choices=StatutCommission.choices, default=StatutCommission.PREPARATION
    )
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now)
    votee_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    votee_le = models.DateTimeField(null=True, blank=True)
    lot = models.ForeignKey(
        "editiques.LotDocuments",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The éditiques batch of the decision letters.",
    )
    depassement_motif = models.TextField(blank=True)

    class Meta:
        ordering = ["-date"]
        indexes = [models.Index(fields=["statut", "date"])]

    def __str__(self) -> str:
        return f"{self.libelle} du {self.date:%d/%m/%Y}"


class DecisionVote(models.TextChoices):
    ADOPTE = "adopte", _("Adopté")
    AJOURNE = "ajourne", _("Ajourné")
    REJETE = "rejete", _("Rejeté")


class PointOrdreDuJour(models.Model):
    """A dossier on a commission's agenda, with the amount put to the vote and its outcome."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="points")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="points_commission")
    montant = models.DecimalField(_("montant soumis au vote"), max_digits=14, decimal_places=2)
    decision = models.CharField(max_length=8, choices=DecisionVote.choices, blank=True)
    motif = models.TextField(blank=True)
    decide_le = models.DateTimeField(null=True, blank=True)
    inscrit_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    inscrit_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dossier__dispositif__nom", "dossier__numero"]
        indexes = [models.Index(fields=["commission", "decision"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(decision=""),
                name="un_seul_ordre_du_jour_ouvert_par_dossier",
            ),
            models.CheckConstraint(
                condition=models.Q(montant__gte=0), name="point_montant_positif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.montant} € ({self.decision or 'à voter'})"
