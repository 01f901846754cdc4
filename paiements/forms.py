from decimal import Decimal

from django import forms
from django.conf import settings

from dispositifs.engine.fields import SniffedFileField

MONTANT = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class DemandeVersementForm(forms.Form):
    depenses_realisees = forms.DecimalField(
        label="Dépenses réalisées à ce jour (en euros)",
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text="Le total des factures acquittées pour le projet, toutes dépenses confondues.",
        error_messages={"required": "Indiquez le total des dépenses réalisées."},
    )
    recapitulatif = forms.CharField(
        label="État récapitulatif des dépenses",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Une ligne par dépense : fournisseur, objet, date, montant.",
        error_messages={"required": "Récapitulez les dépenses : une ligne par facture."},
    )
    justificatif = SniffedFileField(
        label="Justificatifs (factures acquittées, rapport)",
        required=False,
        allowed=("pdf", "jpg", "png"),
        max_bytes=settings.MDNA_UPLOAD_MAX_BYTES,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus. Regroupez vos factures dans un seul PDF.",
    )


class CertificationForm(forms.Form):
    montant = forms.DecimalField(label="Montant certifié (en euros)", **MONTANT)
    motif = forms.CharField(
        label="Motif de la réduction (lu par le demandeur)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejetForm(forms.Form):
    motif = forms.CharField(
        label="Motif du rejet (lu par le demandeur)",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif du rejet."},
    )


class ImputationForm(forms.Form):
    exercice = forms.IntegerField(label="Exercice", min_value=2000, max_value=2100)
    chapitre = forms.CharField(label="Chapitre", max_length=10)
    nature = forms.RegexField(
        label="Compte par nature",
        regex=r"^[0-9]{1,12}$",
        max_length=12,
        error_messages={"invalid": "Le compte par nature ne contient que des chiffres."},
    )
    fonction = forms.RegexField(
        label="Fonction", regex=r"^[0-9]{0,10}$", max_length=10, required=False
    )
    programme = forms.CharField(label="Programme / autorisation de programme", max_length=30)


class BeneficiaireForm(forms.Form):
    """Identity of a payee who is a natural person, as the accountant's file requires it."""

    civilite = forms.ChoiceField(
        label="Civilité",
        choices=[("", "Choisissez"), ("MME", "Madame"), ("M", "Monsieur")],
        error_messages={"required": "Choisissez la civilité : Madame ou Monsieur."},
    )
    prenom = forms.CharField(
        label="Prénom",
        max_length=38,
        error_messages={"required": "Indiquez le prénom du bénéficiaire."},
    )
    nom_famille = forms.CharField(
        label="Nom",
        max_length=38,
        error_messages={"required": "Indiquez le nom du bénéficiaire."},
    )


class AnnulationForm(forms.Form):
    montant = forms.DecimalField(label="Montant à annuler (en euros)", **MONTANT)
    motif = forms.CharField(label="Motif", max_length=200)
    rouvrir = forms.BooleanField(
        label="Le montant annulé redevient payable sur ce versement",
        help_text="Cochez si le bénéficiaire doit encore le recevoir (coordonnées bancaires "
        "erronées, erreur de montant) : il pourra le demander de nouveau. Décochez si ce "
        "montant n'est plus dû.",
        required=False,
        initial=True,
    )


class PayeForm(forms.Form):
    le = forms.DateField(
        label="Payé le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


class TitreForm(forms.Form):
    montant = forms.DecimalField(label="Montant à reverser (en euros)", **MONTANT)
    motif = forms.CharField(label="Motif (repris dans le courrier)", max_length=500)


class CaduciteForm(forms.Form):
    motif = forms.CharField(label="Motif (repris dans le courrier)", max_length=500)


class RetourForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier reçu du comptable (PES retour ou accusé de réception PES_ACQUIT, XML)",
        error_messages={"required": "Choisissez le fichier reçu du comptable."},
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > 50 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 50 Mo.")
        debut = fichier.read(200).lstrip()
        fichier.seek(0)
        if not debut.startswith(b"<"):
            raise forms.ValidationError("Ce fichier n'est pas un fichier XML.")
        return fichier
