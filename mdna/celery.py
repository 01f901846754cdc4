"""The Celery application: workers render éditiques (queue ``editiques``) and build exports
(queue ``exports``); beat runs periodic tasks. Without ``REDIS_URL`` tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdna.settings")

app = Celery("mdna")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
