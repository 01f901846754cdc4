"""First journey: home → login as each role → logout, with no serious axe violation."""

import pytest

from mdna.models import Role
from tests.factories import PASSWORD, ServiceFactory, UserFactory


@pytest.fixture
def accounts(transactional_db):
    service = ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")
    accounts = {}
    for role in Role:
        accounts[role] = UserFactory(
            email=f"{role.value}@demo.fr",
            first_name=role.label.split()[0],
            role=role,
            service=service if role in (Role.INSTRUCTEUR, Role.VALIDEUR) else None,
            is_staff=role == Role.ADMINISTRATEUR,
            is_superuser=role == Role.ADMINISTRATEUR,
        )
    return accounts


def test_each_role_logs_in_and_out(page, check_a11y, accounts, live_server):
    page.goto("/")
    assert page.locator("h1").count() == 1
    check_a11y(page, "accueil")

    for role, user in accounts.items():
        page.goto("/")
        page.get_by_role("link", name="Se connecter").first.click()
        page.wait_for_url("**/compte/connexion/**")
        check_a11y(page, "connexion")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/compte/" if role == Role.USAGER else "**/tableau-de-bord/")
        assert page.locator("h1").inner_text().startswith("Bonjour")
        if role != Role.USAGER:
            assert str(role.label) in page.locator("main").inner_text()
        check_a11y(page, f"tableau de bord ({role})")
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(live_server.url + "/")
        assert page.get_by_role("link", name="Se connecter").first.is_visible()


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(page, check_a11y, accounts):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("usager@demo.fr")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    summary = page.locator("#resume-erreurs")
    assert summary.is_visible()
    assert "incorrect" in summary.inner_text()
    assert page.get_by_label("Adresse électronique").input_value() == "usager@demo.fr"
    check_a11y(page, "connexion en erreur")


@pytest.mark.parametrize(
    "url", ["/accessibilite/", "/mentions-legales/", "/contact/", "/compte/inscription/", "/404/"]
)
def test_public_pages_are_accessible(page, check_a11y, url, transactional_db):
    page.goto(url)
    check_a11y(page, url)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, transactional_db):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
