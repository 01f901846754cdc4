"""The permission matrix: endpoints × roles × token scopes. The same rules as the HTML views:
an applicant sees their organisations' dossiers, an agent their Service's, an advisor what an
organisation granted; out of scope is a 404, a wrong role a 403, no credentials a 401."""

import pytest
from rest_framework.test import APIClient

from mdna.models import AccesConseiller, PorteeJeton, Role
from tests.api.conftest import client_jeton
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

L, E = PorteeJeton.LECTURE, PorteeJeton.ECRITURE


@pytest.fixture
def acteurs(claire, karim, marc, sophie, agent_autre_service, association):
    conseiller = UserFactory(role=Role.CONSEILLER, email="helene@cci.fr")
    AccesConseiller.objects.create(tiers=association, conseiller=conseiller, accorde_par=claire)
    return {
        "anonyme": None,
        "demandeur": claire,
        "autre_demandeur": karim,
        "instructeur": marc,
        "valideur": sophie,
        "instructeur_autre_service": agent_autre_service,
        "gestionnaire": UserFactory(role=Role.GESTIONNAIRE),
        "conseiller_autorise": conseiller,
        "conseiller_non_autorise": UserFactory(role=Role.CONSEILLER),
        "administrateur": UserFactory(administrateur=True),
    }


ENDPOINTS = {
    "mes_dossiers": ("get", "/api/v1/usager/dossiers/{pk}/", None),
    "creer_brouillon": ("post", "/api/v1/usager/dossiers/", "brouillon"),
    "ecrire_au_service": ("post", "/api/v1/usager/dossiers/{pk}/messages/", {"texte": "Bonjour"}),
    "file": ("get", "/api/v1/instruction/dossiers/", None),
    "dossier_agent": ("get", "/api/v1/instruction/dossiers/{pk}/", None),
    "transition": (
        "post",
        "/api/v1/instruction/dossiers/{pk}/transitions/declarer_complet/",
        {},
    ),
    "ecrire_au_demandeur": (
        "post",
        "/api/v1/instruction/dossiers/{pk}/messages/",
        {"texte": "Bonjour"},
    ),
    "flux": ("get", "/api/v1/evenements/", None),
    "abonnement": ("post", "/api/v1/webhooks/", {"url": "https://partenaire.exemple/hook"}),
    "subventions": ("get", "/api/v1/donnees-ouvertes/subventions/", None),
}

ROLES = (
    "anonyme", "demandeur", "autre_demandeur", "instructeur", "valideur",
    "instructeur_autre_service", "gestionnaire", "conseiller_autorise",
    "conseiller_non_autorise", "administrateur",
)  # fmt: skip
# Expected status with a write token, one column per role of ROLES; a read-only token gets a
# 403 on every write it may reach.
# fmt: off
TABLE = {
    #                     anon dem  autre inst val  inst2 gest cons  cons2 admin
    "mes_dossiers":        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403),
    "creer_brouillon":     (401, 201, 400, 403, 403, 403, 403, 403, 403, 403),
    "ecrire_au_service":   (401, 201, 404, 403, 403, 403, 403, 403, 403, 403),
    "file":                (401, 403, 403, 200, 200, 200, 200, 200, 200, 200),
    "dossier_agent":       (401, 403, 403, 200, 200, 404, 404, 200, 404, 200),
    "transition":          (401, 403, 403, 200, 200, 404, 404, 404, 404, 200),
    "ecrire_au_demandeur": (401, 403, 403, 201, 201, 404, 404, 404, 404, 201),
    "flux":                (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "abonnement":          (401, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    "subventions":         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on
ATTENDU = {endpoint: dict(zip(ROLES, codes, strict=True)) for endpoint, codes in TABLE.items()}
# Who sees the deposit in the events feed.
VOIT_LE_DEPOT = {"demandeur", "instructeur", "valideur", "conseiller_autorise", "administrateur"}

CAS = [
    (endpoint, role, portee)
    for endpoint in ENDPOINTS
    for role in ATTENDU[endpoint]
    for portee in ((E,) if role == "anonyme" else (L, E))
]


@pytest.mark.parametrize(("endpoint", "role", "portee"), CAS)
def test_permission_matrix(endpoint, role, portee, acteurs, dossier, festivals, association):
    user = acteurs[role]
    client = APIClient() if user is None else client_jeton(user, portee)
    methode, url, corps = ENDPOINTS[endpoint]
    if corps == "brouillon":
        corps = {"dispositif": festivals.slug, "tiers": association.pk}
    reponse = getattr(client, methode)(url.format(pk=dossier.pk), corps, format="json")
    attendu = ATTENDU[endpoint][role]
    if portee == L and methode != "get" and user is not None:
        attendu = 403  # a read-only token never writes, whatever its owner may do
    assert reponse.status_code == attendu, reponse.content
    if endpoint == "flux" and attendu == 200:
        vus = {e["dossier"] for e in reponse.json()["results"]}
        assert (dossier.pk in vus) == (role in VOIT_LE_DEPOT)
    if endpoint == "file" and attendu == 200:
        vus = {d["id"] for d in reponse.json()["results"]}
        assert (dossier.pk in vus) == (role in VOIT_LE_DEPOT - {"demandeur"})


def test_the_html_views_and_the_api_agree_on_scope(client, acteurs, dossier):
    """The same selector answers both: whoever opens the back-office page opens the API detail."""
    for role, user in acteurs.items():
        if user is None:
            continue
        client.force_login(user)
        html = client.get(f"/instruction/dossiers/{dossier.pk}/").status_code
        api = client_jeton(user).get(f"/api/v1/instruction/dossiers/{dossier.pk}/").status_code
        assert (html == 200) == (api == 200), role
        html = client.get(f"/compte/dossiers/{dossier.pk}/").status_code
        api = client_jeton(user).get(f"/api/v1/usager/dossiers/{dossier.pk}/").status_code
        assert (html == 200) == (api == 200), role
