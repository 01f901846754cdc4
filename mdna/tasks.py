import socket

from celery import shared_task

from mdna.models import WorkerHeartbeat


@shared_task(name="mdna.tasks.worker_heartbeat")
def worker_heartbeat() -> int:
    """Leave a trace that a worker is alive; /healthz reports the last one."""
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()).pk


@shared_task(name="mdna.tasks.livrer_webhook", bind=True, max_retries=None)
def livrer_webhook(self, livraison_id: int) -> bool:
    """Deliver one webhook; on failure retry with exponential backoff (30 s, 1 min, 2 min… up
    to 1 h) until ``TENTATIVES_MAX`` attempts. Idempotent: a delivered one is not sent again."""
    from mdna.models import LivraisonWebhook
    from mdna.webhooks import livrer

    if livrer(livraison_id):
        return True
    livraison = (
        LivraisonWebhook.objects.filter(pk=livraison_id).only("statut", "tentatives").first()
    )
    if livraison is None or livraison.statut != LivraisonWebhook.Statut.EN_ATTENTE:
        return False
    if self.request.is_eager:
        return False  # in-process mode (demo): no blocking retries; the log shows the failure
    raise self.retry(countdown=min(30 * 2 ** (livraison.tentatives - 1), 3600))
