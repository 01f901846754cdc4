"""FranceConnect login against a local fake OpenID Connect provider (a real HTTP server on
loopback: no network, no mock of our code)."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings
from django.urls import reverse

from mdna.models import AuditEvent, Role, User

CLIENT_ID = "mdna-test"
SECRET = "secret-de-test-franceconnect-assez-long"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(nonce: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    payload = _b64(
        json.dumps(
            {
                "iss": "fake-fc",
                "sub": "fc-123",
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 60,
                "nonce": nonce,
            }
        ).encode()
    )
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


@pytest.fixture
def provider():
    state = {"nonce": "", "claims": {}}

    class Handler(BaseHTTPRequestHandler):
        def _json(self, data):
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # token endpoint
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._json(
                {
                    "access_token": "jeton-acces",
                    "token_type": "Bearer",
                    "id_token": id_token(state["nonce"]),
                }
            )

        def do_GET(self):  # userinfo endpoint
            self._json(state["claims"])

        def log_message(self, *args):
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    with override_settings(
        FRANCECONNECT_ACTIVE=True,
        AUTHENTICATION_BACKENDS=[
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
            "mdna.franceconnect.FranceConnectBackend",
        ],
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_OP_USER_ENDPOINT=f"{base}/userinfo",
        OIDC_RP_SIGN_ALGO="HS256",
        OIDC_RP_SCOPES="openid email given_name family_name",
        OIDC_AUTHENTICATION_CALLBACK_URL="franceconnect_retour",
        LOGIN_REDIRECT_URL_FAILURE="/compte/connexion/",
    ):
        yield state
    server.shutdown()
    server.server_close()


def _login_with_franceconnect(client, provider, claims):
    provider["claims"] = claims
    response = client.get(reverse("franceconnect"))
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]
    provider["nonce"] = query["nonce"][0]
    return client.get(
        reverse("franceconnect_retour"), {"code": "code-autorisation", "state": query["state"][0]}
    )


@pytest.mark.django_db
def test_a_new_person_signs_in_with_franceconnect_and_gets_a_verified_applicant_account(
    client, provider
):
    response = _login_with_franceconnect(
        client,
        provider,
        {
            "sub": "fc-123",
            "email": "Lea.Martin@Exemple.fr",
            "given_name": "Léa",
            "family_name": "Martin",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="lea.martin@exemple.fr")
    assert user.role == Role.USAGER and user.email_verified and user.first_name == "Léa"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (
        AuditEvent.objects.for_target(user)
        .filter(action="compte.inscription_franceconnect")
        .exists()
    )


@pytest.mark.django_db
def test_an_existing_account_is_found_by_its_email(client, provider):
    from tests.factories import UserFactory

    claire = UserFactory(email="claire@exemple.fr")
    _login_with_franceconnect(
        client, provider, {"sub": "x", "email": "claire@exemple.fr", "given_name": "Claire"}
    )
    assert client.session["_auth_user_id"] == str(claire.pk)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_franceconnect_is_off_unless_configured(client):
    assert client.get(reverse("franceconnect")).status_code == 404
    assert "FranceConnect" not in client.get(reverse("login")).content.decode()
