"""Money of a grant: engagement, schedule, payment requests, mandates, bordereaux, exports.

Nothing here is ever deleted: a mandate is cancelled or reduced by an annulation-réduction
mandate in an annulation bordereau; an export is a new immutable file.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mdna.models import User

ZERO = Decimal("0.00")


def _montant(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)


class Compteur(models.Model):
    """A gapless counter per (kind, exercice), taken under ``select_for_update``."""

    type = models.CharField(max_length=20)
    exercice = models.PositiveSmallIntegerField()
    valeur = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "exercice"], name="paiements_compteur_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.exercice} = {self.valeur}"


class Civilite(models.TextChoices):
    MADAME = "MME", _("Madame")
    MONSIEUR = "M", _("Monsieur")


class Engagement(models.Model):
    """The legal and accounting commitment of a granted aid, with its budget imputation."""

    dossier = models.OneToOneField(
        "dispositifs.Dossier", on_delete=models.PROTECT, related_name="engagement"
    )
    montant = _montant(_("montant engagé"))
    exercice = models.PositiveSmallIntegerField(_("exercice"))
    chapitre = models.CharField(_("chapitre"), max_length=10)
    nature = models.CharField(_("compte par nature"), max_length=12)
    fonction = models.CharField(_("fonction"), max_length=10, blank=True)
    programme = models.CharField(_("programme / autorisation de programme"), max_length=30)
    section = models.CharField(
        _("section"),
        max_length=2,
        choices=[("01", _("Fonctionnement")), ("02", _("Investissement"))],
        default="01",
    )
    date_limite = models.DateField(_("date limite de première demande de versement"))
    # A natural person as payee (PES V2: Civilite, Prenom and Nom are required for CatTiers 01).
    # Kept by finance staff on the engagement, the accounting record of the payee.
    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite.choices, blank=True)
    prenom = models.CharField(_("prénom"), max_length=38, blank=True)
    nom_famille = models.CharField(_("nom"), max_length=38, blank=True)
    caducite_signalee_le = models.DateTimeField(null=True, blank=True)
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("engagement")
        indexes = [models.Index(fields=["date_limite", "caducite_signalee_le"])]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="engagement_montant_positif")
        ]

    def __str__(self) -> str:
        return f"Engagement {self.dossier} — {self.montant} €"


class Echeance(models.Model):
    """One instalment of the schedule (avance, acompte, solde). Amounts sum to the engagement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="echeances")
    rang = models.PositiveSmallIntegerField()
    libelle = models.CharField(max_length=100)
    pourcentage = models.DecimalField(max_digits=5, decimal_places=2)
    declencheur = models.CharField(max_length=40, blank=True)
    montant = _montant(_("montant"))
    # Incremented by each annulation-réduction that makes an amount payable again: a new
    # payment request of the next round is then possible (decision 0014).
    reouvertures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "rang"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "rang"], name="echeance_rang_unique"),
            models.CheckConstraint(condition=Q(montant__gte=0), name="echeance_montant_positif"),
        ]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.montant} €)"


class StatutDemande(models.TextChoices):
    DEPOSEE = "deposee", _("En vérification par le service")
    CERTIFIEE = "certifiee", _("Service fait certifié, paiement en préparation")
    REJETEE = "rejetee", _("Rejetée")
    MANDATEE = "mandatee", _("Mandat émis, paiement en cours")
    PAYEE = "payee", _("Payée")
    ANNULEE = "annulee", _("Mandat annulé")


DEMANDE_ACTIVES = [
    StatutDemande.DEPOSEE,
    StatutDemande.CERTIFIEE,
    StatutDemande.MANDATEE,
    StatutDemande.PAYEE,
]


class DemandeVersement(models.Model):
    """A payment request by the applicant for one instalment, with the summary of expenses."""

    echeance = models.ForeignKey(Echeance, on_delete=models.PROTECT, related_name="demandes")
    dossier = models.ForeignKey(
        "dispositifs.Dossier", on_delete=models.PROTECT, related_name="demandes_versement"
    )
    montant_echeance = _montant(_("montant de l'échéance"))
    reouverture = models.PositiveSmallIntegerField(default=0)
    depenses_prevues = _montant(_("dépenses prévues"))
    depenses_realisees = _montant(_("dépenses réalisées"))
    recapitulatif = models.TextField(_("état récapitulatif des dépenses"))
    statut = models.CharField(
        max_length=12, choices=StatutDemande.choices, default=StatutDemande.DEPOSEE
    )
    montant_certifie = _montant(_("montant certifié"), null=True, blank=True)
    motif = models.TextField(_("motif (réduction ou rejet)"), blank=True)
    deposee_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    deposee_le = models.DateTimeField(auto_now_add=True)
    certifiee_par = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    certifiee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deposee_le"]
        indexes = [
            models.Index(fields=["statut", "certifiee_le"]),
            models.Index(fields=["dossier", "statut"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["echeance", "reouverture"],
                condition=Q(statut__in=DEMANDE_ACTIVES),
                name="demande_une_seule_active_par_echeance_et_reouverture",
            ),
            models.CheckConstraint(
                condition=Q(montant_certifie__isnull=True)
                | Q(montant_certifie__gt=0, montant_certifie__lte=models.F("montant_echeance")),
                name="demande_certifie_dans_echeance",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande de versement {self.pk} — {self.dossier}"


def justificatif_upload_to(instance, filename: str) -> str:
    return f"versements/{instance.demande.dossier_id}/{instance.demande_id}/{filename}"


class Justificatif(models.Model):
    demande = models.ForeignKey(
        DemandeVersement, on_delete=models.PROTECT, related_name="justificatifs"
    )
    fichier = models.FileField(upload_to=justificatif_upload_to, max_length=300)
    nom = models.CharField(max_length=255)
    type_contenu = models.CharField(max_length=10)
    taille = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.nom


class TypeBordereau(models.TextChoices):
    ORDINAIRE = "01", _("Ordinaire")
    ANNULATION = "02", _("Annulation-réduction")


class Acquit(models.TextChoices):
    """What the accountant's acknowledgement (PES_ACQUIT) said about an export or a bordereau."""

    ACCEPTE = "accepte", _("Accepté par le comptable")
    REJETE = "rejete", _("Rejeté par le comptable")


class Bordereau(models.Model):
    """A numbered batch of mandates of one exercice (gapless numbering, both types together)."""

    exercice = models.PositiveSmallIntegerField()
    numero = models.PositiveIntegerField()
    type = models.CharField(max_length=2, choices=TypeBordereau.choices)
    date_emission = models.DateField()
    nombre_mandats = models.PositiveIntegerField()
    montant_total = _montant(_("montant total"))
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    acquit = models.CharField(max_length=8, choices=Acquit.choices, blank=True)
    acquit_motifs = models.JSONField(default=list, blank=True)
    acquit_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-exercice", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["exercice", "numero"], name="bordereau_numero_unique")
        ]

    def __str__(self) -> str:
        return f"Bordereau {self.numero}/{self.exercice}"


class StatutMandat(models.TextChoices):
    EMIS = "emis", _("Émis")
    PAYE = "paye", _("Payé")
    REJETE = "rejete", _("Rejeté par le comptable")


class Mandat(models.Model):
    """A payment order (or an annulation-réduction of one), numbered per exercice, gapless,
    with a snapshot of the payee and their bank account at the time of issue."""

    exercice = models.PositiveSmallIntegerField()
    numero = models.PositiveIntegerField()
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="mandats")
    demande = models.OneToOneField(
        DemandeVersement, on_delete=models.PROTECT, null=True, blank=True, related_name="mandat"
    )
    origine = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="annulations"
    )
    bordereau = models.ForeignKey(
        Bordereau, on_delete=models.PROTECT, null=True, blank=True, related_name="mandats"
    )
    objet = models.CharField(max_length=255)
    montant = _montant(_("montant"))
    plafond = _montant(_("montant maximal (échéance ou mandat d'origine)"))
    date_emission = models.DateField()
    statut = models.CharField(max_length=8, choices=StatutMandat.choices, default=StatutMandat.EMIS)
    paye_le = models.DateField(null=True, blank=True)
    # An annulation-réduction whose amount becomes payable again on the instalment.
    rouvre = models.BooleanField(default=False)
    # Payee snapshot.
    tiers = models.ForeignKey("mdna.Tiers", on_delete=models.PROTECT, related_name="mandats")
    tiers_nom = models.CharField(max_length=255)
    tiers_siret = models.CharField(max_length=14, blank=True)
    tiers_type = models.CharField(max_length=24)
    tiers_adresse = models.CharField(max_length=255, blank=True)
    tiers_code_postal = models.CharField(max_length=10, blank=True)
    tiers_ville = models.CharField(max_length=100, blank=True)
    tiers_titulaire = models.CharField(max_length=255, blank=True)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-exercice", "-numero"]
        indexes = [
            models.Index(fields=["bordereau", "numero"]),
            models.Index(fields=["statut", "exercice"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["exercice", "numero"], name="mandat_numero_unique"),
            models.CheckConstraint(condition=Q(montant__gt=0), name="mandat_montant_positif"),
            models.CheckConstraint(
                condition=Q(montant__lte=models.F("plafond")), name="mandat_dans_le_plafond"
            ),
            models.CheckConstraint(
                condition=Q(demande__isnull=False, origine__isnull=True)
                | Q(demande__isnull=True, origine__isnull=False),
                name="mandat_ordinaire_ou_annulation",
            ),
        ]

    def __str__(self) -> str:
        return f"Mandat {self.numero}/{self.exercice}"

    @property
    def est_annulation(self) -> bool:
        return self.origine_id is not None


class LigneMandat(models.Model):
    mandat = models.ForeignKey(Mandat, on_delete=models.PROTECT, related_name="lignes")
    numero = models.PositiveSmallIntegerField()
    libelle = models.CharField(max_length=255)
    montant = _montant(_("montant"))
    nature = models.CharField(max_length=12)
    fonction = models.CharField(max_length=10, blank=True)
    chapitre = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["mandat", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["mandat", "numero"], name="ligne_mandat_unique"),
            models.CheckConstraint(condition=Q(montant__gt=0), name="ligne_montant_positif"),
        ]

    def __str__(self) -> str:
        return f"{self.mandat} ligne {self.numero}"


class FormatExport(models.TextChoices):
    PES = "pes", _("PES V2 (comptable public)")
    SEPA = "sepa", _("SEPA pain.001 (virements)")
    CSV = "csv", _("CSV (tableur, logiciel financier)")


class StatutExport(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En préparation")
    PRET = "pret", _("Prêt à télécharger")
    INVALIDE = "invalide", _("Non conforme : non proposé")


def export_upload_to(instance, filename: str) -> str:
    return f"exports/{instance.cree_le:%Y/%m}/{filename}"


class Export(models.Model):
    """A file built once by a Celery task; never overwritten (a new export is a new row)."""

    format = models.CharField(max_length=4, choices=FormatExport.choices)
    bordereaux = models.ManyToManyField(Bordereau, related_name="exports")
    statut = models.CharField(
        max_length=12, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE
    )
    fichier = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    nom = models.CharField(max_length=120, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    taille = models.PositiveIntegerField(default=0)
    erreurs = models.JSONField(default=list, blank=True)
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    termine_le = models.DateTimeField(null=True, blank=True)
    acquit = models.CharField(max_length=8, choices=Acquit.choices, blank=True)
    acquit_motifs = models.JSONField(default=list, blank=True)
    acquit_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["statut", "cree_le"])]

    def __str__(self) -> str:
        return self.nom or f"Export {self.pk}"


def retour_upload_to(instance, filename: str) -> str:
    return f"retours/{instance.importe_le:%Y/%m}/{filename}"


class NatureRetour(models.TextChoices):
    RETOUR = "retour", _("PES retour (paiements)")
    ACQUIT = "acquit", _("Accusé de réception (acquit)")


class RetourComptable(models.Model):
    """A file of the public accountant, kept as received: a PES_Retour (domaine dépense) or the
    acknowledgement (PES_ACQUIT) of an exported PES_Aller."""

    nature = models.CharField(
        max_length=8, choices=NatureRetour.choices, default=NatureRetour.RETOUR
    )
    fichier = models.FileField(upload_to=retour_upload_to, max_length=300)
    nom = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    mandats_payes = models.PositiveIntegerField(default=0)
    acceptes = models.PositiveIntegerField(default=0)
    rejetes = models.PositiveIntegerField(default=0)
    anomalies = models.JSONField(default=list, blank=True)
    importe_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    importe_le = models.DateTimeField()

    class Meta:
        ordering = ["-importe_le"]

    def __str__(self) -> str:
        return self.nom


class TitreRecette(models.Model):
    """An order to pay back (ordre de reversement) what was paid beyond what is due."""

    exercice = models.PositiveSmallIntegerField()
    numero = models.PositiveIntegerField()
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="titres")
    montant = _montant(_("montant à reverser"))
    motif = models.TextField()
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cree_le"]
        constraints = [
            models.UniqueConstraint(fields=["exercice", "numero"], name="titre_numero_unique"),
            models.CheckConstraint(condition=Q(montant__gt=0), name="titre_montant_positif"),
        ]

    def __str__(self) -> str:
        return f"Titre de recettes {self.numero}/{self.exercice}"
