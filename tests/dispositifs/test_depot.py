"""Filing a request through the wizard: drafts in the database, pieces, recap, idempotent submit."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dispositifs.depot import services
from dispositifs.engine.forms import form_data, step_keys
from dispositifs.models import Compteur, Dossier, Etat
from mdna.models import Adhesion, AuditEvent, DocumentCoffre, Notification, RoleAdhesion, Tiers
from tests.dispositifs.answers import valid_answers
from tests.factories import DispositifFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
)


def pdf(name="document.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def claire():
    return UserFactory(email="claire@festival.fr", first_name="Claire")


@pytest.fixture
def association(claire):
    tiers = Tiers.objects.create(
        type="association",
        nom="Les Tréteaux de la Creuse",
        siret="73282932000074",
        rna="W872001234",
        adresse={"ligne": "2 rue des Arts", "code_postal": "23000", "commune": "Guéret"},
        email="contact@treteaux.fr",
        telephone="05 55 12 34 56",
        representant="Claire Vidal, trésorière",
    )
    Adhesion.objects.create(user=claire, tiers=tiers, role=RoleAdhesion.PROPRIETAIRE)
    return tiers


@pytest.fixture
def festivals():
    return DispositifFactory(publie=True, slug="soutien-aux-festivals", nom="Soutien aux festivals")


def post_step(client, dossier, step_key, answers, files=None):
    schema = dossier.version.schema
    step = next(s for s in schema["steps"] if s["key"] == step_key)
    data, _ = form_data(step, answers)
    payload = {f"{step_key}-{k}": v for k, v in data.lists()}
    payload = {k: v[0] if len(v) == 1 else v for k, v in payload.items()}
    payload[f"depot_{dossier.pk}-current_step"] = step_key
    payload.update({f"{step_key}-{k}": f for k, f in (files or {}).items()})
    return client.post(reverse("depot:etape", args=[dossier.pk, step_key]), payload)


def walk_the_wizard(client, dossier, answers):
    schema = dossier.version.schema
    for key in step_keys(schema):
        files = None
        if key == "pieces":
            files = {
                f["key"]: pdf(f"{f['key']}.pdf")
                for f in next(s for s in schema["steps"] if s["key"] == key)["fields"]
            }
        response = post_step(client, dossier, key, answers, files)
        assert response.status_code == 302, (key, response.content.decode()[:3000])
    return response


def test_claire_files_a_request_from_start_to_number(
    client, claire, association, festivals, django_capture_on_commit_callbacks
):
    client.force_login(claire)
    page = client.get(reverse("depot:nouvelle", args=[festivals.slug]))
    assert "Les Tréteaux de la Creuse" in page.content.decode()
    response = client.post(
        reverse("depot:nouvelle", args=[festivals.slug]), {"tiers": association.pk}
    )
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("depot:etape", args=[dossier.pk, "demandeur"])
    assert dossier.etat == Etat.BROUILLON and dossier.version == festivals.version_courante

    # The trunk is prefilled from the association: nothing to retype.
    first = client.get(response["Location"]).content.decode()
    assert 'value="73282932000074"' in first and "Claire Vidal, trésorière" in first

    answers = valid_answers(dossier.version.schema)
    answers["demandeur_type"] = "association"
    last = walk_the_wizard(client, dossier, answers)
    assert last["Location"] == reverse("depot:recapitulatif", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.pieces.count() == 2
    assert dossier.montant_demande is not None and dossier.commune

    recap = client.get(last["Location"]).content.decode()
    assert "Certaines étapes sont à compléter" not in recap
    assert "Déposer ma demande" in recap

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("depot:deposer", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert response["Location"] == reverse("espace:dossier", args=[dossier.pk])
    assert dossier.etat == Etat.DEPOSE
    year = dt.date.today().year
    assert dossier.numero == f"{year}-FON-000001"
    assert AuditEvent.objects.for_target(dossier).filter(action="dossier.depose").count() == 1
    assert Notification.objects.filter(user=claire, titre__contains=dossier.numero).exists()
    assert mail.outbox and dossier.numero in mail.outbox[-1].subject

    page = client.get(response["Location"]).content.decode()
    assert dossier.numero in page and "Demande déposée" in page


def test_submit_is_idempotent(client, claire, association, festivals):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    client.force_login(claire)
    answers = valid_answers(dossier.version.schema)
    answers["demandeur_type"] = "association"
    walk_the_wizard(client, dossier, answers)
    url = reverse("depot:deposer", args=[dossier.pk])
    for _ in range(3):  # double click, back button and resubmit
        client.post(url)
    dossier.refresh_from_db()
    assert Dossier.objects.count() == 1
    assert Compteur.objects.get().valeur == 1
    assert dossier.numero.endswith("-000001")


def test_a_draft_resumes_on_another_device(claire, association, festivals):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    answers = valid_answers(dossier.version.schema)
    answers["demandeur_type"] = "association"
    laptop = Client()
    laptop.force_login(claire)
    post_step(laptop, dossier, "demandeur", answers)
    post_step(laptop, dossier, "projet", {**answers, "titre": "Festival des Tréteaux 2027"})

    phone = Client()  # a new session: nothing in it
    phone.force_login(claire)
    response = phone.get(reverse("depot:reprendre", args=[dossier.pk]))
    assert response["Location"] == reverse("depot:etape", args=[dossier.pk, "fonctionnement"])
    projet = phone.get(reverse("depot:etape", args=[dossier.pk, "projet"])).content.decode()
    assert "Festival des Tréteaux 2027" in projet


def test_errors_keep_what_was_typed_and_save_and_quit_keeps_valid_answers(
    client, claire, association, festivals
):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    client.force_login(claire)
    payload = {
        f"depot_{dossier.pk}-current_step": "projet",
        "projet-titre": "Festival 2027",
        "projet-description": "Trois jours de théâtre de rue.",
        "projet-projet_dates_0": "2027-07-10",
        "projet-projet_dates_1": "2027-07-01",
        "projet-projet_commune": "Commune-qui-n-existe-pas",
    }
    response = client.post(reverse("depot:etape", args=[dossier.pk, "projet"]), payload)
    html = response.content.decode()
    assert response.status_code == 200
    assert "La date de fin doit être postérieure" in html and "Commune introuvable" in html
    assert 'value="Festival 2027"' in html and 'href="#id_projet-projet_commune"' in html

    client.post(
        reverse("depot:etape", args=[dossier.pk, "projet"]),
        {**payload, "mdna_action": "enregistrer"},
    )
    dossier.refresh_from_db()
    assert dossier.titre == "Festival 2027"
    assert dossier.answers()["description"] == "Trois jours de théâtre de rue."


def test_a_disguised_or_oversized_piece_is_refused(
    client, claire, association, festivals, settings
):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    client.force_login(claire)
    fake = SimpleUploadedFile(
        "statuts.pdf", b"ceci n'est pas un PDF, juste du texte", content_type="application/pdf"
    )
    response = post_step(client, dossier, "pieces", {}, {"piece_statuts": fake, "piece_rib": pdf()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "quel que soit son nom" in html
    assert not dossier.pieces.filter(code="statuts").exists()

    big = SimpleUploadedFile(
        "rib.pdf", PDF + b"0" * (11 * 1024 * 1024), content_type="application/pdf"
    )
    response = post_step(client, dossier, "pieces", {}, {"piece_statuts": pdf(), "piece_rib": big})
    assert "la limite est de 10 Mo" in response.content.decode()


def test_a_closed_window_keeps_the_draft(client, claire, association):
    appel = DispositifFactory(
        publie=True,
        fenetre_type="appel_a_projets",
        date_ouverture=dt.date(2026, 1, 1),
        date_cloture=dt.date(2026, 6, 30),
    )
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        dossier = services.brouillon_creer(dispositif=appel, tiers=association, par=claire)
    client.force_login(claire)
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)):
        response = client.post(reverse("depot:deposer", args=[dossier.pk]), follow=True)
    assert "est fermé le 30/06/2026" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.etat == Etat.BROUILLON and dossier.numero is None


def test_piece_from_the_safe_in_one_click(client, claire, association, festivals):
    document = DocumentCoffre(
        tiers=association, type="statuts", nom="statuts-2024.pdf", taille=len(PDF)
    )
    document.fichier.save("statuts-2024.pdf", io.BytesIO(PDF), save=False)
    document.save()
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    # Taken from the safe automatically at creation (dites-le nous une fois).
    assert dossier.pieces.get(code="statuts").document_coffre == document
    client.force_login(claire)
    html = client.get(reverse("depot:etape", args=[dossier.pk, "pieces"])).content.decode()
    assert "Document déjà fourni : <strong>statuts-2024.pdf</strong>" in html


def test_a_returning_applicant_has_most_of_the_trunk_prefilled(
    client, claire, association, festivals
):
    document = DocumentCoffre(tiers=association, type="rib", nom="rib.pdf", taille=len(PDF))
    document.fichier.save("rib.pdf", io.BytesIO(PDF), save=False)
    document.save()
    first = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    client.force_login(claire)
    answers = valid_answers(first.version.schema)
    answers["demandeur_type"] = "association"
    walk_the_wizard(client, first, answers)
    services.dossier_deposer(dossier=first, par=claire)

    schema = festivals.version_courante.schema
    filled = services.prefill(tiers=association, schema=schema)
    print(f"prefill share for a returning applicant: {filled.share:.0%}")
    assert filled.share >= 0.8
    assert "projet_dates" not in filled.prefilled and "attestation_honneur" not in filled.prefilled


def test_nobody_else_sees_a_dossier(client, claire, association, festivals):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    piece = services.piece_deposer(dossier=dossier, par=claire, code="statuts", fichier=pdf())
    intruder = UserFactory()
    client.force_login(intruder)
    urls = [
        reverse("depot:reprendre", args=[dossier.pk]),
        reverse("depot:etape", args=[dossier.pk, "demandeur"]),
        reverse("depot:recapitulatif", args=[dossier.pk]),
        reverse("depot:piece", args=[dossier.pk, piece.pk]),
        reverse("espace:dossier", args=[dossier.pk]),
        reverse("espace:piece", args=[dossier.pk, piece.pk]),
        reverse("espace:desister", args=[dossier.pk]),
        reverse("espace:organisation", args=[association.pk]),
        reverse("espace:coffre", args=[association.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("depot:deposer", args=[dossier.pk])).status_code == 404
    assert (
        client.post(reverse("espace:message", args=[dossier.pk]), {"texte": "x"}).status_code == 404
    )


def test_withdrawal_needs_confirmation(client, claire, association, festivals):
    dossier = services.brouillon_creer(dispositif=festivals, tiers=association, par=claire)
    client.force_login(claire)
    answers = valid_answers(dossier.version.schema)
    answers["demandeur_type"] = "association"
    walk_the_wizard(client, dossier, answers)
    services.dossier_deposer(dossier=dossier, par=claire)
    response = client.post(
        reverse("espace:desister", args=[dossier.pk]), {"motif": "Festival annulé"}
    )
    assert "Cochez la case pour confirmer" in response.content.decode()
    client.post(
        reverse("espace:desister", args=[dossier.pk]),
        {"motif": "Festival annulé", "confirmation": "on"},
    )
    dossier.refresh_from_db()
    assert dossier.etat == Etat.DESISTE
    assert dossier.evenements.filter(type="desister", detail__contains="Festival annulé").exists()
