"""Every document type renders a real PDF whose text holds what the recipient checks: who it is
for, the amounts, the dates and the document number."""

from decimal import Decimal

import pytest
from pypdf import PdfReader

from editiques.catalogue import MODELES, montant_chiffres, montant_lettres
from editiques.models import Document, Statut, TypeDocument
from editiques.services import document_demander
from tests.editiques.conftest import normaliser, texte_pdf

pytestmark = pytest.mark.django_db

SANS_DOSSIER = {"bordereau", "rapport_commission"}


def _contexte(type, dossier):
    contexte = {
        "montant": "12500.00",
        "montant_initial": "10000.00",
        "montant_verse": "4000.00",
        "montant_du": "1500.00",
        "date_limite": "2027-06-30",
        "date_commission": "2026-12-04",
        "date_paiement": "2026-12-20",
        "pieces": ["Budget prévisionnel signé", "RIB au nom de l'association"],
        "echeance": "2027-01-04",
        "motif": "Le projet se déroule hors du territoire régional.",
        "mandat": "M-2026-000042",
        "bordereau": "B-2026-000007",
        "exercice": "2026",
    }
    if type in SANS_DOSSIER:
        contexte["lignes"] = [
            {
                "reference": dossier.numero,
                "beneficiaire": dossier.tiers.nom,
                "libelle": dossier.titre,
                "montant": "12500.00",
            },
            {
                "reference": "2026-FON-000999",
                "beneficiaire": "Commune de Guéret",
                "libelle": "Saison culturelle",
                "montant": "3000.50",
            },
        ]
    return contexte


@pytest.mark.parametrize("type", TypeDocument.values)
def test_every_type_renders_a_pdf_with_what_the_recipient_checks(
    type, dossier, marc, django_capture_on_commit_callbacks
):
    sans_dossier = type in SANS_DOSSIER
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(
            type=type,
            par=marc,
            cle_evenement=f"test-{type}",
            dossier=None if sans_dossier else dossier,
            tiers=None if sans_dossier else dossier.tiers,
            contexte=_contexte(type, dossier),
        )
    document = Document.objects.get(type=type, cle_evenement=f"test-{type}")
    assert document.statut == Statut.RENDU, document.erreur
    with document.fichier.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    texte = normaliser(texte_pdf(document))
    assert document.numero in texte
    assert "Les Tréteaux de la Creuse" in texte
    assert document.donnees["date_texte"] in texte  # e.g. "5 décembre 2026"
    assert "Page 1 sur" in texte
    if sans_dossier:
        assert "15 500,50 €" in texte.replace("\u202f", " ")  # the total
        assert "quinze mille cinq cents euros et cinquante centimes" in texte
    else:
        assert dossier.numero in texte
        assert normaliser(montant_chiffres(dossier.montant_demande)) in texte
    if type in ("arrete_attributif", "convention", "notification_attribution", "avenant",
                "avis_paiement", "mandat", "ordre_reversement"):  # fmt: skip
        assert "12 500,00 €" in texte
    if MODELES[type].en_lettres and not sans_dossier:
        assert "douze mille cinq cents euros" in texte
    if MODELES[type].recours:
        assert "Tribunal administratif de Bordeaux" in texte and "deux mois" in texte
    if type in ("demande_pieces", "relance"):
        assert "4 janvier 2027" in texte and "Budget prévisionnel signé" in texte


def test_archival_pdf_with_metadata(dossier, marc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(
            type="arrete_attributif",
            par=marc,
            cle_evenement="a",
            dossier=dossier,
            contexte={"montant": "800"},
        )
    document = Document.objects.get(type="arrete_attributif")
    with document.fichier.open("rb") as f:
        reader = PdfReader(f)
        catalogue = reader.trailer["/Root"]
        metadata = catalogue["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in metadata  # PDF/A identification
    assert "huit cents euros" in normaliser(texte_pdf(document))


def test_amounts_in_words_french():
    assert (
        montant_lettres(Decimal("1234.50"))
        == "mille deux cent trente-quatre euros et cinquante centimes"
    )
    assert montant_chiffres(Decimal("1234.5")) == "1\u202f234,50 €"
