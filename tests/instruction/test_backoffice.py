"""Marc's morning: the queue, the dossier screen, a request for pieces answered by Claire."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dispositifs.models import Dossier, Etat, EvenementDossier
from instruction import services
from instruction.models import DemandePieces
from mdna.models import AuditEvent
from tests.dispositifs.test_depot import PDF
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer

pytestmark = pytest.mark.django_db


def test_queue_shows_only_the_service_dossiers_with_filters_and_search(
    client, marc, festivals, association, claire, dossier
):
    autre = DispositifFactory(publie=True, service=ServiceFactory(code="DEI", nom="Économie"))
    hors_perimetre = deposer(autre, association, claire)
    client.force_login(marc)
    html = client.get(reverse("instruction:file")).content.decode()
    assert dossier.numero in html and hors_perimetre.numero not in html
    assert (
        client.get(reverse("instruction:file"), {"etat": "en_instruction"})
        .content.decode()
        .count(dossier.numero)
        == 0
    )
    found = client.get(reverse("instruction:file"), {"q": dossier.numero}).content.decode()
    assert dossier.numero in found
    assert (
        dossier.numero
        not in client.get(reverse("instruction:file"), {"q": "introuvable-xyz"}).content.decode()
    )
    assert (
        dossier.numero
        in client.get(reverse("instruction:file"), {"montant_min": "1"}).content.decode()
    )


def test_late_flag_after_the_instruction_delay(client, marc, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(
        depose_le=dossier.depose_le - dt.timedelta(days=90)
    )
    client.force_login(marc)
    html = client.get(reverse("instruction:file"), {"en_retard": "on"}).content.decode()
    assert dossier.numero in html and "En retard" in html


def test_queue_and_dossier_screen_query_counts_do_not_grow(
    client, marc, festivals, association, claire, dossier, django_assert_max_num_queries
):
    client.force_login(marc)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("instruction:file"))
    for _ in range(6):
        deposer(festivals, association, claire)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("instruction:file"))
    with django_assert_max_num_queries(30) as screen:
        client.get(reverse("instruction:dossier", args=[dossier.pk]))
    print(
        f"queue: {len(small.captured_queries)} queries; dossier screen: {len(screen.captured_queries)} queries"
    )


def test_bulk_assign(client, marc, culture, dossier):
    collegue = UserFactory(role="instructeur", service=culture)
    client.force_login(marc)
    client.post(
        reverse("instruction:affecter"), {"dossiers": [dossier.pk], "instructeur": collegue.pk}
    )
    dossier.refresh_from_db()
    assert dossier.instructeur == collegue
    assert AuditEvent.objects.for_target(dossier).filter(action="dossier.affecte").exists()


def test_request_for_pieces_answered_by_the_applicant_comes_back_to_the_queue(
    client, marc, claire, dossier, django_capture_on_commit_callbacks
):
    client.force_login(marc)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("instruction:demander_pieces", args=[dossier.pk]),
            {
                "pieces": ["statuts"],
                "message": "Les statuts joints ne sont pas signés.",
                "verrou": dossier.verrou,
            },
        )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.etat == Etat.INCOMPLET
    demande = DemandePieces.objects.get(dossier=dossier)
    assert demande.echeance == dt.date.today() + dt.timedelta(days=30)

    client.force_login(claire)
    page = client.get(reverse("espace:dossier", args=[dossier.pk])).content.decode()
    assert "Pièces à fournir avant le" in page and "ne sont pas signés" in page
    fake = SimpleUploadedFile("statuts.pdf", b"pas un pdf", content_type="application/pdf")
    client.post(reverse("espace:repondre_pieces", args=[dossier.pk]), {"piece_statuts": fake})
    dossier.refresh_from_db()
    assert dossier.etat == Etat.INCOMPLET  # a disguised file is refused, nothing changes
    good = SimpleUploadedFile("statuts-signes.pdf", PDF, content_type="application/pdf")
    client.post(
        reverse("espace:repondre_pieces", args=[dossier.pk]),
        {"piece_statuts": good, "message": "Voici les statuts signés."},
    )
    dossier.refresh_from_db()
    assert dossier.etat == Etat.DEPOSE
    assert (
        dossier.pieces.filter(code="statuts", remplacee_par__isnull=True).get().nom
        == "statuts-signes.pdf"
    )

    client.force_login(marc)
    assert (
        dossier.numero
        in client.get(reverse("instruction:file"), {"etat": "depose"}).content.decode()
    )


def test_reminder_at_d_minus_7_and_overdue_flag_without_automatic_decision(marc, dossier):
    today = dt.date(2026, 11, 23)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)):
        services.pieces_demander(
            dossier=dossier,
            par=marc,
            pieces=["statuts"],
            message="m",
            echeance=today + dt.timedelta(days=10),
        )
    assert services.relances_pieces(aujourdhui=today) == {"relances": 0, "signales": 0}
    assert services.relances_pieces(aujourdhui=today + dt.timedelta(days=3)) == {
        "relances": 1,
        "signales": 0,
    }
    assert services.relances_pieces(aujourdhui=today + dt.timedelta(days=4)) == {
        "relances": 0,
        "signales": 0,
    }
    assert services.relances_pieces(aujourdhui=today + dt.timedelta(days=11)) == {
        "relances": 0,
        "signales": 1,
    }
    dossier.refresh_from_db()
    assert dossier.etat == Etat.INCOMPLET  # only an agent decides inadmissibility
    interne = EvenementDossier.objects.get(dossier=dossier, type="delai_depasse")
    assert not interne.visible_usager


def test_internal_notes_are_never_shown_to_the_applicant(client, marc, claire, dossier):
    services.note_ajouter(dossier=dossier, par=marc, texte="Vérifier le budget de l'an dernier")
    client.force_login(claire)
    assert (
        "Vérifier le budget"
        not in client.get(reverse("espace:dossier", args=[dossier.pk])).content.decode()
    )
    client.force_login(marc)
    assert (
        "Vérifier le budget"
        in client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    )


def test_eligibility_checks_are_computed_on_the_screen(client, marc, dossier):
    client.force_login(marc)
    html = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    assert "Type de bénéficiaire" in html and "Montant dans la règle de financement" in html
    assert "Plan de financement équilibré" in html
