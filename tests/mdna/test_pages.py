import json
import re

import pytest
from django.db import connection
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/accessibilite/",
    "/mentions-legales/",
    "/contact/",
    "/donnees-personnelles/",
    "/compte/connexion/",
    "/compte/inscription/",
    "/compte/mot-de-passe/oublie/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_have_landmarks_one_h1_and_a_skip_link(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in html
    assert "Région Nouvelle-Aquitaine" in html
    assert "Accessibilité" in html and "Mentions légales" in html


def test_strict_content_security_policy_and_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_primary_colour_comes_from_settings(client, settings):
    settings.MDNA_PRIMARY_COLOR = "#005a8c"
    response = client.get("/theme.css")
    assert response["Content-Type"].startswith("text/css")
    assert "--couleur-primaire: #005a8c" in response.content.decode()


def test_unknown_url_gets_a_styled_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and "Retour à l" in html


@override_settings(ROOT_URLCONF="tests.mdna.urls_erreur")
def test_server_error_shows_a_reference_never_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    reference = response["X-Request-Reference"]
    assert re.fullmatch(r"[0-9A-F]{8}", reference)
    assert reference in html
    assert "Traceback" not in html and "RuntimeError" not in html


def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["database_vendor"] == connection.vendor
    if settings.REDIS_URL:
        assert data["broker"] == "ok"
    else:
        assert data["broker"] == "non configuré"


def test_healthz_says_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["broker"].startswith("erreur")


def test_dashboard_requires_login_and_shows_role(client):
    from tests.factories import UserFactory

    assert client.get("/tableau-de-bord/").status_code == 302
    user = UserFactory(instructeur=True, first_name="Marc")
    client.force_login(user)
    html = client.get("/tableau-de-bord/").content.decode()
    assert "Bonjour Marc" in html and "Instructeur" in html and user.service.nom in html
