"""Immutability (a correction is a new version), failures recorded and isolated, re-run from the
admin, per-scheme wording versioned with preview."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from editiques.models import Document, Statut, TexteSurcharge
from editiques.services import document_corriger, document_demander, texte_surcharger
from mdna.models import AuditEvent, DocumentCoffre
from tests.editiques.conftest import normaliser, texte_pdf

pytestmark = pytest.mark.django_db


def _demander(dossier, par, capture, type="arrete_attributif", cle="cp-1", **contexte):
    with capture(execute=True):
        document_demander(
            type=type, par=par, cle_evenement=cle, dossier=dossier, contexte=contexte or None
        )
    return Document.objects.filter(type=type, cle_evenement=cle).latest("version")


def test_a_correction_is_a_new_version_and_the_original_is_kept(
    dossier, marc, django_capture_on_commit_callbacks
):
    original = _demander(dossier, marc, django_capture_on_commit_callbacks, montant="5000")
    fichier, sha = original.fichier.name, original.sha256
    with django_capture_on_commit_callbacks(execute=True):
        corrige = document_corriger(
            document=original,
            par=marc,
            motif="Erreur de montant",
            contexte={"montant": "5500"},
        )
    corrige.refresh_from_db()
    original.refresh_from_db()
    assert (original.fichier.name, original.sha256) == (fichier, sha)  # never overwritten
    assert original.fichier.storage.exists(fichier)
    assert corrige.version == 2 and corrige.remplace == original and corrige.statut == Statut.RENDU
    assert corrige.fichier.name != fichier
    texte = normaliser(texte_pdf(corrige))
    assert f"annule et remplace le document n° {original.numero}" in texte
    assert "5 500,00 €" in texte and "cinq mille cinq cents euros" in texte
    assert "5 000,00 €" in normaliser(texte_pdf(original))
    # In the safe: the new one shown, the old one archived but kept.
    assert DocumentCoffre.objects.get(pk=original.coffre_id).archive is True
    assert DocumentCoffre.objects.get(pk=corrige.coffre_id).archive is False
    with pytest.raises(ValueError):
        document_corriger(document=original, par=marc, motif="Deuxième correction de l'ancien")


def test_the_database_refuses_two_documents_for_one_event(
    dossier, marc, django_capture_on_commit_callbacks
):
    document = _demander(dossier, marc, django_capture_on_commit_callbacks)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            type=document.type,
            cle_evenement=document.cle_evenement,
            version=1,
            numero="AR-2026-999999",
            annee=2026,
        )


def test_a_broken_letter_is_recorded_and_does_not_block_the_others(
    dossier, festivals, marc, admin_user, client, django_capture_on_commit_callbacks
):
    # A broken wording for the refusal letters of this scheme only (bypassing the admin checks).
    TexteSurcharge.objects.create(
        dispositif=festivals, type="refus", introduction="{% if %}", cree_par=marc
    )
    with django_capture_on_commit_callbacks(execute=True):
        for i, type in enumerate(["refus", "notification_attribution", "caducite"]):
            document_demander(
                type=type,
                par=marc,
                cle_evenement=f"e-{i}",
                dossier=dossier,
                contexte={"montant": "2000"},
            )
    statuts = dict(Document.objects.exclude(type="accuse_depot").values_list("type", "statut"))
    assert statuts == {
        "refus": Statut.ECHEC,
        "notification_attribution": Statut.RENDU,
        "caducite": Statut.RENDU,
    }
    casse = Document.objects.get(type="refus")
    assert "TemplateSyntaxError" in casse.erreur and casse.tentatives == 1 and not casse.fichier
    assert AuditEvent.objects.filter(action="editique.echec", target_id=str(casse.pk)).exists()

    # The admin screen lists it; once the wording is fixed, the re-run renders it.
    client.force_login(admin_user)
    liste = client.get(reverse("admin:editiques_renduenechec_changelist"))
    assert casse.numero in liste.content.decode()
    TexteSurcharge.objects.filter(dispositif=festivals).delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:editiques_renduenechec_changelist"),
            {"action": "relancer", "_selected_action": [casse.pk]},
        )
    casse.refresh_from_db()
    assert casse.statut == Statut.RENDU and casse.tentatives == 2 and casse.erreur == ""


def test_unreadable_data_fails_that_document_only(
    dossier, marc, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(
            type="arrete_attributif",
            par=marc,
            cle_evenement="a",
            dossier=dossier,
            contexte={"montant": "beaucoup"},
        )
    document = Document.objects.get(type="arrete_attributif")
    assert document.statut == Statut.ECHEC and "Montant illisible" in document.erreur


def test_scheme_wording_is_versioned_previewed_and_used(
    dossier, festivals, marc, admin_user, client, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    add = reverse("admin:editiques_textesurcharge_add")
    data = {
        "dispositif": festivals.pk,
        "type": "notification_attribution",
        "introduction": "Bravo {{ demandeur }} : votre festival est soutenu.",
        "complement": "",
    }
    assert client.post(add, data).status_code == 302
    premiere = TexteSurcharge.objects.get()
    data["introduction"] = "Félicitations {{ demandeur }} pour le dossier {{ dossier }}."
    change = reverse("admin:editiques_textesurcharge_change", args=[premiere.pk])
    assert client.post(change, data).status_code == 302
    versions = list(
        TexteSurcharge.objects.order_by("version").values_list("version", "introduction")
    )
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1].startswith("Bravo")  # the first version is kept as it was
    invalide = {**data, "introduction": "{% if %}"}
    response = client.post(add, invalide)
    assert response.status_code == 200 and "Texte invalide" in response.content.decode()

    apercu = client.get(
        reverse(
            "admin:editiques_textesurcharge_apercu",
            args=[TexteSurcharge.objects.latest("version").pk],
        )
    )
    texte = normaliser(PdfReader(io.BytesIO(apercu.content)).pages[0].extract_text())
    assert "PROJET" in texte and f"Félicitations {dossier.tiers.nom}" in texte

    document = _demander(
        dossier,
        marc,
        django_capture_on_commit_callbacks,
        type="notification_attribution",
        montant="900",
    )
    assert document.gabarit_version.endswith("+texte-v2")
    assert f"pour le dossier {dossier.numero}" in normaliser(texte_pdf(document))


def test_service_refuses_invalid_wording(festivals, marc):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        texte_surcharger(
            dispositif=festivals, type="refus", introduction="{% for %}", complement="", par=marc
        )


def test_system_check_reports_a_missing_template(monkeypatch):
    from editiques import checks, rendu

    assert checks.gabarits_presents() == []
    monkeypatch.setattr(rendu, "gabarit", lambda type: f"editiques/absent-{type}.html")
    erreurs = checks.gabarits_presents()
    assert len(erreurs) == 16 and erreurs[0].id == "editiques.E001"


def test_an_arrete_without_an_amount_is_not_issued(
    dossier, marc, django_capture_on_commit_callbacks
):
    # No amount given and no approved proposal: printing a blank amount would be wrong.
    with django_capture_on_commit_callbacks(execute=True):
        document_demander(type="arrete_attributif", par=marc, cle_evenement="a", dossier=dossier)
    document = Document.objects.get(type="arrete_attributif")
    assert document.statut == Statut.ECHEC
    assert "Données manquantes" in document.erreur and "montant" in document.erreur
