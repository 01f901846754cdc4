"""Who may download, upload a signed copy, preview and follow a lot; every download audited."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from editiques.models import CopieSignee, Document
from editiques.services import document_demander, lot_creer
from mdna.models import Adhesion, AuditEvent, Tiers
from tests.editiques.conftest import normaliser
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _emettre(type, dossier, par, capture, **kwargs):
    with capture(execute=True):
        document_demander(
            type=type,
            par=par,
            cle_evenement=f"{type}-{dossier.pk}-{kwargs.pop('cle', '')}",
            dossier=dossier,
            contexte={"montant": "5000.00"},
            **kwargs,
        )
    return Document.objects.filter(type=type).latest("pk")


def _client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def arrete(dossier, marc, django_capture_on_commit_callbacks):
    return _emettre("arrete_attributif", dossier, marc, django_capture_on_commit_callbacks)


def test_applicant_member_downloads_and_it_is_audited(client, arrete, claire):
    response = _client(client, claire).get(reverse("editiques:document", args=[arrete.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        action="fichier.telecharge", actor=claire, target_id=str(arrete.pk)
    ).exists()


def test_agent_of_the_owning_service_downloads(client, arrete, marc):
    response = _client(client, marc).get(reverse("editiques:document", args=[arrete.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    response.close()


def test_agent_of_another_service_gets_404(client, arrete):
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="ECO"))
    response = _client(client, autre).get(reverse("editiques:document", args=[arrete.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="fichier.telecharge").exists()


def test_another_applicant_gets_404(client, arrete):
    intrus = UserFactory()
    autre = Tiers.objects.create(type="association", nom="Autre association")
    Adhesion.objects.create(user=intrus, tiers=autre, role="proprietaire")
    response = _client(client, intrus).get(reverse("editiques:document", args=[arrete.pk]))
    assert response.status_code == 404


def test_x_accel_redirect_when_configured(client, arrete, claire, settings):
    settings.MDNA_X_ACCEL_REDIRECT = "/prive/"
    response = _client(client, claire).get(reverse("editiques:document", args=[arrete.pk]))
    assert response["X-Accel-Redirect"] == f"/prive/{arrete.fichier.name}"


def test_a_mandate_is_not_shown_to_the_payee(
    client, dossier, marc, claire, django_capture_on_commit_callbacks
):
    mandat = _emettre("mandat", dossier, marc, django_capture_on_commit_callbacks)
    response = _client(client, claire).get(reverse("editiques:document", args=[mandat.pk]))
    assert response.status_code == 404
    assert mandat.coffre_id is None


def test_agent_uploads_the_signed_arrete_beside_the_original(client, arrete, marc):
    url = reverse("editiques:copie_deposer", args=[arrete.pk])
    fichier = io.BytesIO(PDF)
    fichier.name = "arrete-signe.pdf"
    response = _client(client, marc).post(url, {"fichier": fichier})
    assert response.status_code == 302
    copie = CopieSignee.objects.get(document=arrete)
    arrete.refresh_from_db()
    assert arrete.fichier and copie.fichier.name != arrete.fichier.name  # original kept
    assert AuditEvent.objects.filter(action="editique.copie_signee", actor=marc).exists()
    page = client.get(reverse("instruction:dossier", args=[arrete.dossier_id]))
    assert reverse("editiques:copie", args=[arrete.pk, copie.pk]) in page.content.decode()


def test_upload_refuses_a_file_that_is_not_a_pdf_or_image(client, arrete, marc):
    fichier = io.BytesIO(b"MZ\x90\x00 not a pdf at all")
    fichier.name = "arrete.pdf"
    response = _client(client, marc).post(
        reverse("editiques:copie_deposer", args=[arrete.pk]), {"fichier": fichier}
    )
    assert response.status_code == 400
    assert "resume-erreurs" in response.content.decode()
    assert not CopieSignee.objects.exists()


def test_applicant_may_upload_a_signed_convention_but_not_an_arrete(
    client, arrete, dossier, marc, claire, django_capture_on_commit_callbacks
):
    convention = _emettre("convention", dossier, marc, django_capture_on_commit_callbacks)
    _client(client, claire)
    assert client.get(reverse("editiques:copie_deposer", args=[arrete.pk])).status_code == 404
    fichier = io.BytesIO(PDF)
    fichier.name = "convention-signee.pdf"
    response = client.post(
        reverse("editiques:copie_deposer", args=[convention.pk]), {"fichier": fichier}
    )
    assert response.status_code == 302
    assert convention.copies_signees.get().deposee_par == claire


def test_agent_preview_is_watermarked_and_not_stored(client, dossier, marc, claire):
    response = _client(client, marc).get(
        reverse("editiques:apercu", args=[dossier.pk, "arrete_attributif"])
    )
    assert response.status_code == 200
    texte = normaliser(PdfReader(io.BytesIO(response.content)).pages[0].extract_text())
    assert "PROJET" in texte and dossier.tiers.nom in texte
    assert not Document.objects.filter(type="arrete_attributif").exists()
    client.logout()
    _client(client, claire)
    url = reverse("editiques:apercu", args=[dossier.pk, "arrete_attributif"])
    assert client.get(url).status_code == 404


def test_dossier_pages_link_the_documents(
    client, arrete, marc, claire, django_assert_max_num_queries
):
    url_doc = reverse("editiques:document", args=[arrete.pk])
    _client(client, marc)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("instruction:dossier", args=[arrete.dossier_id]))
    assert url_doc in page.content.decode()
    client.logout()
    _client(client, claire)
    page = client.get(reverse("espace:dossier", args=[arrete.dossier_id]))
    assert url_doc in page.content.decode()


def test_lot_progress_and_batch_download(client, dossier, marc, django_capture_on_commit_callbacks):
    lot = lot_creer(libelle="Commission permanente du 4 décembre 2026", par=marc)
    for i in range(3):
        _emettre(
            "notification_attribution",
            dossier,
            marc,
            django_capture_on_commit_callbacks,
            cle=str(i),
            lot=lot,
        )
    _client(client, marc)
    page = client.get(reverse("editiques:lot", args=[lot.pk]))
    assert page.status_code == 200 and "3 émis" in normaliser(
        page.content.decode().replace('<span data-champ="rendus">', "").replace("</span>", "")
    )
    assert (
        client.get(reverse("editiques:lot", args=[lot.pk]) + "?format=json").json()["rendus"] == 3
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("editiques:lot_archive_demander", args=[lot.pk]), {"format": "zip"})
    response = client.get(reverse("editiques:lot_archive", args=[lot.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("editiques:lot_archive_demander", args=[lot.pk]), {"format": "pdf"})
    response = client.get(reverse("editiques:lot_archive", args=[lot.pk]))
    fusion = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(fusion.pages) >= 3
    numeros = set(lot.documents.values_list("numero", flat=True))
    texte = normaliser(" ".join(p.extract_text() for p in fusion.pages))
    assert all(n in texte for n in numeros)


def test_lot_of_another_service_is_404(client, marc):
    lot = lot_creer(libelle="Lot", par=marc)
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="ECO"))
    assert _client(client, autre).get(reverse("editiques:lot", args=[lot.pk])).status_code == 404


def test_agent_downloads_a_selection_of_a_dossier_documents(
    client, arrete, dossier, marc, django_capture_on_commit_callbacks
):
    convention = _emettre("convention", dossier, marc, django_capture_on_commit_callbacks)
    _client(client, marc)
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    assert f'name="documents" value="{convention.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("editiques:selection"),
            {"documents": [arrete.pk, convention.pk], "format": "zip"},
        )
    lot = arrete.selections.get()
    assert response.url == reverse("editiques:lot", args=[lot.pk])
    assert (lot.total, lot.rendus) == (2, 2)
    archive = client.get(reverse("editiques:lot_archive", args=[lot.pk]))
    noms = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert sorted(noms) == sorted([arrete.nom_fichier, convention.nom_fichier])


def test_a_selection_cannot_include_another_service_documents(client, arrete):
    autre = UserFactory(role="instructeur", service=ServiceFactory(code="ECO"))
    _client(client, autre)
    response = client.post(
        reverse("editiques:selection"),
        {"documents": [arrete.pk], "retour": "https://exemple.org/"},
    )
    assert response.status_code == 302 and response.url == reverse("instruction:file")
    assert not arrete.selections.exists()


def test_dossier_and_lot_pages_do_not_grow_with_the_documents(
    client, dossier, marc, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lot = lot_creer(libelle="Commission", par=marc)
    _emettre("convention", dossier, marc, django_capture_on_commit_callbacks, lot=lot)
    _client(client, marc)
    url = reverse("instruction:dossier", args=[dossier.pk])
    with CaptureQueriesContext(connection) as un:
        client.get(url)
    for i in range(6):
        _emettre(
            "arrete_attributif", dossier, marc, django_capture_on_commit_callbacks, cle=i, lot=lot
        )
    with CaptureQueriesContext(connection) as sept:
        client.get(url)
    assert len(sept) == len(un)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("editiques:lot", args=[lot.pk])).status_code == 200


def test_admin_screens_open(client, admin_user, arrete):
    client.force_login(admin_user)
    for nom in ("document", "renduenechec", "lotdocuments", "textesurcharge"):
        assert client.get(reverse(f"admin:editiques_{nom}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:editiques_document_change", args=[arrete.pk])).status_code == 200
    )
