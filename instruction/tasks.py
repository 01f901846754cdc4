from celery import shared_task

from instruction import services


@shared_task(name="instruction.tasks.relances_pieces")
def relances_pieces() -> dict:
    """Daily: reminders at D-7, overdue requests flagged for an agent's decision."""
    return services.relances_pieces()


@shared_task(name="instruction.tasks.export_file")
def export_file(export_id: int) -> str:
    """Produce an export of the work queue (queue ``exports``); idempotent."""
    from instruction.exports import export_produire

    return export_produire(export_id=export_id).statut
