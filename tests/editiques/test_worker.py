"""A real Celery worker on Redis renders a requested document, read back from PostgreSQL."""

import time

import pytest
from django.db import transaction

from editiques import services
from editiques.models import Document, Statut
from tests.editiques.conftest import normaliser, texte_pdf
from tests.mdna.test_worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = pytest.mark.worker


@pytest.fixture
def media_partage(settings, tmp_path, monkeypatch):
    """The worker process stores files where this test reads them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


def test_a_real_worker_renders_the_document_after_commit(
    media_partage,
    celery_worker_process,  # noqa: F811
    monkeypatch,
):
    from mdna.models import Adhesion, Tiers
    from tests.factories import DispositifFactory, ServiceFactory, UserFactory
    from tests.instruction.conftest import deposer

    monkeypatch.setattr(services, "FILE_RENDU", celery_worker_process)
    service = ServiceFactory(code="DCP")
    agent = UserFactory(role="instructeur", service=service)
    demandeur = UserFactory()
    tiers = Tiers.objects.create(type="association", nom="Les Tréteaux de la Creuse")
    Adhesion.objects.create(user=demandeur, tiers=tiers, role="proprietaire")
    dispositif = DispositifFactory(publie=True, service=service)
    dossier = deposer(dispositif, tiers, demandeur)
    with transaction.atomic():
        services.document_demander(
            type="notification_attribution",
            par=agent,
            cle_evenement="worker-1",
            dossier=dossier,
            contexte={"montant": "7250.00"},
        )
    document = Document.objects.get(type="notification_attribution")
    deadline = time.monotonic() + 90
    while document.statut == Statut.DEMANDE:
        assert time.monotonic() < deadline, "the worker did not render the document"
        time.sleep(0.3)
        document.refresh_from_db()
    assert document.statut == Statut.RENDU, document.erreur
    texte = normaliser(texte_pdf(document))
    assert document.numero in texte and "7 250,00 €" in texte
    # The acknowledgement requested at filing was rendered by the same worker.
    accuse = Document.objects.get(type="accuse_depot", dossier=dossier)
    deadline = time.monotonic() + 60
    while accuse.statut == Statut.DEMANDE and time.monotonic() < deadline:
        time.sleep(0.3)
        accuse.refresh_from_db()
    assert accuse.statut == Statut.RENDU
