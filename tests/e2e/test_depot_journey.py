"""Applicant and instructor journeys in the browser, with axe on every page of the way.

1. Sign up → confirm the e-mail → add the association by SIRET → put the statutes in the safe →
   find the scheme in the Guide → file it (prefilled, statutes from the safe) → submit → dashboard.
2. Marc takes the dossier from his queue, asks for a piece; Claire sends it; Marc proposes;
   Sophie approves.
"""

import re

import pytest
from django.core import mail

from dispositifs.engine.forms import form_data, step_keys
from dispositifs.models import Dossier, Etat
from tests.dispositifs.answers import valid_answers
from tests.dispositifs.test_depot import PDF
from tests.factories import PASSWORD, DispositifFactory, ServiceFactory, UserFactory
from tests.instruction.conftest import deposer

RNA_ASSOCIATION = "W301000624"  # in the offline API Entreprise provider
SIRET_ASSOCIATION = "38948624200032"


@pytest.fixture
def festivals(transactional_db):
    service = ServiceFactory(code="DCP", nom="Direction de la culture et du patrimoine")
    return DispositifFactory(
        publie=True,
        slug="soutien-aux-festivals",
        nom="Soutien aux festivals",
        service=service,
        beneficiaires=["association"],
    )


def fill_step(page, step: dict, answers: dict, files: dict | None = None):
    """Type the answers of one step as a person would (radio, checkbox, select, text)."""
    data, _ = form_data(step, answers)
    for name, values in data.lists():
        selector = f'[name="{step["key"]}-{name}"]'
        element = page.locator(selector).first
        kind = element.get_attribute("type") or element.evaluate("e => e.tagName.toLowerCase()")
        if kind == "radio":
            page.locator(f'{selector}[value="{values[0]}"]').check()
        elif kind == "checkbox":
            for value in values:
                target = page.locator(f'{selector}[value="{value}"]')
                (target if target.count() else element).check()
        elif kind == "select":
            element.select_option(values[0])
        else:
            element.fill(values[0])
    for name, path in (files or {}).items():
        page.set_input_files(f'[name="{step["key"]}-{name}"]', path)


def test_sign_up_find_file_with_prefill_and_safe_then_submit(page, check_a11y, festivals, tmp_path):
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    check_a11y(page, "inscription")
    page.get_by_label("Prénom").fill("Claire")
    page.locator("#id_last_name").fill("Vidal")
    page.get_by_label("Adresse électronique").fill("claire@treteaux.fr")
    page.locator("#id_password1").fill("un-long-secret-2026")
    page.get_by_label("Confirmation du mot de passe").fill("un-long-secret-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    assert page.locator("h1").inner_text() == "Confirmez votre adresse électronique"
    link = re.search(r"https?://\S+(/compte/verifier/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.wait_for_url("**/compte/")
    check_a11y(page, "espace vide")

    # The association, found by its SIRET (verified data).
    page.get_by_role("link", name="Ajouter une organisation").click()
    check_a11y(page, "organisations")
    page.get_by_role("radio", name="Association").check()
    page.get_by_label("Numéro SIRET").fill(RNA_ASSOCIATION)
    page.get_by_role("button", name="Ajouter l'organisation").click()
    assert "Données vérifiées" in page.locator("main").inner_text()
    check_a11y(page, "organisation vérifiée")

    # The statutes go into the safe once.
    statuts = tmp_path / "statuts.pdf"
    statuts.write_bytes(PDF)
    page.get_by_role("link", name=re.compile("Ouvrir le coffre-fort")).click()
    page.get_by_label("Type de document").select_option("statuts")
    page.set_input_files("#id_fichier", str(statuts))
    page.get_by_role("button", name="Ranger dans le coffre-fort").click()
    assert "statuts.pdf" in page.locator("table").inner_text()
    check_a11y(page, "coffre-fort")

    # Find the scheme in the Guide and file it.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Guide des aides"
    ).click()
    page.get_by_label("Mots-clés").fill("festivals")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Soutien aux festivals").first.click()
    page.get_by_role("link", name="Déposer une demande").click()
    check_a11y(page, "pour qui")
    page.get_by_role("button", name="Commencer la demande").click()

    dossier = Dossier.objects.get()
    schema = dossier.version.schema
    answers = valid_answers(schema)
    answers["demandeur_type"] = "association"
    rib = tmp_path / "rib.pdf"
    rib.write_bytes(PDF)
    for key in step_keys(schema):
        page.wait_for_url(f"**/compte/demandes/{dossier.pk}/{key}/")
        step = next(s for s in schema["steps"] if s["key"] == key)
        if key == "demandeur":
            # Prefilled from the verified association: the SIRET is already there.
            assert page.locator('[name="demandeur-siret"]').input_value() == SIRET_ASSOCIATION
        if key == "pieces":
            assert "Document déjà fourni" in page.locator("main").inner_text()
            fill_step(page, {**step, "fields": []}, {}, {"piece_rib": str(rib)})
        else:
            fill_step(page, step, answers)
        check_a11y(page, f"étape {key}")
        page.get_by_role("button", name="Enregistrer et continuer").click()

    page.wait_for_url(f"**/compte/demandes/{dossier.pk}/recapitulatif/")
    check_a11y(page, "récapitulatif")
    page.get_by_role("button", name="Déposer ma demande").click()
    page.wait_for_url(f"**/compte/dossiers/{dossier.pk}/")
    dossier.refresh_from_db()
    assert dossier.etat == Etat.DEPOSE
    assert dossier.numero in page.locator("h1").inner_text()
    assert dossier.pieces.get(code="statuts").document_coffre is not None
    check_a11y(page, "suivi du dossier")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes demandes"
    ).click()
    assert dossier.numero in page.locator("main").inner_text()
    check_a11y(page, "tableau de bord")


def login(page, email):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_instructor_asks_a_piece_applicant_sends_it_instructor_proposes_valideur_approves(
    page, check_a11y, festivals, tmp_path
):
    from mdna.models import Adhesion, Tiers

    claire = UserFactory(email="claire@treteaux.fr", first_name="Claire")
    tiers = Tiers.objects.create(
        type="association", nom="Les Tréteaux", siret="73282932000074", rna="W872001234"
    )
    Adhesion.objects.create(user=claire, tiers=tiers, role="proprietaire")
    dossier = deposer(festivals, tiers, claire)
    UserFactory(
        email="marc@region.fr", role="instructeur", service=festivals.service, first_name="Marc"
    )
    UserFactory(
        email="sophie@region.fr", role="valideur", service=festivals.service, first_name="Sophie"
    )

    login(page, "marc@region.fr")
    page.get_by_role("link", name="File de travail").click()
    check_a11y(page, "file de travail")
    page.get_by_role("link", name=dossier.numero).click()
    check_a11y(page, "écran dossier")
    page.get_by_label("Statuts à jour").check()
    page.get_by_label("Message au demandeur").fill("Les statuts ne sont pas signés.")
    page.get_by_role("button", name="Envoyer la demande de pièces").click()
    assert "La demande de pièces est envoyée" in page.locator("main").inner_text()
    logout(page)

    login(page, "claire@treteaux.fr")
    page.goto(f"/compte/dossiers/{dossier.pk}/")
    assert "Pièces à fournir" in page.locator("main").inner_text()
    check_a11y(page, "pièces demandées")
    signed = tmp_path / "statuts-signes.pdf"
    signed.write_bytes(PDF)
    page.set_input_files('[name="piece_statuts"]', str(signed))
    page.get_by_role("button", name="Envoyer les pièces").click()
    assert "vos pièces sont transmises" in page.locator("main").inner_text()
    logout(page)

    login(page, "marc@region.fr")
    page.goto(f"/instruction/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Déclarer complet et instruire").click()
    dossier.refresh_from_db()
    assert dossier.etat == Etat.EN_INSTRUCTION
    page.get_by_label("Montant proposé (€)").fill("1 000")
    page.get_by_label("Justification").fill("Festival reconnu, budget équilibré.")
    page.get_by_role("button", name="Transmettre au valideur").click()
    assert "Proposition transmise au valideur" in page.locator("main").inner_text()
    check_a11y(page, "après proposition")
    logout(page)

    login(page, "sophie@region.fr")
    page.goto(f"/instruction/dossiers/{dossier.pk}/")
    check_a11y(page, "validation")
    page.get_by_role("button", name="Approuver").click()
    assert "Proposition approuvée" in page.locator("main").inner_text()
    assert dossier.propositions.get().statut == "approuvee"
