"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis): for an
anonymous caller, an applicant and an instructor, generated requests to every operation never
get a server error nor a response (status, content type, headers, body) the schema does not
declare."""

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mdna import jetons
from mdna.models import PorteeJeton
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 4


@pytest.mark.parametrize("identite", ["anonyme", "demandeur", "instructeur", "gestionnaire"])
def test_no_server_error_and_every_response_matches_the_schema(
    identite, schema, claire, marc, dossier
):
    headers = {}
    if identite != "anonyme":
        user = {"demandeur": claire, "instructeur": marc}.get(identite) or UserFactory(
            role="gestionnaire"
        )
        _, valeur = jetons.jeton_creer(par=user, nom="schemathesis", portee=PorteeJeton.ECRITURE)
        headers["Authorization"] = f"Bearer {valeur}"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_real_responses_match_the_schema(schema, claire, marc, dossier, association, festivals):
    """Successful responses on real data (generated ids mostly miss): each body is checked
    against its declared schema."""
    from tests.api.conftest import fichier_pdf

    def appel(user, methode, chemin, **kwargs):
        _, valeur = jetons.jeton_creer(par=user, nom="schemathesis", portee=PorteeJeton.ECRITURE)
        if "body" in kwargs:
            kwargs.setdefault("media_type", "application/json")
        case = schema[chemin][methode].Case(**kwargs)
        reponse = case.call_and_validate(
            headers={"Authorization": f"Bearer {valeur}"}, checks=CHECKS
        )
        assert reponse.status_code < 300, reponse.text
        return reponse

    pk = {"id": dossier.pk}
    appel(claire, "GET", "/api/v1/usager/dossiers/", query={"etat": ["depose"]})
    appel(claire, "GET", "/api/v1/usager/dossiers/{id}/", path_parameters=pk)
    appel(claire, "GET", "/api/v1/usager/organisations/")
    brouillon = appel(
        claire,
        "POST",
        "/api/v1/usager/dossiers/",
        body={"dispositif": festivals.slug, "tiers": association.pk},
    ).json()
    from dispositifs.engine.exemples import valid_answers
    from dispositifs.models import Dossier

    schema_formulaire = Dossier.objects.get(pk=brouillon["id"]).version.schema
    exemple = valid_answers(schema_formulaire)
    etape_projet = next(s for s in schema_formulaire["steps"] if s["key"] == "projet")
    projet = {f["key"]: exemple[f["key"]] for f in etape_projet["fields"] if f["key"] in exemple}
    appel(
        claire,
        "PUT",
        "/api/v1/usager/dossiers/{id}/etapes/{etape}/",
        path_parameters={"id": brouillon["id"], "etape": "projet"},
        body={"reponses": projet},
    )
    appel(
        claire,
        "POST",
        "/api/v1/usager/dossiers/{id}/pieces/",
        path_parameters={"id": brouillon["id"]},
        body={"champ": "piece_statuts", "fichier": fichier_pdf().read()},
        media_type="multipart/form-data",
    )
    appel(
        claire,
        "POST",
        "/api/v1/usager/dossiers/{id}/messages/",
        path_parameters=pk,
        body={"texte": "Bonjour"},
    )
    appel(marc, "GET", "/api/v1/instruction/dossiers/", query={"departement": "87"})
    appel(marc, "GET", "/api/v1/instruction/dossiers/{id}/", path_parameters=pk)
    appel(marc, "GET", "/api/v1/instruction/dossiers/{id}/messages/", path_parameters=pk)
    appel(
        marc,
        "POST",
        "/api/v1/instruction/dossiers/{id}/transitions/{nom}/",
        path_parameters={**pk, "nom": "declarer_complet"},
        body={},
    )
    appel(marc, "GET", "/api/v1/evenements/")
    appel(marc, "POST", "/api/v1/webhooks/", body={"url": "https://partenaire.exemple/h"})
    appel(marc, "GET", "/api/v1/webhooks/")
    appel(marc, "GET", "/api/v1/donnees-ouvertes/subventions/", query={"tous": True})
