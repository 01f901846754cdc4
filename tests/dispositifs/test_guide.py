"""The Guide des aides: search and filters over the Region's catalogue, one fiche per scheme, the
eligibility helper (Léa's journey), and the number of queries of each page.

Expected sets are computed from ``catalogue.json`` in plain Python, so the tests say what a
reader of the catalogue would check by hand."""

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import factory
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dispositifs import selectors
from dispositifs.models import Dispositif
from dispositifs.services import dispositif_publier
from tests.factories import ServiceFactory

CATALOGUE = json.loads(
    (Path(__file__).resolve().parents[2] / "dispositifs/data/catalogue.json").read_text()
)
LUNDI = "2026-11-23 10:00 +01:00"  # a Monday of the 2026-2027 calls for projects
JOUR = dt.date(2026, 11, 23)

pytestmark = pytest.mark.django_db  # every test: the catalogue fixture needs the test database


class DispositifFactory(factory.django.DjangoModelFactory):
    """A scheme; ``DispositifFactory(publie=True)`` publishes it (a frozen version)."""

    class Meta:
        model = Dispositif
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"dispositif-de-test-{n}")
    nom = factory.Sequence(lambda n: f"Dispositif de test {n}")
    resume = "Une aide pour vérifier le guide."
    description = "Ce dispositif n'existe que dans les tests."
    thematique = "Culture"
    service = factory.SubFactory(ServiceFactory)
    beneficiaires = factory.LazyFunction(lambda: ["association"])
    modules = factory.LazyFunction(lambda: ["fonctionnement"])

    @factory.post_generation
    def publie(obj, create, extracted, **kwargs):
        if create and extracted:
            dispositif_publier(dispositif=obj, par=None)
            obj.refresh_from_db()


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The Region's 265 schemes, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert re.search(r"test|memory", str(connection.settings_dict["NAME"])), "test DB only"
        call_command("load_catalogue", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def guide(catalogue, db):
    """Slugs returned by the Guide's selector for these filters."""

    def chercher(**filtres) -> list[str]:
        return list(selectors.guide_dispositifs(**filtres).values_list("slug", flat=True))

    return chercher


def slugs_where(predicate) -> set[str]:
    return {e["slug"] for e in CATALOGUE if predicate(e)}


def ouvert_le(entry: dict, jour: dt.date) -> bool:
    fenetre = entry["fenetre"]
    if fenetre["type"] == "permanente":
        return True
    return (
        dt.date.fromisoformat(fenetre["ouverture"])
        <= jour
        <= dt.date.fromisoformat(fenetre["cloture"])
    )


def result_slugs(html: str) -> list[str]:
    return re.findall(r'class="resultat__titre"><a href="/aides/([^/]+)/"', html)


# --- Search and filters --------------------------------------------------------------------------


def test_search_festival_finds_the_festival_scheme_first(guide):
    found = guide(q="festival")
    assert found[0] == "soutien-aux-festivals"
    assert "aide-aux-manifestations-litteraires" in found  # « festivals littéraires » in its text
    assert len(found) < 10


def test_search_ignores_case_and_needs_every_word(guide):
    assert guide(q="FESTIVALS")[0] == "soutien-aux-festivals"
    assert guide(q="festival bourse étudiants") == []


def test_beneficiaire_particulier_lists_only_schemes_for_individuals(guide):
    found = guide(beneficiaire="particulier")
    assert set(found) == slugs_where(lambda e: "particulier" in e["beneficiaires"])
    assert "mobilite-internationale-etudiants" in found
    assert "soutien-aux-festivals" not in found


def test_thematique_is_an_exact_match(guide):
    assert set(guide(thematique="Tourisme")) == slugs_where(lambda e: e["thematique"] == "Tourisme")
    assert guide(thematique="Touris") == []


@time_machine.travel(LUNDI, tick=False)
def test_open_now_excludes_closed_and_future_calls(guide):
    found = set(guide(ouvert=True))
    assert found == slugs_where(lambda e: ouvert_le(e, JOUR))
    assert "soutien-aux-festivals" in found  # call open until 15 January 2027
    assert "mobilite-internationale-etudiants" in found  # permanent
    assert "culture-et-sante" not in found  # closed on 30 April 2026
    assert "aide-a-l-ecriture-de-scenarios" not in found  # opens on 1 December 2026


@time_machine.travel(LUNDI, tick=False)
def test_closing_soon_lists_open_calls_ending_within_seven_days(guide):
    found = set(guide(cloture_proche=True))
    fin = JOUR + dt.timedelta(days=7)
    assert found == slugs_where(
        lambda e: (
            e["fenetre"]["type"] == "appel_a_projets"
            and ouvert_le(e, JOUR)
            and dt.date.fromisoformat(e["fenetre"]["cloture"]) <= fin
        )
    )
    assert "aide-aux-residences-d-artistes-en-territoire" in found  # closes on 24 November
    assert "soutien-aux-festivals" not in found
    assert "mobilite-internationale-etudiants" not in found  # permanent: never "closing"


def test_departement_87_keeps_whole_region_schemes_and_its_own(guide):
    found = set(guide(departement="87"))
    assert found == slugs_where(lambda e: not e["departements"] or "87" in e["departements"])
    assert "soutien-aux-festivals" in found  # whole Region
    assert "developpement-des-territoires-de-montagne" in found  # 19, 23, 64, 87
    assert "modernisation-des-navires-de-peche" not in found  # coast only: 17, 33, 40, 64


def test_filters_combine(guide):
    found = set(guide(q="apprentis", beneficiaire="particulier", departement="64"))
    assert found
    for dispositif in Dispositif.objects.filter(slug__in=found):
        assert "particulier" in dispositif.beneficiaires
        assert not dispositif.departements or "64" in dispositif.departements


def test_thematiques_are_counted_and_sorted_without_accents(catalogue, db):
    thematiques = selectors.thematiques()
    assert sum(t.nombre for t in thematiques) == len(CATALOGUE)
    noms = [t.nom for t in thematiques]
    assert noms.index("Économie circulaire") < noms.index("Emploi") < noms.index("Tourisme")
    assert next(t.nombre for t in thematiques if t.nom == "Tourisme") == 15


def test_drafts_are_never_shown(catalogue, client):
    brouillon = DispositifFactory(nom="Festival en préparation", slug="festival-en-preparation")
    assert brouillon.slug not in result_slugs(client.get("/aides/?q=festival").content.decode())
    assert client.get("/aides/festival-en-preparation/").status_code == 404
    assert client.get("/api/v1/dispositifs/festival-en-preparation/").status_code == 404
    publie = DispositifFactory(nom="Festival publié", slug="festival-publie", publie=True)
    assert publie.slug in result_slugs(client.get("/aides/?q=festival").content.decode())


# --- The Guide page ------------------------------------------------------------------------------


def test_guide_page_announces_the_count_and_paginates_by_20(catalogue, client):
    response = client.get("/aides/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert re.search(r'role="status">\s*265 aides trouvées — page 1 sur 14', html)
    assert len(result_slugs(html)) == 20
    assert 'href="/aides/" aria-current="page">Guide des aides' in html
    last = client.get("/aides/?page=14").content.decode()
    assert len(result_slugs(last)) == 265 - 13 * 20


def test_every_control_of_the_search_form_has_a_label(catalogue, client):
    html = client.get("/aides/").content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html)
    assert {"id_q", "id_beneficiaire", "id_thematique", "id_departement", "id_ouvert"} <= set(ids)
    for control in ids:
        assert f'<label class="champ__libelle" for="{control}">' in html or (
            f'<label for="{control}">' in html
        ), control


@time_machine.travel(LUNDI, tick=False)
def test_guide_search_keeps_filters_across_pages_and_shows_the_status(catalogue, client):
    html = client.get("/aides/?q=festival").content.decode()
    assert result_slugs(html)[0] == "soutien-aux-festivals"
    assert re.search(r'role="status">\s*3 aides trouvées', html)
    assert "Clôture le 15 janvier 2027" in html
    html = client.get("/aides/?departement=87&ouvert=on").content.decode()
    assert "departement=87&amp;ouvert=on&amp;page=2" in html


def test_an_invalid_filter_is_reported_and_ignored(catalogue, client):
    html = client.get("/aides/?departement=99").content.decode()
    assert 'id="resume-erreurs"' in html
    assert re.search(r'role="status">\s*265 aides trouvées', html)


# --- The fiche -----------------------------------------------------------------------------------


@time_machine.travel(LUNDI, tick=False)
def test_fiche_shows_amounts_pieces_deadline_service_and_the_button_when_open(catalogue, client):
    html = client.get("/aides/soutien-aux-festivals/").content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "50\u00a0% des dépenses retenues" in html
    assert "30\u00a0000,00\u00a0€" in html
    assert "Budget prévisionnel" in html
    assert "équilibré en charges et en produits" in html  # the piece's help text
    assert "du 1er septembre 2026 au 15 janvier 2027 inclus" in html
    assert "Direction de la culture et du patrimoine" in html
    assert "le budget de votre structure ou de votre action" in html  # module, in plain words
    assert "Associations" in html and "Collectivités territoriales" in html
    assert 'href="/compte/demandes/nouvelle/soutien-aux-festivals/"' in html
    assert "Déposer une demande" in html


@time_machine.travel(LUNDI, tick=False)
def test_fiche_of_a_closed_or_future_call_says_when_instead_of_the_button(catalogue, client):
    closed = client.get("/aides/culture-et-sante/").content.decode()
    assert "Déposer une demande" not in closed
    assert "clos depuis le 30 avril 2026" in closed
    future = client.get("/aides/aide-a-l-ecriture-de-scenarios/").content.decode()
    assert "Déposer une demande" not in future
    assert "ouvrira le 1er décembre 2026" in future


def test_fiche_of_a_permanent_scheme_limited_to_some_departements(catalogue, client):
    html = client.get("/aides/developpement-des-territoires-de-montagne/").content.decode()
    assert "Corrèze, Creuse, Pyrénées-Atlantiques, Haute-Vienne" in html


def test_unknown_fiche_is_a_404(catalogue, client):
    assert client.get("/aides/cette-aide-n-existe-pas/").status_code == 404


# --- Eligibility helper --------------------------------------------------------------------------


def test_lea_student_in_gironde_finds_the_mobility_grant(catalogue, client):
    response = client.get(
        "/aides/eligibilite/",
        {"qui": "particulier", "departement": "33", "projet": "former", "montant": "2 400"},
    )
    html = response.content.decode()
    assert "mobilite-internationale-etudiants" in result_slugs(html)
    assert re.search(r'role="status">\d+ aides correspondent à vos réponses', html)
    assert "Elle s&#x27;adresse aux particuliers." in html
    assert "Votre montant (2\u202f400,00\u00a0€) entre dans ses limites" in html


@time_machine.travel(LUNDI, tick=False)
def test_eligibility_matches_beneficiary_zone_module_and_floor(catalogue, db):
    found = selectors.eligibilite(
        qui="particulier", departement="33", projet="former", montant=Decimal("2400")
    )
    slugs = {c.dispositif.slug for c in found}
    assert slugs == slugs_where(
        lambda e: (
            "particulier" in e["beneficiaires"]
            and "formation" in e["modules"]
            and (not e["departements"] or "33" in e["departements"])
            and (e["regle"]["plancher"] is None or Decimal(e["regle"]["plancher"]) <= 2400)
        )
    )
    lea = next(c for c in found if c.dispositif.slug == "mobilite-internationale-etudiants")
    assert lea.raisons[:3] == [
        "Elle s'adresse aux particuliers.",
        "Elle concerne toute la Région.",
        "Elle finance les projets de ce type : formation, emploi et aides aux personnes.",
    ]
    # Open schemes first; among them, those whose ceiling covers the amount before the others.
    ouverts = [c for c in found if c.statut.ouvert]
    assert found[: len(ouverts)] == ouverts
    trop_petits = [
        c.dispositif.plafond is not None and c.dispositif.plafond < 2400 for c in ouverts
    ]
    assert trop_petits == sorted(trop_petits) and not trop_petits[0] and trop_petits[-1]


def test_eligibility_excludes_schemes_whose_minimum_is_above_the_amount(catalogue, db):
    entry = next(
        e
        for e in CATALOGUE
        if e["regle"]["plancher"]
        and not e["departements"]
        and "entreprise" in e["beneficiaires"]
        and "investissement" in e["modules"]
    )
    plancher = Decimal(entry["regle"]["plancher"])

    def slugs(montant):
        return {
            c.dispositif.slug
            for c in selectors.eligibilite(
                qui="entreprise", departement="47", projet="investir", montant=montant
            )
        }

    assert entry["slug"] in slugs(plancher)
    assert entry["slug"] not in slugs(plancher - 1)
    assert entry["slug"] in slugs(None)


def test_eligibility_form_asks_again_when_answers_are_missing(catalogue, client):
    html = client.get("/aides/eligibilite/", {"qui": "particulier", "montant": "beaucoup"})
    html = html.content.decode()
    assert 'id="resume-erreurs"' in html
    assert "Choisissez le département de votre projet." in html
    assert "Indiquez un montant en euros" in html
    assert "aides correspondent" not in html


def test_eligibility_page_without_answers_shows_only_the_questions(catalogue, client):
    html = client.get("/aides/eligibilite/").content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "<legend" in html and 'id="resume-erreurs"' not in html
    assert 'for="id_departement"' in html and 'for="id_montant"' in html


# --- Queries -------------------------------------------------------------------------------------


def test_guide_list_runs_the_same_few_queries_whatever_the_results(catalogue, client):
    """Thematiques, count, page of results: 3 queries for 3 results as for a page of 20."""
    counts = {}
    for url in [
        "/aides/",
        "/aides/?page=7",
        "/aides/?q=festival",
        "/aides/?beneficiaire=particulier&departement=87&ouvert=on",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    assert set(counts.values()) == {3}, counts
    with CaptureQueriesContext(connection) as queries:
        client.get("/aides/?q=aucun-resultat-possible")
    assert len(queries) == 2  # nothing found: no page to read


def test_fiche_is_one_query(catalogue, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/aides/soutien-aux-festivals/").status_code == 200


def test_eligibility_results_are_one_query(catalogue, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(
            "/aides/eligibilite/",
            {"qui": "association", "departement": "23", "projet": "fonctionner"},
        )
