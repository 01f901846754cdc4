"""Health of the services MDNA depends on, for /healthz and for operators."""

from django.conf import settings
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        return f"erreur: {exc.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    if not settings.REDIS_URL:
        return "non configuré"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except redis.RedisError as exc:
        return f"erreur: {exc.__class__.__name__}"
    return "ok"


def report() -> tuple[bool, dict]:
    checks = {
        "database": database_status(),
        "database_vendor": connection.vendor,
        "broker": broker_status(),
    }
    healthy = checks["database"] == "ok" and checks["broker"] in {"ok", "non configuré"}
    return healthy, {"status": "ok" if healthy else "erreur", **checks}
