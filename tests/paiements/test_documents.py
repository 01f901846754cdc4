"""The payment notice, the mandate and the bordereau are issued as PDFs (read back)."""

import datetime as dt
from decimal import Decimal

import pytest

from editiques.models import Document
from paiements import services
from tests.editiques.conftest import normaliser, texte_pdf

pytestmark = pytest.mark.django_db


def test_mandate_bordereau_and_payment_notice_pdfs(
    certifiee, paul, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mandat = services.mandat_liquider(demande=certifiee, par=paul)
    with django_capture_on_commit_callbacks(execute=True):
        bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    with django_capture_on_commit_callbacks(execute=True):
        services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 4))
    documents = {d.type: d for d in Document.objects.all()}
    assert {"mandat", "bordereau", "avis_paiement"} <= set(documents)

    texte = normaliser(texte_pdf(documents["mandat"]))
    assert f"MANDAT DE PAIEMENT N° {mandat.numero}/{mandat.exercice}" in texte
    assert "3 000,00 €" in texte and "Les Tréteaux de la Creuse" in texte
    assert "FR76 **** **** 0189" in texte  # the IBAN is masked on paper

    texte = normaliser(texte_pdf(documents["bordereau"]))
    assert f"BORDEREAU DE MANDATS N° {bordereau.numero}/{bordereau.exercice}" in texte
    assert "Total (1 mandat) 3 000,00 €" in texte

    texte = normaliser(texte_pdf(documents["avis_paiement"]))
    assert "3 000,00 €" in texte and certifiee.dossier.numero in texte
    assert documents["avis_paiement"].tiers == certifiee.dossier.tiers


def test_repayment_order_pdf(certifiee, paul, django_capture_on_commit_callbacks):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    services.bordereau_creer(mandats=[mandat], par=paul)
    services.mandat_marquer_paye(mandat=mandat, par=paul, le=dt.date(2026, 12, 4))
    with django_capture_on_commit_callbacks(execute=True):
        services.titre_emettre(
            engagement=mandat.engagement,
            par=paul,
            montant=Decimal("1200.00"),
            motif="Le festival n'a eu lieu qu'un jour sur trois.",
        )
    document = Document.objects.get(type="ordre_reversement")
    texte = normaliser(texte_pdf(document))
    assert "1 200,00 €" in texte and "qu'un jour sur trois" in texte
