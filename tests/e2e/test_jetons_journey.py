"""A partner system's token: created in the account (shown once), used against the API, revoked."""

import pytest
import requests

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def claire(transactional_db):
    return UserFactory(email="claire@festival.fr", first_name="Claire")


def test_create_use_and_revoke_a_token(page, check_a11y, claire, live_server):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(claire.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/")
    page.goto("/compte/profil/")
    page.get_by_role("link", name="Mes jetons d'API").click()
    page.wait_for_url("**/compte/jetons-api/")
    check_a11y(page, "jetons")
    page.get_by_label("Nom du jeton").fill("Logiciel de l'association")
    page.get_by_label("Lecture et écriture").check()
    page.get_by_role("button", name="Créer le jeton").click()
    valeur = page.locator("#jeton-valeur").inner_text()
    assert valeur.startswith("mdna_")
    check_a11y(page, "jeton créé")

    url = f"{live_server.url}/api/v1/usager/dossiers/"
    entete = {"Authorization": f"Bearer {valeur}"}
    assert requests.get(url, headers=entete, timeout=5).status_code == 200

    page.goto("/compte/jetons-api/")
    assert valeur not in page.content()  # shown once
    assert valeur[:11] in page.content()  # its beginning, to recognise it
    page.get_by_role("button", name="Révoquer le jeton Logiciel de l'association").click()
    assert "révoqué" in page.locator("main").inner_text()
    assert requests.get(url, headers=entete, timeout=5).status_code == 401
