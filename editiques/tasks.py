"""Celery tasks of the éditiques queue: thin, idempotent, they call services."""

from celery import shared_task

from editiques import services
from editiques.models import Statut

MAX_TENTATIVES = 5


def attente(tentative: int) -> int:
    """Backoff before retry n (0-based): 30 s, 2 min, 8 min, 32 min, ~2 h."""
    return 30 * 4**tentative


@shared_task(bind=True, acks_late=True, max_retries=MAX_TENTATIVES - 1)
def rendre_document(self, document_id: int) -> str:
    resultat = services.document_rendre(document_id=document_id)
    eager = self.request.is_eager
    if resultat == Statut.ECHEC and not eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=attente(self.request.retries))
    return str(resultat)


@shared_task(acks_late=True)
def construire_archive(lot_id: int) -> str:
    from editiques import archives

    return archives.construire(lot_id=lot_id)


@shared_task
def rattraper_demandes() -> int:
    """Re-queue documents still waiting long after their request (e.g. the broker was down
    when the caller committed). Rendering is idempotent, so a duplicate is harmless."""
    return services.demandes_rattraper()
