import re

import pytest
from django.core import mail
from django.urls import reverse

from mdna.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "Adresse électronique ou mot de passe incorrect"


def login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_by_email_is_case_insensitive(client):
    user = UserFactory(email="claire@exemple.fr")
    response = login(client, "Claire@Exemple.FR", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("tableau_de_bord")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("email", ["claire@exemple.fr", "inconnu@exemple.fr"])
def test_wrong_password_and_unknown_account_get_the_same_generic_message(client, email):
    UserFactory(email="claire@exemple.fr")
    response = login(client, email, "mauvais-mot-de-passe")
    assert response.status_code == 200
    content = response.content.decode()
    assert GENERIC_ERROR in content
    assert 'id="resume-erreurs"' in content


def test_login_is_throttled_after_repeated_failures(client):
    UserFactory(email="cible@exemple.fr")
    for _ in range(5):
        login(client, "cible@exemple.fr", "mauvais")
    response = login(client, "cible@exemple.fr", PASSWORD)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_applicant_signs_up_and_must_verify_the_email_before_logging_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inscription"),
            {
                "first_name": "Léa",
                "last_name": "Martin",
                "email": "Lea.Martin@Exemple.fr",
                "password1": "un-long-mot-de-passe-2026",
                "password2": "un-long-mot-de-passe-2026",
            },
        )
    assert response.status_code == 200
    user = User.objects.get(email="lea.martin@exemple.fr")
    assert user.role == Role.USAGER
    assert not user.is_active and not user.email_verified

    # Not verified yet: cannot log in.
    login(client, "lea.martin@exemple.fr", "un-long-mot-de-passe-2026")
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea.martin@exemple.fr"]
    link = re.search(r"https?://\S+/compte/verifier/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.email_verified
    assert client.session["_auth_user_id"] == str(user.pk)
    actions = set(AuditEvent.objects.for_target(user).values_list("action", flat=True))
    assert {"compte.inscription", "compte.email_verifie"} <= actions


def test_signup_errors_are_shown_next_to_fields_and_typed_values_kept(client):
    UserFactory(email="deja@exemple.fr")
    response = client.post(
        reverse("inscription"),
        {
            "first_name": "Karim",
            "last_name": "Benali",
            "email": "deja@exemple.fr",
            "password1": "123",
            "password2": "456",
        },
    )
    content = response.content.decode()
    assert "Un compte existe déjà avec cette adresse" in content
    assert "Les deux mots de passe ne sont pas identiques" in content
    assert 'value="Karim"' in content
    assert 'href="#id_email"' in content  # the error summary links to the field
    assert 'aria-invalid="true"' in content


def test_tampered_verification_link_is_refused(client):
    response = client.get(reverse("verifier_email", args=["pas-un-jeton"]))
    assert response.status_code == 200
    assert "Ce lien n&#x27;est pas valide" in response.content.decode()


def test_password_reset_by_email(client):
    user = UserFactory(email="paul@exemple.fr")
    client.post(reverse("password_reset"), {"email": "paul@exemple.fr"})
    assert len(mail.outbox) == 1
    path = re.search(r"/compte/mot-de-passe/nouveau/\S+/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "nouveau-secret-solide-42", "new_password2": "nouveau-secret-solide-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nouveau-secret-solide-42")


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
