from django import forms
from django.conf import settings

from dispositifs.engine.fields import SniffedFileField
from mdna.models import TypeDocument, TypeTiers

TYPES_ORGANISATION = [(t.value, t.label) for t in TypeTiers if t != TypeTiers.PARTICULIER]


class OrganisationForm(forms.Form):
    type = forms.ChoiceField(
        label="Type d'organisation", choices=TYPES_ORGANISATION, widget=forms.RadioSelect
    )
    identifiant = forms.CharField(
        label="Numéro SIRET (ou RNA pour une association sans SIRET)",
        help_text="14 chiffres pour le SIRET, W suivi de 9 chiffres pour le RNA. Nous retrouvons le nom, l'adresse et l'activité.",
        max_length=20,
    )
    nom = forms.CharField(
        label="Nom de l'organisation",
        required=False,
        help_text="À remplir seulement si la vérification automatique n'aboutit pas.",
        max_length=255,
    )


class DocumentForm(forms.Form):
    type = forms.ChoiceField(
        label="Type de document",
        choices=[(t.value, t.label) for t in TypeDocument if t != TypeDocument.COURRIER_REGION],
    )
    fichier = SniffedFileField(
        label="Fichier",
        allowed=("pdf", "jpg", "png"),
        max_bytes=settings.MDNA_UPLOAD_MAX_BYTES,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à déposer."},
    )
    valide_jusqu_au = forms.DateField(
        label="Valable jusqu'au",
        required=False,
        help_text="Pour une attestation : sa date de fin de validité. Nous vous préviendrons avant.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MessageForm(forms.Form):
    texte = forms.CharField(
        label="Votre message", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    piece_jointe = SniffedFileField(
        label="Pièce jointe (facultatif)",
        required=False,
        allowed=("pdf", "jpg", "png"),
        max_bytes=settings.MDNA_UPLOAD_MAX_BYTES,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus.",
    )


class DesistementForm(forms.Form):
    motif = forms.CharField(
        label="Pourquoi retirez-vous votre demande ? (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    confirmation = forms.BooleanField(
        label="Je confirme retirer cette demande. Je comprends qu'elle ne sera plus instruite.",
        error_messages={"required": "Cochez la case pour confirmer le retrait."},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne à inviter")


class ConseillerForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique du conseiller",
        help_text="Le conseiller (chambre consulaire, agence de développement) doit avoir un compte de conseiller.",
    )
