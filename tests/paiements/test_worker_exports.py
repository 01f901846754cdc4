"""A real Celery worker builds an export: the file it stores is read back by the web side."""

import hashlib

import pytest

from paiements import services
from paiements.exports import validate_pes
from paiements.models import Export, StatutExport
from paiements.tasks import construire_export
from tests.mdna.test_worker import celery_worker_process  # noqa: F401 - fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media_partage(settings, tmp_path, monkeypatch):
    """The worker process and the tests share the same private files directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


def test_a_real_worker_builds_and_stores_the_pes_file(
    media_partage,
    celery_worker_process,  # noqa: F811
    certifiee,
    paul,
):
    mandat = services.mandat_liquider(demande=certifiee, par=paul)
    bordereau = services.bordereau_creer(mandats=[mandat], par=paul)
    export = Export.objects.create(format="pes", cree_par=paul)
    export.bordereaux.set([bordereau])
    resultat = construire_export.apply_async(args=[export.pk], queue=celery_worker_process)
    assert resultat.get(timeout=60, disable_sync_subtasks=False) == StatutExport.PRET
    export.refresh_from_db()
    with export.fichier.open("rb") as fichier:
        contenu = fichier.read()
    assert hashlib.sha256(contenu).hexdigest() == export.sha256
    assert validate_pes(contenu) == []
    # (disable_sync_subtasks: an eager task run earlier in this process may have left Celery's
    # "current task" set; this test process is not a task.)
    # Idempotent: a retried task leaves the stored file as it is.
    relance = construire_export.apply_async(args=[export.pk], queue=celery_worker_process)
    assert relance.get(timeout=60, disable_sync_subtasks=False) == StatutExport.PRET
    export.refresh_from_db()
    assert hashlib.sha256(contenu).hexdigest() == export.sha256
