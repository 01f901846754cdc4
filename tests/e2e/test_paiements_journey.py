# ruff: noqa: F811 - the imported fixtures are requested by name
"""Paul (finance) liquidates a certified instalment, groups it, exports the PES file and
downloads it; every finance page is checked with axe."""

import pytest

from paiements.exports import validate_pes
from tests.factories import PASSWORD
from tests.paiements.conftest import (  # noqa: F401 - shared fixtures of the payments tests
    association,
    certifiee,
    claire,
    culture,
    dossier,
    engagement,
    festivals,
    marc,
    paul,
    sophie,
)


@pytest.fixture(autouse=True)
def _base(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_paul_liquidates_groups_exports_and_downloads(page, check_a11y, certifiee, paul, tmp_path):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(paul.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/tableau-de-bord/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Finances"
    ).click()
    page.wait_for_url("**/finances/")
    check_a11y(page, "finances : à traiter")

    numero = certifiee.dossier.numero
    page.get_by_label(f"Liquider {numero} Avance").check()
    page.get_by_role("button", name="Liquider la sélection").click()
    assert "1 mandat(s) émis" in page.locator("main").inner_text()
    check_a11y(page, "après liquidation")

    page.get_by_label("Grouper le mandat 1/").check()
    page.get_by_role("button", name="Créer le bordereau").click()
    page.wait_for_url("**/finances/bordereaux/*/")
    assert "3\u00a0000,00" in page.locator("tfoot").inner_text()
    check_a11y(page, "bordereau")

    page.get_by_label("PES V2 pour le comptable public").check()
    page.get_by_role("button", name="Demander l'export").click()
    page.wait_for_url("**/finances/exports/")
    assert "Prêt à télécharger" in page.locator("main").inner_text()
    check_a11y(page, "exports")

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger PES_").click()
    chemin = tmp_path / "pes.xml"
    telechargement.value.save_as(chemin)
    assert validate_pes(chemin) == []

    page.get_by_role("link", name="Retours du comptable").click()
    check_a11y(page, "retours")
    page.get_by_role("link", name="Bordereaux").click()
    check_a11y(page, "bordereaux")


def _connecter(page, user):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_claire_asks_for_a_payment_and_marc_certifies(
    page, check_a11y, engagement, claire, marc, tmp_path
):
    _connecter(page, claire)
    page.goto(f"/compte/dossiers/{engagement.dossier_id}/")
    page.get_by_role("link", name="Demander un versement et suivre les paiements").click()
    check_a11y(page, "versements du demandeur")
    page.get_by_role("link", name="Demander ce versement : Acompte").click()
    page.get_by_role("button", name="Envoyer la demande").click()
    assert page.locator("#resume-erreurs").is_visible()
    check_a11y(page, "demande de versement en erreur")
    page.get_by_label("Dépenses réalisées").fill("10000")
    page.get_by_label("État récapitulatif des dépenses").fill("Cachets : 6 000 €\nScène : 4 000 €")
    justificatif = tmp_path / "factures.pdf"
    justificatif.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Justificatifs").set_input_files(str(justificatif))
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "Demande envoyée" in page.locator("main").inner_text()
    page.get_by_role("button", name="Se déconnecter").click()

    _connecter(page, marc)
    page.goto(f"/instruction/dossiers/{engagement.dossier_id}/")
    page.get_by_role("link", name="Demandes de versement et service fait").click()
    check_a11y(page, "demandes de versement (instruction)")
    page.get_by_role("link", name="Acompte").click()
    check_a11y(page, "certification du service fait")
    page.get_by_role("button", name="Certifier le service fait").click()
    assert "Service fait certifié" in page.locator("main").inner_text()
