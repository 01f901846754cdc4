from celery import shared_task

from instruction import services


@shared_task(name="instruction.tasks.relances_pieces")
def relances_pieces() -> dict:
    """Daily: reminders at D-7, overdue requests flagged for an agent's decision."""
    return services.relances_pieces()
