"""Official documents in the browser, with axe on every page: the agent sees the letters issued
for a dossier, previews one, downloads a selection through the lot page; the applicant finds
them on the dossier page and sends back the signed convention (a wrong file first)."""

import pytest
from django.db import transaction

from editiques.models import Document, Statut
from editiques.services import document_demander
from tests.dispositifs.test_depot import PDF
from tests.e2e.test_depot_journey import login, logout
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer


@pytest.fixture
def festivals(transactional_db):
    service = ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")
    return DispositifFactory(
        publie=True, slug="soutien-aux-festivals", nom="Soutien aux festivals", service=service
    )


def test_agent_and_applicant_find_preview_and_sign_the_official_documents(
    page, check_a11y, festivals, tmp_path
):
    from mdna.models import Adhesion, Tiers

    claire = UserFactory(email="claire@treteaux.fr", first_name="Claire")
    tiers = Tiers.objects.create(type="association", nom="Les Tréteaux", siret="73282932000074")
    Adhesion.objects.create(user=claire, tiers=tiers, role="proprietaire")
    marc = UserFactory(email="marc@region.fr", role="instructeur", service=festivals.service)
    dossier = deposer(festivals, tiers, claire)
    with transaction.atomic():
        document_demander(
            type="convention",
            par=marc,
            cle_evenement=f"convention-{dossier.pk}",
            dossier=dossier,
            contexte={"montant": "8000.00"},
        )
    accuse = Document.objects.get(type="accuse_depot", dossier=dossier)
    convention = Document.objects.get(type="convention", dossier=dossier)
    assert accuse.statut == convention.statut == Statut.RENDU

    login(page, "marc@region.fr")
    page.goto(f"/instruction/dossiers/{dossier.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Documents officiels"))
    assert accuse.numero in section.inner_text() and convention.numero in section.inner_text()
    check_a11y(page, "documents du dossier (agent)")
    apercu = page.request.get(f"/courriers/apercu/{dossier.pk}/?type=refus")
    assert apercu.ok and apercu.headers["content-type"] == "application/pdf"
    page.get_by_label(f"Sélectionner Accusé de réception de la demande n° {accuse.numero}").check()
    page.get_by_label(f"Sélectionner Convention n° {convention.numero}").check()
    page.get_by_role("button", name="Télécharger la sélection").click()
    page.wait_for_load_state()
    assert "2 émis" in " ".join(page.locator("#lot-texte").inner_text().split())
    check_a11y(page, "lot")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger (ZIP)").click()
    assert telechargement.value.suggested_filename.endswith(".zip")
    logout(page)

    login(page, "claire@treteaux.fr")
    page.goto(f"/compte/dossiers/{dossier.pk}/")
    courriers = page.locator(
        "section", has=page.get_by_role("heading", name="Courriers de la Région")
    )
    assert convention.numero in courriers.inner_text()
    check_a11y(page, "courriers (demandeur)")
    page.get_by_role("link", name="Déposer la copie signée").click()
    faux = tmp_path / "convention.pdf"
    faux.write_bytes(b"ceci n'est pas un PDF")
    page.set_input_files('[name="fichier"]', str(faux))
    page.get_by_role("button", name="Déposer la copie signée").click()
    assert "erreur" in page.locator("#resume-erreurs").inner_text()
    check_a11y(page, "copie signée refusée")
    signee = tmp_path / "convention-signee.pdf"
    signee.write_bytes(PDF)
    page.set_input_files('[name="fichier"]', str(signee))
    page.get_by_role("button", name="Déposer la copie signée").click()
    assert "copie signée" in page.locator("main").inner_text()
    assert convention.copies_signees.get().deposee_par == claire
    assert page.csp_violations == []
