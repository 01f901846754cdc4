"""A real Celery worker on Redis executes a task whose effect is read back from PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from mdna.celery import app
from mdna.models import WorkerHeartbeat
from mdna.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker


@pytest.fixture
def celery_worker_process(transactional_db):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and DATABASE_URL (PostgreSQL), as in CI")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "MDNA_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "mdna.settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mdna",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"{queue}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15):
            print(output)


def test_a_real_worker_runs_the_task_and_writes_to_postgresql(celery_worker_process):
    assert not WorkerHeartbeat.objects.exists()
    result = worker_heartbeat.apply_async(queue=celery_worker_process)
    heartbeat_id = result.get(timeout=60)
    # The row was written by the worker process, in another connection, and is read back here.
    deadline = time.monotonic() + 10
    while not WorkerHeartbeat.objects.filter(pk=heartbeat_id).exists():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert WorkerHeartbeat.objects.count() == 1
