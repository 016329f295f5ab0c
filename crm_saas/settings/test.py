"""Test settings: the base settings with fast hashing, in-memory e-mail and separate Redis dbs.

Child processes started by the tests (Celery worker, web server) load these settings too, with
the test database named in DATABASE_URL.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CRM_ENV", "test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")  # Celery broker for tests
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")  # cleared before every test
os.environ.setdefault("OBJECT_STORAGE_ROOT", tempfile.mkdtemp(prefix="crm-test-objects-"))
# Webhook retries seconds apart, so tests watch a whole retry ladder with a real worker.
os.environ.setdefault("CRM_WEBHOOK_RETRY_DELAYS", "1,1,1,1,1")
# Dummy credentials for the local S3 API server; it does not check them.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test-access-key")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test-secret-key")

from crm_saas.settings.base import *  # noqa: F403
from crm_saas.settings.base import REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/min", "user": "10000/min", "auth": "10000/min"}

# Separate names let several test runs share one PostgreSQL server.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CRM_TEST_DATABASE_NAME", "test_crm_saas")}  # noqa: F405
