from celery import shared_task

from dispositifs.alertes import envoyer_alertes


@shared_task(name="dispositifs.tasks.alertes_quotidiennes")
def alertes_quotidiennes() -> int:
    return envoyer_alertes()
