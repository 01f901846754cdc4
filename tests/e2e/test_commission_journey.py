"""Jeanne, commission secretary: two scenarios over the festivals' envelope, compared; the chosen
one becomes the agenda of the next commission permanente; she records the vote and follows the
decision letters' production. axe on every page of the way."""

import re
from decimal import Decimal

import pytest

from dispositifs.models import Dossier, Etat
from instruction.programmation import services as programmation
from mdna.models import Adhesion, Tiers
from tests.e2e.test_depot_journey import login
from tests.factories import DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer
from tests.programmation.conftest import proposer_et_approuver


@pytest.fixture
def preparation(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    culture = ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")
    festivals = DispositifFactory(
        publie=True, slug="soutien-aux-festivals", nom="Soutien aux festivals", service=culture
    )
    marc = UserFactory(email="marc@region.fr", role="instructeur", service=culture)
    sophie = UserFactory(email="sophie@region.fr", role="valideur", service=culture)
    UserFactory(email="jeanne@region.fr", role="valideur", service=culture, first_name="Jeanne")
    claire = UserFactory(email="claire@treteaux.fr", first_name="Claire")
    tiers = Tiers.objects.create(type="association", nom="Les Tréteaux", rna="W872001234")
    Adhesion.objects.create(user=claire, tiers=tiers, role="proprietaire")
    programmation.enveloppe_enregistrer(
        par=sophie,
        exercice=2026,
        ligne_budgetaire="65-6574-311-P311",
        libelle="Festivals et manifestations culturelles",
        credits_votes=Decimal("10000.00"),
        dispositifs=[festivals],
    )
    return [
        proposer_et_approuver(deposer(festivals, tiers, claire), marc, sophie, montant)
        for montant in ("3000", "4000", "5000")
    ]


def test_jeanne_simulates_builds_the_agenda_records_the_vote_and_follows_the_letters(
    page, check_a11y, preparation
):
    dossiers = preparation
    login(page, "jeanne@region.fr")
    page.get_by_role("link", name="File de travail").first.click()
    page.get_by_role("link", name="Enveloppes budgétaires").click()
    check_a11y(page, "enveloppes")
    page.get_by_role("link", name="Festivals et manifestations culturelles").click()
    assert "proposé 12" in page.locator("main").inner_text().replace("\u202f", "").replace(
        "\xa0", ""
    )
    check_a11y(page, "enveloppe")

    # Scenario A: everything as proposed (over the 10,000 € of credits).
    page.get_by_label("Nom du scénario").fill("Scénario A — tout")
    for dossier in dossiers:
        page.get_by_label(f"Retenir {dossier.numero}").check()
    page.get_by_role("button", name="Enregistrer le scénario").click()
    assert "Aucun dossier n'a été modifié" in page.locator("main").inner_text()
    assert "Ce scénario dépasse les crédits disponibles" in page.locator("main").inner_text()
    check_a11y(page, "scénario A")

    # Scenario B: the first two, the second one reduced.
    page.get_by_role("link", name="Festivals et manifestations culturelles").click()
    page.get_by_label("Nom du scénario").fill("Scénario B — réduit")
    page.get_by_label(f"Retenir {dossiers[0].numero}").check()
    page.get_by_label(f"Retenir {dossiers[1].numero}").check()
    page.get_by_label(f"Montant du scénario pour {dossiers[1].numero}").fill("3 500")
    page.get_by_role("button", name="Enregistrer le scénario").click()
    check_a11y(page, "scénario B")
    assert all(
        d.etat == Etat.PROPOSE for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
    )

    page.get_by_role("link", name="Festivals et manifestations culturelles").click()
    page.get_by_label("Comparer Scénario A — tout").check()
    page.get_by_label("Comparer Scénario B — réduit").check()
    page.get_by_role("button", name="Comparer les scénarios cochés").click()
    assert "non retenu" in page.locator("main").inner_text()
    check_a11y(page, "comparaison")

    # The next session, then scenario B becomes its agenda.
    page.goto("/instruction/commissions/")
    check_a11y(page, "commissions")
    page.get_by_label("Date de la séance").fill("2026-12-17")
    page.get_by_role("button", name="Créer la séance").click()
    check_a11y(page, "séance vide")
    page.goto("/instruction/enveloppes/")
    page.get_by_role("link", name="Festivals et manifestations culturelles").click()
    page.get_by_role("link", name="Scénario B — réduit").click()
    page.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    texte = page.locator("main").inner_text()
    assert "2 dossier(s) inscrit(s)" in texte and "Dans les crédits" in texte
    check_a11y(page, "ordre du jour")

    page.get_by_role("link", name="Voir le rapport").click()
    assert "Totaux par ligne budgétaire" in page.locator("main").inner_text()
    check_a11y(page, "rapport")
    page.go_back()

    page.get_by_role("button", name="Enregistrer le vote").click()
    assert "Le vote est enregistré" in page.locator("main").inner_text()
    check_a11y(page, "vote enregistré")
    etats = dict(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("pk", "etat"))
    assert [etats[d.pk] for d in dossiers] == [Etat.ATTRIBUE, Etat.ATTRIBUE, Etat.PROPOSE]

    page.get_by_role("link", name="Suivre la production des courriers").click()
    page.wait_for_url(re.compile(r".*/courriers/lots/\d+/"))
    assert "2 émis" in page.locator("main").inner_text()
    check_a11y(page, "courriers de décision")

    # The steering dashboard shows the granted amounts, chart and table together.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Pilotage"
    ).click()
    texte = page.locator("main").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert "6 500,00 €" in texte
    check_a11y(page, "pilotage")
    page.get_by_role("link", name="Soutien aux festivals").click()
    check_a11y(page, "pilotage d'un dispositif")
