"""Maintained aggregates of the steering dashboard (docs/decisions/0008).

`CompteurDossiers` is kept by database triggers on the dossier table (every insert, state,
scheme, département or amount change, whatever the code path, bulk loads included).
`CumulPilotage` and `DureeInstruction` are kept by the programming services in the same
transaction as the approval, the vote and the payment."""

from django.db import models
from django.utils import timezone

from dispositifs.models import Dispositif, Dossier


class CompteurDossiers(models.Model):
    dispositif = models.ForeignKey(Dispositif, on_delete=models.CASCADE, related_name="+")
    departement = models.CharField(max_length=3, blank=True)
    etat = models.CharField(max_length=20)
    nombre = models.BigIntegerField(default=0)
    montant_demande = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "departement", "etat"], name="compteur_dossiers_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispositif_id}/{self.departement}/{self.etat}: {self.nombre}"


class CumulPilotage(models.Model):
    dispositif = models.ForeignKey(Dispositif, on_delete=models.CASCADE, related_name="+")
    departement = models.CharField(max_length=3, blank=True)
    montant_propose = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    montant_attribue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    montant_verse = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "departement"], name="cumul_pilotage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispositif_id}/{self.departement}"


class DureeInstruction(models.Model):
    """How many dossiers were decided after N days of instruction (exact median by counting)."""

    dispositif = models.ForeignKey(Dispositif, on_delete=models.CASCADE, related_name="+")
    jours = models.PositiveIntegerField()
    nombre = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispositif", "jours"], name="duree_instruction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dispositif_id}: {self.jours} j × {self.nombre}"


class VersementConstate(models.Model):
    """A payment reported by the payments app (`pilotage_versement_enregistrer`), idempotent."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    montant = models.DecimalField(max_digits=14, decimal_places=2)
    cle = models.CharField(max_length=80, unique=True)
    cree_le = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.montant} €"
