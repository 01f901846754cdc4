"""Marc exports his queue: the progress page follows the export without reloading, announces
it (aria-live) and offers the file; his exports stay listed for him."""

import openpyxl

from instruction import exports
from instruction.models import ExportFile
from tests.e2e.test_depot_journey import festivals, login  # noqa: F401 - fixture
from tests.factories import UserFactory
from tests.instruction.conftest import deposer


def test_instructor_exports_the_queue_and_downloads_the_file(
    page,
    check_a11y,
    festivals,  # noqa: F811
    tmp_path,
    settings,
):
    from mdna.models import Adhesion, Tiers

    settings.MEDIA_ROOT = tmp_path
    claire = UserFactory(email="claire@treteaux.fr")
    tiers = Tiers.objects.create(type="association", nom="Les Tréteaux", siret="73282932000074")
    Adhesion.objects.create(user=claire, tiers=tiers, role="proprietaire")
    dossier = deposer(festivals, tiers, claire)
    marc = UserFactory(
        email="marc@region.fr", role="instructeur", service=festivals.service, first_name="Marc"
    )

    login(page, "marc@region.fr")
    page.get_by_role("link", name="File de travail").click()
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Exporter").click()
    main = page.locator("main")
    assert "Le fichier est prêt : 1 dossier(s)" in main.inner_text()
    check_a11y(page, "export prêt")

    # An export still waiting: the page follows it by itself (static/js/export.js).
    attente = ExportFile.objects.create(auteur=marc, format="xlsx")
    page.goto(f"/instruction/exports/{attente.pk}/")
    assert "attend son tour" in page.locator("#export-statut").inner_text()
    assert page.locator("#export-telecharger").is_hidden()
    check_a11y(page, "export en attente")
    exports.export_produire(export_id=attente.pk)
    page.locator("#export-telecharger a").wait_for(state="visible")
    assert "Le fichier est prêt" in page.locator("#export-statut").inner_text()
    with page.expect_download() as telechargement:
        page.locator("#export-telecharger a").click()
    chemin = tmp_path / "export.xlsx"
    telechargement.value.save_as(chemin)
    feuille = openpyxl.load_workbook(chemin)["Dossiers"]
    assert [row[0].value for row in feuille.iter_rows(min_row=2)] == [dossier.numero]

    page.goto("/instruction/exports/")
    assert page.get_by_role("link", name="Télécharger").count() == 2
    check_a11y(page, "mes exports")
