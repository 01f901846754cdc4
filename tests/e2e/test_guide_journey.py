"""Finding an aid in the browser: home → Guide → search → fiche, and Léa's eligibility helper, with
no serious axe violation on any page."""

import io
import re

import pytest
import time_machine
from django.core.management import call_command

LUNDI = "2026-11-23 10:00 +01:00"  # the festival call is open (1 September 2026 – 15 January 2027)


@pytest.fixture
def catalogue(transactional_db):
    """The Region's 265 schemes, committed so that the live server sees them."""
    call_command("load_catalogue", stdout=io.StringIO())


@pytest.fixture
def lundi():
    with time_machine.travel(LUNDI, tick=True):
        yield


def test_from_home_to_the_festival_fiche(page, check_a11y, catalogue, lundi):
    page.goto("/")
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Guide des aides").click()
    page.wait_for_url("**/aides/")
    assert page.locator("h1").count() == 1
    assert menu.get_by_role("link", name="Guide des aides").get_attribute("aria-current") == "page"
    assert "265 aides trouvées" in page.get_by_role("status").inner_text()
    check_a11y(page, "guide des aides")

    page.get_by_label("Mots-clés").fill("festival")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r".*/aides/\?q=festival.*"))
    assert "3 aides trouvées" in page.get_by_role("status").inner_text()
    check_a11y(page, "résultats de la recherche")

    page.get_by_role("link", name="Soutien aux festivals").click()
    page.wait_for_url("**/aides/soutien-aux-festivals/")
    assert page.locator("h1").inner_text() == "Soutien aux festivals"
    assert page.get_by_text("Clôture le 15 janvier 2027").is_visible()
    assert page.get_by_text("Budget prévisionnel", exact=True).is_visible()
    depot = page.get_by_role("link", name="Déposer une demande")
    assert depot.is_visible()
    assert depot.get_attribute("href") == "/compte/demandes/nouvelle/soutien-aux-festivals/"
    check_a11y(page, "fiche du dispositif")


def test_filters_and_pages_of_the_guide(page, check_a11y, catalogue, lundi):
    page.goto("/aides/")
    page.get_by_label("Vous êtes").select_option("particulier")
    page.get_by_label("Département").select_option("87")
    page.get_by_label("Seulement les aides ouvertes aujourd'hui").check()
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r".*beneficiaire=particulier.*"))
    annonce = page.get_by_role("status").inner_text()
    assert re.search(r"\d+ aides trouvées — page 1 sur 2", annonce), annonce
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert page.get_by_label("Département").input_value() == "87"
    check_a11y(page, "guide filtré, page 2")


def test_lea_finds_her_mobility_grant_in_four_questions(page, check_a11y, catalogue, lundi):
    page.goto("/aides/")
    page.get_by_role("link", name="Répondez à 4 questions").click()
    page.wait_for_url("**/aides/eligibilite/")
    check_a11y(page, "aide à l'orientation")

    page.get_by_role("button", name="Voir les aides pour moi").click()
    assert page.locator("#resume-erreurs").is_visible()
    check_a11y(page, "aide à l'orientation : réponses manquantes")

    page.get_by_label("Un particulier").check()
    page.get_by_label("Où se situe votre projet ?").select_option("33")
    page.get_by_label("Me former, partir étudier ou en stage, recruter").check()
    page.get_by_label("Quel montant d'aide espérez-vous, environ ?").fill("2 400")
    page.get_by_role("button", name="Voir les aides pour moi").click()
    page.wait_for_url(re.compile(r".*projet=former.*"))
    assert "correspondent à vos réponses" in page.get_by_role("status").inner_text()
    bourse = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="Bourse de mobilité internationale des étudiants")
    )
    assert "Elle s'adresse aux particuliers." in bourse.inner_text()
    check_a11y(page, "aides pour Léa")

    bourse.get_by_role("link", name="Bourse de mobilité internationale des étudiants").click()
    page.wait_for_url("**/aides/mobilite-internationale-etudiants/")
    assert page.get_by_text("Certificat de scolarité", exact=True).is_visible()
    assert page.get_by_role("link", name="Déposer une demande").is_visible()
    check_a11y(page, "fiche de la bourse de mobilité")
