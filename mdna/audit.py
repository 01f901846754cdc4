"""Writing the audit log. Services call :func:`record` inside their transaction."""

from typing import Any

from django.db import models

from mdna.middleware import current_request_context
from mdna.models import AuditEvent, User


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    context = current_request_context()
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor else "système",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        before=before,
        after=after,
        ip=ip or (context.ip if context else None),
        reference=context.reference if context else "",
    )
