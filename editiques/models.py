"""Issued documents (immutable once rendered), their signed copies, batches, batch downloads,
and the per-scheme text overrides written by administrators."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editiques import catalogue
from mdna.models import Service, Tiers, User


class DocumentFige(PermissionDenied):
    """A rendered document is never changed nor deleted: issue a corrected version instead."""


class CompteurDocument(models.Model):
    """Gapless numbering per year and type (``2026-ARR``), taken under a row lock."""

    cle = models.CharField(max_length=20, unique=True)
    valeur = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de documents")

    def __str__(self) -> str:
        return f"{self.cle} = {self.valeur}"


class Lot(models.Model):
    """Documents requested together (a commission's decision letters): progress is read from
    the database, so any web node can show it while workers render."""

    libelle = models.CharField(_("libellé"), max_length=255)
    type = models.CharField(_("type"), max_length=40, choices=catalogue.CHOICES)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.PositiveIntegerField(_("documents"), default=0)
    cree_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    lance_le = models.DateTimeField(_("lancé le"), null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("lot de documents")
        verbose_name_plural = _("lots de documents")

    def __str__(self) -> str:
        return self.libelle

    def progression(self) -> dict:
        counts = dict(
            self.documents.values_list("statut").annotate(n=models.Count("id")).order_by()
        )
        rendus = counts.get(Statut.RENDU, 0)
        echecs = counts.get(Statut.ECHEC, 0)
        en_attente = counts.get(Statut.EN_ATTENTE, 0)
        total = self.total or (rendus + echecs + en_attente)
        return {
            "total": total,
            "rendus": rendus,
            "echecs": echecs,
            "en_attente": en_attente,
            "pourcentage": round(100 * rendus / total) if total else 100,
            "termine": en_attente == 0,
        }


class Statut(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente de rendu")
    RENDU = "rendu", _("Rendu")
    ECHEC = "echec", _("Échec du rendu")


# What a rendered document may never change (the file, its fingerprint and what it says).
CHAMPS_FIGES = (
    "type",
    "numero",
    "version",
    "remplace_id",
    "dossier_id",
    "tiers_id",
    "cle_evenement",
    "fichier",
    "sha256",
    "taille",
    "modele",
    "modele_version",
    "surcharge_id",
    "donnees",
    "statut",
    "rendu_le",
)


class DocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        figes = {f.removesuffix("_id") for f in CHAMPS_FIGES}
        if {k.removesuffix("_id") for k in kwargs} & figes and self.filter(
            statut=Statut.RENDU
        ).exists():
            raise DocumentFige("Un document rendu ne se modifie pas : émettez une correction.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(statut=Statut.RENDU).exists():
            raise DocumentFige("Un document rendu ne se supprime pas.")
        return super().delete()

    def rendus(self):
        return self.filter(statut=Statut.RENDU)


def document_upload_to(instance: Document, filename: str) -> str:
    annee, prefixe, _ = instance.numero.split("-", 2)
    return f"editiques/{annee}/{prefixe}/{filename}"


class Document(models.Model):
    """One issued document. The number is taken when the document is requested (in the
    transaction of the event), the PDF is rendered by a worker, stored once with its sha256,
    and never changed again: a correction is a new row (version + 1) that replaces it."""

    type = models.CharField(_("type"), max_length=40, choices=catalogue.CHOICES)
    numero = models.CharField(_("numéro"), max_length=24)
    version = models.PositiveIntegerField(_("version"), default=1)
    remplace = models.OneToOneField(
        "self",
        verbose_name=_("remplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remplace_par",
    )
    dossier = models.ForeignKey(
        "dispositifs.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="editiques",
    )
    tiers = models.ForeignKey(
        Tiers, null=True, blank=True, on_delete=models.PROTECT, related_name="editiques"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service émetteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    cle_evenement = models.CharField(
        _("clé de l'événement"),
        max_length=120,
        help_text=_("Un événement ne produit jamais deux documents (tâche rejouée, double clic)."),
    )
    fichier = models.FileField(
        _("fichier"), upload_to=document_upload_to, max_length=300, blank=True
    )
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    taille = models.PositiveBigIntegerField(_("taille"), default=0)
    modele = models.CharField(_("modèle"), max_length=120)
    modele_version = models.CharField(_("version du modèle"), max_length=64, blank=True)
    surcharge = models.ForeignKey(
        "ModeleSurcharge",
        verbose_name=_("texte propre au dispositif"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    donnees = models.JSONField(_("données"), default=dict, encoder=DjangoJSONEncoder)
    statut = models.CharField(
        _("statut"), max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE
    )
    erreur = models.TextField(_("erreur"), blank=True)
    tentatives = models.PositiveIntegerField(_("tentatives"), default=0)
    demande_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coffre = models.ForeignKey(
        "mdna.DocumentCoffre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(_("demandé le"), default=timezone.now)
    rendu_le = models.DateTimeField(_("rendu le"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-id"]
        verbose_name = _("document émis")
        verbose_name_plural = _("documents émis")
        indexes = [
            models.Index(fields=["statut", "cree_le"]),
            models.Index(fields=["type", "cree_le"]),
            models.Index(fields=["lot", "statut"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cle_evenement", "version"], name="editique_un_document_par_evenement"
            ),
            models.UniqueConstraint(fields=["numero", "version"], name="editique_numero_version"),
            models.CheckConstraint(
                condition=models.Q(version=1, remplace__isnull=True)
                | models.Q(version__gt=1, remplace__isnull=False),
                name="editique_version_remplace",
            ),
            models.CheckConstraint(
                condition=~models.Q(statut="rendu") | ~models.Q(sha256=""),
                name="editique_rendu_a_une_empreinte",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.titre}"

    @property
    def definition(self) -> catalogue.TypeEditique:
        return catalogue.get(self.type)

    @property
    def titre(self) -> str:
        return self.definition.titre

    @property
    def reference(self) -> str:
        return self.numero if self.version == 1 else f"{self.numero} v{self.version}"

    @property
    def nom_fichier(self) -> str:
        suffixe = "" if self.version == 1 else f"-v{self.version}"
        return f"{self.numero}{suffixe}.pdf"

    @property
    def est_rendu(self) -> bool:
        return self.statut == Statut.RENDU

    def service_proprietaire_id(self) -> int | None:
        if self.dossier_id:
            return self.dossier.dispositif.service_id
        return self.service_id

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            avant = Document.objects.filter(pk=self.pk).values(*CHAMPS_FIGES).first()
            if avant and avant["statut"] == Statut.RENDU:
                apres = {name: getattr(self, name) for name in CHAMPS_FIGES}
                apres["fichier"] = self.fichier.name or ""
                changes = [n for n in CHAMPS_FIGES if _canon(apres[n]) != _canon(avant[n])]
                if changes:
                    raise DocumentFige(
                        "Un document rendu ne se modifie pas "
                        f"({', '.join(changes)}) : émettez une version corrigée."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Document.objects.filter(pk=self.pk, statut=Statut.RENDU).exists():
            raise DocumentFige("Un document rendu ne se supprime pas.")
        return super().delete(*args, **kwargs)


def _canon(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)


class CopieSignee(models.Model):
    """The signed copy of an arrêté or a convention (scanned, or signed elsewhere), kept beside
    the generated original — never in its place."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="copies_signees")
    fichier = models.FileField(_("fichier"), upload_to="editiques/signes/%Y/%m/", max_length=300)
    nom = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    deposee_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    deposee_le = models.DateTimeField(_("déposée le"), default=timezone.now)

    class Meta:
        ordering = ["-deposee_le", "-id"]
        verbose_name = _("copie signée")
        verbose_name_plural = _("copies signées")

    def __str__(self) -> str:
        return f"{self.document.reference} — copie signée du {self.deposee_le:%d/%m/%Y}"


class FormatAssemblage(models.TextChoices):
    ZIP = "zip", _("Archive ZIP (un PDF par document)")
    PDF = "pdf", _("Un seul PDF (documents à la suite)")


class StatutAssemblage(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    PRET = "pret", _("Prêt")
    ECHEC = "echec", _("Échec")


class Assemblage(models.Model):
    """The documents of a batch or of a selection, as one ZIP or one merged PDF, built by a
    worker (progress in ``faits`` / ``total``), stored and downloadable again."""

    format = models.CharField(_("format"), max_length=3, choices=FormatAssemblage.choices)
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="assemblages"
    )
    documents = models.ManyToManyField(Document, related_name="+")
    statut = models.CharField(
        max_length=12, choices=StatutAssemblage.choices, default=StatutAssemblage.EN_ATTENTE
    )
    total = models.PositiveIntegerField(default=0)
    faits = models.PositiveIntegerField(default=0)
    fichier = models.FileField(upload_to="editiques/assemblages/%Y/%m/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    taille = models.PositiveBigIntegerField(default=0)
    erreur = models.TextField(blank=True)
    cree_par = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = _("téléchargement groupé")
        verbose_name_plural = _("téléchargements groupés")

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.total} documents ({self.cree_le:%d/%m/%Y})"

    @property
    def pourcentage(self) -> int:
        return round(100 * self.faits / self.total) if self.total else 100

    @property
    def nom_fichier(self) -> str:
        base = f"lot-{self.lot_id}" if self.lot_id else f"selection-{self.pk}"
        return f"documents-{base}.{self.format}"


class ModeleSurcharge(models.Model):
    """An administrator's own text for one letter type of one scheme. Append-only: each change
    is a new version; the highest version is the one in force (an empty body goes back to the
    Region's standard text). The body is a restricted template (see editiques/surcharges.py)."""

    dispositif = models.ForeignKey(
        "dispositifs.Dispositif", on_delete=models.PROTECT, related_name="surcharges_courrier"
    )
    type = models.CharField(_("type de courrier"), max_length=40, choices=catalogue.CHOICES)
    version = models.PositiveIntegerField(_("version"), default=1)
    corps = models.TextField(
        _("texte du courrier"),
        blank=True,
        help_text=_(
            "Remplace le corps du courrier (ce qui est décidé, pourquoi, la suite). "
            "L'en-tête, la référence, les voies de recours et la signature restent ceux de la "
            "Région. Laisser vide pour revenir au texte standard."
        ),
    )
    cree_par = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        ordering = ["dispositif", "type", "-version"]
        verbose_name = _("texte de courrier propre à un dispositif")
        verbose_name_plural = _("textes de courrier propres aux dispositifs")
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "type", "version"], name="surcharge_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispositif} — {self.get_type_display()} (version {self.version})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Un texte enregistré ne se modifie pas : créez une version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Les versions d'un texte sont conservées.")
