import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from mdna import audit
from mdna.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_target_and_before_after():
    agent = UserFactory(email="marc@exemple.fr")
    target = UserFactory(email="claire@exemple.fr")
    event = audit.record(
        actor=agent,
        action="compte.role_modifie",
        target=target,
        before={"role": "usager"},
        after={"role": "conseiller"},
    )
    event.refresh_from_db()
    assert event.actor == agent and event.actor_label == "marc@exemple.fr"
    assert (event.target_type, event.target_id) == ("mdna.user", str(target.pk))
    assert event.before == {"role": "usager"} and event.after == {"role": "conseiller"}
    assert list(AuditEvent.objects.for_target(target)) == [event]


def test_audit_events_cannot_be_changed_or_deleted_by_the_application():
    event = audit.record(actor=None, action="systeme.test")
    event.action = "autre"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="autre")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "systeme.test"


def test_postgresql_refuses_raw_updates_and_deletes_of_audit_rows():
    if connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only (CI runs on PostgreSQL)")
    event = audit.record(actor=None, action="systeme.test")
    for sql in (
        "UPDATE mdna_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM mdna_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="systeme.test").exists()


def test_audit_admin_is_read_only(client):
    admin = UserFactory(administrateur=True)
    event = audit.record(actor=admin, action="systeme.test")
    client.force_login(admin)
    assert client.get("/administration/mdna/auditevent/").status_code == 200
    assert client.get("/administration/mdna/auditevent/add/").status_code == 403
    response = client.post(f"/administration/mdna/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
