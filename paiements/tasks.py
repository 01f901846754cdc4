"""Thin Celery tasks of the payments side (queue ``exports`` by the routes in settings)."""

from celery import shared_task


@shared_task(name="paiements.tasks.construire_export", acks_late=True)
def construire_export(export_id: int) -> str:
    from paiements.flux import export_construire

    return export_construire(export_id=export_id).statut


@shared_task(name="paiements.tasks.signaler_caducites")
def signaler_caducites() -> int:
    from paiements.services import caducites_signaler

    return caducites_signaler()
