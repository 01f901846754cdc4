"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    ignored = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    for key in ("MDNA_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        clean.pop(key, None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "MDNA_ENV": "production",
    "SECRET_KEY": "k9$Xq2!vLr8#Tz5@Wm3^Np7&Hs4*Bd6(Fg1)Jc0-Ye+Ua=Oi_Qw",
    "ALLOWED_HOSTS": "aides.region.fr",
}


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_names_the_missing_setting():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_debug_is_refused_in_production():
    result = run_manage("check", env={**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG ne peut être activé qu'en démonstration" in result.stderr


def test_embedded_default_needs_no_service():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1],"
        " s.DEBUG)"
    )
    result = run_manage("shell", "-v", "0", "-c", code, env={"MDNA_ENV": "demo"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "console",
        "LocMemCache",
        "True",
    ]


def test_database_url_and_redis_url_select_the_production_services():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
        " s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    )
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://u:p@db.example:5432/mdna",
        "REDIS_URL": "redis://cache.example:6379/0",
    }
    result = run_manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/0",
        "False",
        "RedisCache",
    ]


def test_docker_compose_describes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "mdna", "worker"]
    assert "editiques" in " ".join(services["worker"]["command"])
    assert services["beat"]["command"][:4] == ["celery", "-A", "mdna", "beat"]
    # One image and one environment for web, worker and beat.
    images = {services[n]["image"] for n in ("web", "worker", "beat")}
    assert len(images) == 1
    envs = [services[n]["environment"] for n in ("web", "worker", "beat")]
    assert envs[0] == envs[1] == envs[2]
    env = envs[0]
    assert (
        env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    )
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["MDNA_ENV"] == "production"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
