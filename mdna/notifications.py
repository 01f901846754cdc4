"""Notices to applicants: in-app and by e-mail, sent by Celery, idempotent by key."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from mdna.models import Notification, User


def notifier(*, user_id: int, titre: str, message: str, lien: str = "", cle: str = "") -> None:
    """Queue a notice (call it from transaction.on_commit)."""
    envoyer_notification.delay(user_id=user_id, titre=titre, message=message, lien=lien, cle=cle)


@shared_task(
    name="mdna.notifications.envoyer_notification", autoretry_for=(OSError,), retry_backoff=True
)
def envoyer_notification(
    *, user_id: int, titre: str, message: str, lien: str = "", cle: str = ""
) -> int | None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, titre=titre, message=message, lien=lien, cle=cle
            )
    except IntegrityError:
        return None  # already sent (retried or duplicated task)
    url = f"{settings.SITE_URL}{lien}" if lien else settings.SITE_URL
    body = (
        f"Bonjour {user.first_name},\n\n{message}\n\nSuivre votre demande : {url}\n\n"
        f"{settings.MDNA_REGION_NAME}"
    )
    send_mail(titre, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return notification.pk
