"""The public, read-only catalogue API (/api/v1/): list and filters (the Guide's selectors),
a scheme's published configuration and generated form, its versions, and the OpenAPI schema."""

import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.db import connection, transaction
from drf_spectacular.validation import validate_schema

from dispositifs import selectors
from dispositifs.engine.tronc import MODULE_STEPS

CATALOGUE = json.loads(
    (Path(__file__).resolve().parents[2] / "dispositifs/data/catalogue.json").read_text()
)
LIST = "/api/v1/dispositifs/"

pytestmark = pytest.mark.django_db  # every test: the catalogue fixture needs the test database


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The Region's 265 schemes, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert re.search(r"test|memory", str(connection.settings_dict["NAME"])), "test DB only"
        call_command("load_catalogue", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api(catalogue, client):
    def get(url, params=None, status=200):
        response = client.get(url, params or {})
        assert response.status_code == status, response.content
        assert response["Content-Type"].startswith("application/json")
        return response.json()

    return get


def count_where(predicate) -> int:
    return sum(1 for e in CATALOGUE if predicate(e))


def test_list_is_public_and_paginated(api):
    page = api(LIST)
    assert page["count"] == 265 == len(CATALOGUE)
    assert len(page["results"]) == 50
    assert page["previous"] is None
    assert page["next"].endswith("/api/v1/dispositifs/?page=2")
    last = api(LIST, {"page": 6})
    assert len(last["results"]) == 265 - 5 * 50 and last["next"] is None


def test_list_item_describes_the_scheme(api):
    festival = api(LIST, {"q": "festival"})["results"][0]
    assert festival["slug"] == "soutien-aux-festivals"
    assert festival["beneficiaires"] == ["association", "collectivite"]
    assert festival["regle"] == {"taux": "50.00", "plancher": None, "plafond": "30000.00"}
    assert festival["fenetre"] == {
        "type": "appel_a_projets",
        "ouverture": "2026-09-01",
        "cloture": "2027-01-15",
    }
    assert festival["service"]["code"] == "DCP"
    assert festival["url"] == "http://testserver/aides/soutien-aux-festivals/"


def test_list_filters_are_the_guides(api):
    assert api(LIST, {"beneficiaire": "particulier"})["count"] == count_where(
        lambda e: "particulier" in e["beneficiaires"]
    )
    assert api(LIST, {"thematique": "Tourisme"})["count"] == 15
    assert api(LIST, {"departement": "87"})["count"] == count_where(
        lambda e: not e["departements"] or "87" in e["departements"]
    )
    particuliers_87 = api(LIST, {"beneficiaire": "particulier", "departement": "87"})
    assert (
        particuliers_87["count"]
        == selectors.guide_dispositifs(beneficiaire="particulier", departement="87").count()
    )


@time_machine.travel("2026-11-23 10:00 +01:00", tick=False)
def test_open_filter_and_window_status(api):
    ouverts = api(LIST, {"ouvert": "true", "q": "festival"})["results"]
    assert "soutien-aux-festivals" in [d["slug"] for d in ouverts]
    assert (
        api(LIST, {"ouvert": "true"})["count"] == selectors.guide_dispositifs(ouvert=True).count()
    )
    ferme = api(f"{LIST}culture-et-sante/")
    assert ferme["statut_depot"] == {"code": "ferme", "texte": "Fermé"}


def test_invalid_filter_is_a_400_naming_it(api):
    errors = api(LIST, {"departement": "75", "beneficiaire": "martien"}, status=400)
    assert set(errors) == {"departement", "beneficiaire"}


def test_detail_has_the_published_configuration_and_the_generated_form(api):
    detail = api(f"{LIST}soutien-aux-festivals/")
    assert detail["version"] == 1
    assert detail["configuration"]["modules"] == ["fonctionnement"]
    assert [p["code"] for p in detail["configuration"]["pieces"]][:3] == [
        "statuts",
        "deliberation",
        "budget_previsionnel",
    ]
    assert detail["configuration"]["regle"]["plafond"] == "30000"
    assert sum(e["pourcentage"] == "50.00" for e in detail["configuration"]["echeancier"]) == 2

    steps = detail["formulaire"]["steps"]
    assert [s["key"] for s in steps] == [
        "demandeur",
        "projet",
        "fonctionnement",
        "complements",
        "financement",
        "banque",
        "pieces",
        "engagements",
    ]
    fields = {f["key"]: f for s in steps for f in s["fields"]}
    assert {"demandeur_type", "siret", "montant_demande", "iban"} <= set(fields)
    assert {f["key"] for f in MODULE_STEPS["fonctionnement"]["fields"]} <= set(fields)
    assert {"edition", "nb_spectateurs", "discipline", "piece_budget_previsionnel"} <= set(fields)
    assert fields["siret"]["condition"] == {
        "field": "demandeur_type",
        "in": ["association", "collectivite"],
    }
    assert fields["demandeur_type"]["choices"] == [
        ["association", "Association"],
        ["collectivite", "Collectivité territoriale"],
    ]
    assert fields["montant_demande"]["required"] is True
    assert fields["montant_demande"]["json_schema"]["format"] == "decimal"
    assert fields["depenses"]["json_schema"]["type"] == "array"
    for field in fields.values():
        jsonschema.Draft202012Validator.check_schema(field["json_schema"])


def test_detail_of_a_scheme_for_individuals_has_no_company_fields(api):
    detail = api(f"{LIST}mobilite-internationale-etudiants/")
    keys = {f["key"] for s in detail["formulaire"]["steps"] for f in s["fields"]}
    assert {"demandeur_type", "date_naissance", "situation", "iban"} <= keys
    assert not {"siret", "rna", "effectif"} & keys


def test_a_given_version(api):
    version = api(f"{LIST}soutien-aux-festivals/versions/1/")
    assert version["dispositif"] == "soutien-aux-festivals"
    assert version["numero"] == 1 and version["courante"] is True
    assert version["formulaire"] == api(f"{LIST}soutien-aux-festivals/")["formulaire"]
    assert "detail" in api(f"{LIST}soutien-aux-festivals/versions/2/", status=404)


def test_unknown_slug_is_a_json_404(api):
    error = api(f"{LIST}cette-aide-n-existe-pas/", status=404)
    assert error == {"detail": "Aucun dispositif publié ne porte cet identifiant."}
    assert "detail" in api(f"{LIST}cette-aide-n-existe-pas/versions/1/", status=404)


def test_read_only(catalogue, client):
    assert client.post(LIST, {}).status_code == 405
    assert client.delete(f"{LIST}soutien-aux-festivals/").status_code == 405


def test_openapi_schema_describes_the_catalogue(catalogue, client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    paths = schema["paths"]
    assert {
        "/api/v1/dispositifs/",
        "/api/v1/dispositifs/{slug}/",
        "/api/v1/dispositifs/{slug}/versions/{numero}/",
    } <= set(paths)
    parametres = {p["name"] for p in paths["/api/v1/dispositifs/"]["get"]["parameters"]}
    assert {"q", "beneficiaire", "thematique", "departement", "ouvert", "page"} <= parametres
    detail = schema["components"]["schemas"]["DispositifDetail"]["properties"]
    assert {"version", "configuration", "formulaire"} <= set(detail)
    as_json = client.get("/api/v1/schema/", {"format": "json"})
    assert json.loads(as_json.content)["paths"].keys() == paths.keys()


def test_docs_page_lists_the_endpoints_without_third_party_scripts(catalogue, client):
    html = client.get("/api/v1/docs/").content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert 'href="/api/v1/schema/"' in html and 'href="/api/v1/dispositifs/"' in html
    assert "cdn" not in html.lower()


def test_list_runs_two_queries_whatever_the_page_or_filter(
    catalogue, client, django_assert_num_queries
):
    for params in [{}, {"page": 3}, {"q": "festival"}, {"beneficiaire": "particulier"}]:
        with django_assert_num_queries(2):  # count, page
            assert client.get(LIST, params).status_code == 200


def test_detail_and_version_are_one_query(catalogue, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(f"{LIST}soutien-aux-festivals/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"{LIST}soutien-aux-festivals/versions/1/").status_code == 200
