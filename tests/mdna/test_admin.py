import pytest
from django.core import mail

from mdna.models import AuditEvent, Role, User
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_administrator_creates_an_agent_who_receives_an_invitation(
    client, django_capture_on_commit_callbacks
):
    admin = UserFactory(administrateur=True)
    service = ServiceFactory(code="DCP", nom="Direction de la culture")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/administration/mdna/user/add/",
            {
                "email": "marc@region.fr",
                "first_name": "Marc",
                "last_name": "Dubreuil",
                "role": Role.INSTRUCTEUR,
                "service": service.pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = User.objects.get(email="marc@region.fr")
    assert agent.role == Role.INSTRUCTEUR and agent.service == service
    assert not agent.has_usable_password()
    assert len(mail.outbox) == 1 and "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body
    event = AuditEvent.objects.for_target(agent).get(action="compte.agent_cree")
    assert event.actor == admin and event.after["service"] == "DCP"


def test_an_instructor_needs_a_service(client):
    admin = UserFactory(administrateur=True)
    client.force_login(admin)
    response = client.post(
        "/administration/mdna/user/add/",
        {"email": "sans@region.fr", "role": Role.INSTRUCTEUR, "first_name": "", "last_name": ""},
    )
    assert response.status_code == 200
    assert "appartient à un service" in response.content.decode()
    assert not User.objects.filter(email="sans@region.fr").exists()


def test_non_administrators_cannot_reach_the_admin(client):
    client.force_login(UserFactory(instructeur=True))
    response = client.get("/administration/mdna/user/")
    assert response.status_code == 302
