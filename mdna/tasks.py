import socket

from celery import shared_task

from mdna.models import WorkerHeartbeat


@shared_task(name="mdna.tasks.worker_heartbeat")
def worker_heartbeat() -> int:
    """Leave a trace that a worker is alive; /healthz reports the last one."""
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()).pk
