"""The vote issues the decision letters in one batch (one letter per decision), and the
commission report is issued as a document: PDFs read back."""

import pytest
from django.urls import reverse

from editiques.models import Document, LotDocuments
from instruction.programmation import services as programmation
from tests.editiques.conftest import normaliser, texte_pdf

pytestmark = pytest.mark.django_db


def test_the_vote_issues_one_letter_per_decision_in_one_batch(
    client, proposes, seance, jeanne, django_capture_on_commit_callbacks
):
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    points = list(seance.points.order_by("dossier_id").values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        programmation.commission_voter(
            commission=seance,
            par=jeanne,
            decisions=dict(zip(points, ("adopte", "rejete", "ajourne"), strict=True)),
            motifs={points[1]: "Le projet ne concerne pas le spectacle vivant."},
        )
    lot = LotDocuments.objects.get()
    assert (lot.total, lot.rendus, lot.echecs) == (2, 2, 0)
    arrete = Document.objects.get(type="arrete_attributif")
    refus = Document.objects.get(type="refus")
    assert arrete.dossier == proposes[0] and refus.dossier == proposes[1]
    assert not Document.objects.filter(dossier=proposes[2], type__in=["arrete_attributif", "refus"])
    texte = normaliser(texte_pdf(arrete))
    assert proposes[0].numero in texte
    assert "3 000,00 €" in texte
    assert "17 décembre 2026" in texte
    assert "Le projet ne concerne pas le spectacle vivant." in normaliser(texte_pdf(refus))
    # Jeanne sees the batch's progress from the commission page.
    client.force_login(jeanne)
    page = client.get(reverse("instruction:commission", args=[seance.pk])).content.decode()
    lien = reverse("editiques:lot", args=[lot.pk])
    assert lien in page
    assert client.get(lien).status_code == 200


def test_the_commission_report_is_issued_with_its_totals(
    proposes, seance, jeanne, django_capture_on_commit_callbacks
):
    programmation.points_inscrire(commission=seance, par=jeanne, dossiers=proposes)
    with django_capture_on_commit_callbacks(execute=True):
        programmation.commission_rapport_demander(commission=seance, par=jeanne)
        programmation.commission_rapport_demander(commission=seance, par=jeanne)  # same event
    rapport = Document.objects.get(type="rapport_commission")
    assert rapport.statut == "rendu"
    texte = normaliser(texte_pdf(rapport))
    for dossier in proposes:
        assert dossier.numero in texte
    assert "12 000,00 €" in texte
    assert "Soutien aux festivals : 3 dossier(s), 12 000,00 €" in texte
    assert "65-6574-311-P311" in texte
