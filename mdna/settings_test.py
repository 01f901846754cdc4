"""Settings for the test suite: the production settings with ``MDNA_ENV=test``.

``DATABASE_URL`` and ``REDIS_URL`` still decide the services, so CI tests the production shape.
"""

import os

os.environ.setdefault("MDNA_ENV", "test")

from mdna.settings import *  # noqa: E402, F403
from mdna.settings import CACHES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES["default"]["KEY_PREFIX"] = "mdna-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
AXES_FAILURE_LIMIT = 5
# Throttling is tested with its own rates (tests/api); elsewhere it must not interfere.
MDNA_API_DEBITS = {"anonyme": "100000/minute", "utilisateur": "100000/minute"}
